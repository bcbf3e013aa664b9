"""GET-only JSON for units' HR systems; a Bearer token, no session, no CSRF.

Thin views over app.api.services and app.api.queries. The query strings and bodies
are the marshmallow schemas of app.api.schemas: flask-smorest checks the one
(400 with an error body) and documents both in /api/v1/openapi.json.
"""

from flask import current_app, g, request, url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from app.database import start_writing
from app.errors import DomainError, NotFound, api_error
from app.extensions import csrf, db, limiter

from . import queries, services
from .schemas import (
    CadreArgs,
    CadrePage,
    CadreSchema,
    CertificateArgs,
    CertificatePage,
    CertificateSchema,
    ErrorSchema,
    RecordArgs,
    RecordPage,
    UnitArgs,
    UnitPage,
    UnitSchema,
)


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400  # not webargs' 422: a bad query string
    # An unknown parameter is a mistake (a misspelt filter would return everything).
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
    }


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = _Parser()


bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Đọc dữ liệu trong phạm vi đơn vị của mã truy cập.",
)
csrf.exempt(bp)

_ERRORS = {
    401: "Thiếu mã truy cập, mã không đúng hoặc đã bị thu hồi.",
    404: "Không có, hoặc nằm ngoài phạm vi đơn vị của mã truy cập.",
    429: "Quá nhiều yêu cầu với mã truy cập này: đợi Retry-After giây.",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}}},
    429: {"Retry-After": {"schema": {"type": "integer"}}},
}


def _documented(*codes: int):
    """Document the error bodies of `codes` (400 comes with the arguments)."""

    def decorate(view):
        for code in codes:
            view = bp.alt_response(
                code,
                schema=ErrorSchema,
                description=_ERRORS[code],
                headers=_HEADERS.get(code),
            )(view)
        return view

    return decorate


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _token_key() -> str:
    return f"api-token:{g.api_token.id}"


# One budget per token over every endpoint, whatever the address it comes from.
_limited = limiter.shared_limit(_api_limit, scope="api", key_func=_token_key)


@bp.before_request
def _authenticate():
    token = services.authenticate(request.headers.get("Authorization"))
    if token is None:
        return api_error(401, _ERRORS[401])
    g.api_token = token
    if services.is_stale(token):
        start_writing()
        services.mark_used(token)
        db.session.commit()
    return None


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return api_error(error.status, error.message)


@bp.errorhandler(400)  # by code too: the app's handlers by code come first
@bp.errorhandler(404)
@bp.errorhandler(429)
@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages:
        details = "; ".join(
            f"{name}: {_said(problems)}"
            for where in messages.values()
            for name, problems in where.items()
        )
        return api_error(400, _("Tham số không hợp lệ — %(details)s", details=details))
    message = _ERRORS.get(error.code, error.description or error.name)
    return api_error(error.code or 500, message, error.get_headers())


def _said(problems) -> str:
    """One parameter's problems: a list, or one (lazy) message on its own."""
    if isinstance(problems, (list, tuple)):
        return " ".join(map(str, problems))
    return str(problems)


def _key(value: str) -> str:
    """A code from the path: control characters or an absurd length find nothing."""
    if len(value) > 200 or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise NotFound(_ERRORS[404])
    return value


def _page_body(page, args: dict, items: list) -> dict:
    def link(number: int) -> str:
        query = {k: v for k, v in args.items() if v is not None}
        query["page"] = number
        return url_for(request.endpoint, **request.view_args, **query, _external=True)

    last = max(1, -(-page.total // page.per_page))

    return {
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "next": link(page.page + 1) if page.has_next else None,
        # Past the end, the page before is the last one there is.
        "previous": link(min(page.page - 1, last)) if page.page > 1 else None,
        "items": items,
    }


@bp.get("/campaigns/<code>/records")
@_limited
@bp.arguments(RecordArgs, location="query", as_kwargs=True)
@bp.response(200, RecordPage)
@_documented(401, 404, 429)
def campaign_records(code: str, page: int, per_page: int, unit: str | None = None):
    """Kết quả bồi dưỡng của một đợt, trong một đơn vị của phạm vi.

    Mặc định là đơn vị của mã truy cập; 1.000 bản ghi mỗi trang.
    """
    result = services.records_page(
        g.api_token, _key(code), unit, page, per_page=per_page
    )
    body = _page_body(
        result, {"unit": result.unit.code, "per_page": per_page}, items=[]
    )
    del body["items"]
    return {
        **body,
        "campaign": result.campaign,
        "unit": result.unit,
        "records": [services.record_dict(row) for row in result.rows],
    }


@bp.get("/units")
@_limited
@bp.arguments(UnitArgs, location="query", as_kwargs=True)
@bp.response(200, UnitPage)
@_documented(401, 404, 429)
def units(**args):
    """Các đơn vị trong phạm vi của mã truy cập (đơn vị gốc trước)."""
    page = queries.units_page(g.api_token, **args)
    return _page_body(
        page, args, [queries.unit_dict(u, g.api_token) for u in page.items]
    )


@bp.get("/units/<code>")
@_limited
@bp.response(200, UnitSchema)
@_documented(401, 404, 429)
def unit(code: str):
    """Một đơn vị trong phạm vi."""
    return queries.unit_dict(queries.get_unit(g.api_token, _key(code)), g.api_token)


@bp.get("/cadres")
@_limited
@bp.arguments(CadreArgs, location="query", as_kwargs=True)
@bp.response(200, CadrePage)
@_documented(401, 404, 429)
def cadres(**args):
    """Cán bộ của các đơn vị trong phạm vi, xếp theo tên."""
    page = queries.cadres_page(g.api_token, **args)
    return _page_body(page, args, [queries.cadre_dict(c) for c in page.items])


@bp.get("/cadres/<key>")
@_limited
@bp.response(200, CadreSchema)
@_documented(401, 404, 429)
def cadre(key: str):
    """Một cán bộ, theo mã cán bộ (hoặc số hiệu id) trong phạm vi."""
    return queries.cadre_dict(queries.get_cadre(g.api_token, _key(key)))


@bp.get("/certificates")
@_limited
@bp.arguments(CertificateArgs, location="query", as_kwargs=True)
@bp.response(200, CertificatePage)
@_documented(401, 404, 429)
def certificates(**args):
    """Chứng nhận đã cấp trong phạm vi, số hiệu mới nhất trước."""
    page = queries.certificates_page(g.api_token, **args)
    return _page_body(page, args, [queries.certificate_dict(c) for c in page.items])


@bp.get("/certificates/<serial>")
@_limited
@bp.response(200, CertificateSchema)
@_documented(401, 404, 429)
def certificate(serial: str):
    """Một chứng nhận, theo số hiệu (VHCV-2026-000123)."""
    return queries.certificate_dict(queries.get_certificate(g.api_token, _key(serial)))
