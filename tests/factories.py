"""Plain factory functions; call inside an app context. They commit."""

from app.accounts import services, units
from app.accounts.models import Unit, User
from app.extensions import db

PASSWORD = "Passw0rd!"


def make_unit(
    code: str, name: str | None = None, parent: Unit | None = None, kind: str = "office"
) -> Unit:
    unit = units.create_unit(code, name or f"Đơn vị {code}", kind, parent)
    db.session.commit()
    return unit


def make_user(
    username: str,
    unit: Unit,
    roles: list[tuple[str, Unit | None]] | None = None,
    full_name: str = "Nguyễn Văn An",
    password: str | None = PASSWORD,
    must_change: bool = False,
    **fields,
) -> User:
    specs = [services.RoleSpec(r, u) for r, u in (roles or [("learner", None)])]
    user = services.create_user(
        username,
        full_name,
        unit,
        password=password,
        roles=specs,
        must_change_password=must_change,
        **fields,
    )
    db.session.commit()
    return user


def make_tree() -> dict[str, Unit]:
    """Province P → department D (→ D1 → D1A) and commune C (→ C1)."""
    p = make_unit("P", "Tỉnh Thử", kind="province")
    d = make_unit("D", "Sở Nội vụ", p, "department")
    d1 = make_unit("D1", "Phòng Công chức", d)
    d1a = make_unit("D1A", "Tổ Đào tạo", d1, "team")
    c = make_unit("C", "UBND xã Hòa An", p, "commune")
    c1 = make_unit("C1", "Văn phòng xã", c)
    return {"P": p, "D": d, "D1": d1, "D1A": d1a, "C": c, "C1": c1}


def docx_of(lines: list[str]) -> bytes:
    """A Word file (.docx) of one paragraph per line."""
    import io

    from docx import Document

    document = Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
