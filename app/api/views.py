"""GET-only JSON for units' HR systems; a Bearer token, no session, no CSRF."""

from flask import Blueprint, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from app.database import MAX_INT, start_writing
from app.errors import DomainError
from app.extensions import csrf, db

from . import services

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _error(status: int, message: str):
    response = jsonify(error=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="vhcv"'
    return response


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return _error(error.status, error.message)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return _error(error.code or 500, error.description or error.name)


@bp.get("/campaigns/<code>/records")
def campaign_records(code: str):
    """?unit=CODE (default: the token's unit) &page=N (from 1), 1,000 per page."""
    token = services.authenticate(request.headers.get("Authorization"))
    if token is None:
        return _error(401, "Thiếu mã truy cập, mã không đúng hoặc đã bị thu hồi.")
    page = request.args.get("page", "1").strip()
    if not (page.isascii() and page.isdigit()) or not 1 <= int(page) <= MAX_INT:
        return _error(400, "Tham số page phải là số nguyên từ 1.")
    result = services.records_page(token, code, request.args.get("unit"), int(page))
    body = _page_body(result)
    if services.is_stale(token):
        start_writing()
        services.mark_used(token)
        db.session.commit()
    return jsonify(body)


def _page_body(result: services.RecordsPageResult) -> dict:
    def link(page: int) -> str:
        return url_for(
            "api.campaign_records",
            code=result.campaign.code,
            unit=result.unit.code,
            page=page,
            _external=True,
        )

    return {
        "campaign": {
            "code": result.campaign.code,
            "title": result.campaign.title,
            "year": result.campaign.year,
        },
        "unit": {"code": result.unit.code, "name": result.unit.name},
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total,
        "records": [services.record_dict(row) for row in result.rows],
        "next": link(result.page + 1) if result.has_next else None,
        "previous": link(result.page - 1) if result.page > 1 else None,
    }
