"""marshmallow schemas of the JSON API: its query strings and its bodies. The
OpenAPI document is generated from them (flask-smorest, apispec), and requests are
checked against them (webargs), so the two cannot drift apart."""

from marshmallow import Schema, fields, validate

from app.accounts.models import CATEGORIES, UNIT_KINDS
from app.database import MAX_INT
from app.errors import lazy_gettext as _l

PER_PAGE_MAX = 100
PER_PAGE_DEFAULT = 50
RECORDS_PER_PAGE = 1000

# The query strings' problems in the caller's language (marshmallow's own are
# English only): lazy, so each request's locale chooses.
_NOT_INTEGER = {"invalid": _l("Không phải một số nguyên.")}
_NOT_BOOLEAN = {"invalid": _l("Phải là true hoặc false.")}


def _length(maximum: int) -> validate.Length:
    return validate.Length(
        min=1, max=maximum, error=_l("Phải dài từ {min} đến {max} ký tự.")
    )


def _range(maximum: int) -> validate.Range:
    return validate.Range(1, maximum, error=_l("Phải từ {min} đến {max}."))


# Printable text only: control characters (NUL above all) are refused with 400.
_PRINTABLE = validate.Regexp(
    r"^[^\x00-\x1f\x7f]*$", error=_l("Không được chứa ký tự điều khiển.")
)


class ArgsSchema(Schema):
    """A query string: an unknown parameter is named as such."""

    error_messages = {"unknown": _l("Không có tham số này.")}


def code_field(description: str, max_length: int = 40) -> fields.String:
    return fields.String(
        validate=[_length(max_length), _PRINTABLE],
        metadata={"description": description},
    )


def boolean_field(description: str) -> fields.Boolean:
    return fields.Boolean(
        error_messages=_NOT_BOOLEAN, metadata={"description": description}
    )


def page_field() -> fields.Integer:
    return fields.Integer(
        load_default=1,
        validate=_range(MAX_INT),
        error_messages=_NOT_INTEGER,
        metadata={"description": "Trang, từ 1."},
    )


def per_page_field(maximum: int, default: int) -> fields.Integer:
    return fields.Integer(
        load_default=default,
        validate=_range(maximum),
        error_messages=_NOT_INTEGER,
        metadata={"description": f"Số mục mỗi trang, 1–{maximum}."},
    )


class PageArgs(ArgsSchema):
    page = page_field()
    per_page = per_page_field(PER_PAGE_MAX, PER_PAGE_DEFAULT)


class RecordArgs(ArgsSchema):
    page = page_field()
    per_page = per_page_field(RECORDS_PER_PAGE, RECORDS_PER_PAGE)
    unit = code_field("Mã đơn vị trong phạm vi (mặc định: đơn vị của mã truy cập).")


class UnitArgs(PageArgs):
    parent = code_field("Chỉ các đơn vị trực thuộc đơn vị có mã này.")
    kind = fields.String(
        validate=validate.OneOf(
            sorted(UNIT_KINDS), error=_l("Phải là một trong: {choices}.")
        ),
        metadata={"description": "Loại đơn vị."},
    )
    active = boolean_field("Còn hoạt động hay không.")


class CadreArgs(PageArgs):
    unit = code_field("Đơn vị (kể cả các đơn vị trực thuộc).")
    q = fields.String(
        validate=[_length(100), _PRINTABLE],
        metadata={"description": "Tìm theo họ tên (không cần dấu) hoặc mã cán bộ."},
    )
    active = boolean_field("Tài khoản còn hoạt động.")


class CertificateArgs(PageArgs):
    campaign = code_field("Mã đợt bồi dưỡng.", 64)
    unit = code_field("Đơn vị (kể cả các đơn vị trực thuộc).")
    valid = boolean_field("true: còn hiệu lực; false: đã thu hồi.")


class ErrorBody(Schema):
    code = fields.String(
        required=True, metadata={"description": "bad_request, not_found, …"}
    )
    message = fields.String(required=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


class UnitRef(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class PageSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    next = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Địa chỉ trang sau.", "format": "uri"},
    )
    previous = fields.String(required=True, allow_none=True, metadata={"format": "uri"})


class UnitSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(sorted(UNIT_KINDS)))
    parent_code = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null cho đơn vị gốc của mã truy cập."},
    )
    depth = fields.Integer(required=True)
    active = fields.Boolean(required=True)


class UnitPage(PageSchema):
    items = fields.List(fields.Nested(UnitSchema), required=True)


class CadreSchema(Schema):
    id = fields.Integer(required=True)
    employee_code = fields.String(required=True, allow_none=True)
    full_name = fields.String(required=True)
    unit = fields.Nested(UnitRef, required=True)
    position = fields.String(required=True)
    category = fields.String(required=True, metadata={"enum": sorted(CATEGORIES)})
    category_label = fields.String(required=True)
    active = fields.Boolean(required=True)


class CadrePage(PageSchema):
    items = fields.List(fields.Nested(CadreSchema), required=True)


class CampaignRef(Schema):
    code = fields.String(required=True)
    title = fields.String(required=True)
    year = fields.Integer(required=True)


class HolderSchema(Schema):
    id = fields.Integer(required=True)
    employee_code = fields.String(required=True, allow_none=True)
    full_name = fields.String(
        required=True, metadata={"description": "Họ tên in trên chứng nhận."}
    )


class CertificateSchema(Schema):
    serial = fields.String(required=True)
    holder = fields.Nested(HolderSchema, required=True)
    unit = fields.Nested(UnitRef, required=True)
    campaign = fields.Nested(CampaignRef, required=True)
    course_title = fields.String(required=True)
    score_percent = fields.Float(required=True)
    passed_at = fields.DateTime(required=True)
    issued_at = fields.DateTime(required=True)
    valid = fields.Boolean(required=True)
    revoked_at = fields.DateTime(required=True, allow_none=True)


class CertificatePage(PageSchema):
    items = fields.List(fields.Nested(CertificateSchema), required=True)


class RecordSchema(Schema):
    employee_code = fields.String(required=True)
    full_name = fields.String(required=True)
    unit = fields.Nested(UnitRef, required=True)
    category = fields.String(required=True)
    category_label = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(["not_started", "in_progress", "completed"]),
    )
    status_label = fields.String(required=True)
    best_score = fields.Float(required=True, allow_none=True)
    passed = fields.Boolean(required=True)
    completed_at = fields.String(
        required=True, allow_none=True, metadata={"format": "date-time"}
    )
    completed_date = fields.String(
        required=True, allow_none=True, metadata={"format": "date"}
    )
    certificate_serial = fields.String(required=True, allow_none=True)


class RecordPage(PageSchema):
    campaign = fields.Nested(CampaignRef, required=True)
    unit = fields.Nested(UnitRef, required=True)
    records = fields.List(fields.Nested(RecordSchema), required=True)
