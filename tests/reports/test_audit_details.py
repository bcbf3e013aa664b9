"""The details of audit events in words: each key recorded has a label, ids of units
and users, and the codes of units, are shown by their names (one query per kind,
not per row), the fields
of a quiz settings change by the form's labels, on the page and in the CSV, in
Vietnamese and in English."""

import ast
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from app.accounts import services as accounts
from app.audit import services as audit
from app.extensions import db
from app.reports.audit_details import DETAIL_LABELS, detail_label
from tests.factories import make_tree, make_user

URL = "/admin/audit"
APP = Path(__file__).resolve().parents[2] / "app"
GONE = 987654  # the id of a unit or a user no longer in the database

# The keys passed to audit.record( through a dict (**name), by file and name: a
# new such call must list its keys here.
SPREAD_KEYS = {
    ("accounts/units.py", "extra"): {"effective", "decision"},
    ("accounts/history.py", "counts"): {"units", "cadres", "followed"},
    ("accounts/cadre_import/applying.py", "counts"): {
        "created",
        "updated",
        "unchanged",
        "moved",
    },
    ("content/module_editing.py", "detail"): {"reverted_to"},
}


def recorded_keys() -> set[str]:
    """The detail keys of every audit.record( call in app/."""
    keys, spread = set(), set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            if not (
                isinstance(func, ast.Attribute)
                and func.attr == "record"
                and getattr(func.value, "id", None) == "audit"
            ):
                continue
            for keyword in node.keywords:
                if keyword.arg is None:
                    where = (
                        path.relative_to(APP).as_posix(),
                        ast.unparse(keyword.value),
                    )
                    assert where in SPREAD_KEYS, f"list the keys of **{where}"
                    spread.add(where)
                    keys |= SPREAD_KEYS[where]
                elif keyword.arg not in ("actor", "target"):
                    keys.add(keyword.arg)
    assert spread == SPREAD_KEYS.keys()
    return keys


def test_every_recorded_detail_key_has_a_label():
    keys = recorded_keys()
    assert {"old_unit", "fields", "participants", "effective", "old"} <= keys
    assert len(keys) > 50
    assert sorted(keys - DETAIL_LABELS.keys()) == []


def test_a_key_without_a_label_is_shown_as_itself(app):
    with app.test_request_context():
        assert detail_label("made_up") == "made_up"
        assert detail_label("old_unit") == "Đơn vị cũ"


@pytest.fixture
def moves(app):
    """adm moved in1 (employee code CB-001) from D1 to C1, and later from D1; the
    certificate of in1 and of a user gone revoked; quiz settings changed."""
    with app.app_context():
        tree = make_tree()
        admin = make_user("adm", tree["P"], roles=[("admin", None)])
        in1 = make_user(
            "in1", tree["D1"], full_name="Trần Thị Bình", employee_code="CB-001"
        )
        accounts.move_user(in1, tree["C1"], actor=admin)
        audit.record(
            "user.moved",
            actor=admin,
            target=in1,
            old_unit=GONE,
            new_unit=tree["D1"].id,
        )
        later = accounts.history.vn_today() + timedelta(days=30)
        accounts.reassign(
            in1, tree["D"], category="vien_chuc", actor=admin, effective=later
        )
        for user_id in (in1.id, GONE):
            audit.record("certificate.revoked", actor=admin, user_id=user_id)
        audit.record(
            "quiz.settings_changed",
            actor=admin,
            fields=["pass_percent", "review", "draw", "code"],
        )
        audit.record("contest.changed", actor=admin, fields=["organiser", "targets"])
        # most actions record a unit by its code: shown by name too
        audit.record("reward.nominated", actor=admin, unit="C1", kind="unit")
        audit.record("campaign.created", actor=admin, targets=["D", "GONE-CODE"])
        audit.record(
            "contest.round_changed",
            actor=admin,
            round="r1",
            fields=["closes_at", "prizes", "time_limit_minutes"],
        )
        db.session.commit()
        return {"D1": tree["D1"].id, "C1": tree["C1"].id, "effective": later}


def _details(page: str) -> str:
    """The page's detail cells, one line each."""
    return page.replace("</li><li>", "\n")


VIETNAMESE = [
    "Đơn vị cũ: Phòng Công chức (D1)",
    "Đơn vị mới: Văn phòng xã (C1)",
    f"Đơn vị cũ: #{GONE}",
    "Đơn vị mới: Phòng Công chức (D1)",
    "Đơn vị: Sở Nội vụ (D)",
    "Loại cán bộ: Viên chức",
    "Chức vụ: —",
    "Ngày hiệu lực: ",
    "Cán bộ: Trần Thị Bình (CB-001)",
    f"Cán bộ: #{GONE}",
    "Các mục đã đổi: Điểm đạt (%), Chế độ xem lại, Quy tắc rút câu hỏi, code",
    "Các mục đã đổi: Đóng lúc (giờ Việt Nam), Số giải, Thời gian làm bài (phút)",
    "Các mục đã đổi: Đơn vị tổ chức, Đơn vị dự thi (cán bộ của đơn vị",
    "Đơn vị: Văn phòng xã (C1)",
    "Đơn vị áp dụng: Sở Nội vụ (D), GONE-CODE",
]
ENGLISH = [
    "Old unit: Phòng Công chức (D1)",
    "New unit: Văn phòng xã (C1)",
    f"Old unit: #{GONE}",
    "Unit: Sở Nội vụ (D)",
    "Cadre category: Public employee",
    "Effective date: ",
    "Cadre: Trần Thị Bình (CB-001)",
    "Changed fields: Pass mark (%), Review policy, Question draw rules, code",
]


def _csv_details(client) -> list[str]:
    response = client.get(f"{URL}.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:])))
    assert len(rows[0]) == 6 and all(len(row) == 6 for row in rows)
    return [row[5] for row in rows[1:]]


def test_the_page_and_the_csv_name_units_users_and_fields(client, auth, moves):
    auth.login("adm")
    page = _details(client.get(URL).get_data(as_text=True))
    for text in VIETNAMESE:
        assert text in page, text
    for raw in ("old_unit", "user_id", "<code>fields</code>", "pass_percent"):
        assert raw not in page, raw
    # The effective day as people write it, not as recorded (ISO).
    day = moves["effective"]
    assert f"Ngày hiệu lực: {day:%d/%m/%Y}" in page
    assert day.isoformat() not in page
    details = "\n".join(_csv_details(client))
    for text in VIETNAMESE:
        assert text in details, text
    assert f"Ngày hiệu lực: {day:%d/%m/%Y}" in details
    assert "Đơn vị cũ: Phòng Công chức (D1); Đơn vị mới: Văn phòng xã (C1)" in details
    assert "old_unit" not in details and "pass_percent" not in details


def test_the_details_read_in_english(client, auth, moves):
    auth.login("adm")
    client.post("/language", data={"language": "en", "csrf_token": auth.token(URL)})
    page = _details(client.get(URL).get_data(as_text=True))
    for text in ENGLISH:
        assert text in page, text
    assert "Đơn vị cũ" not in page and "Điểm đạt" not in page
    details = "\n".join(_csv_details(client))
    for text in ENGLISH:
        assert text in details, text
    assert "Đơn vị cũ" not in details


def test_names_take_one_query_per_kind_not_per_row(app, moves):
    """More moves and certificates add names and no query."""
    from app.accounts.models import Unit, User
    from app.reports.audit_details import detail_names
    from tests.reports.test_audit_log import statements_over_the_log

    def queries() -> tuple[int, dict]:
        return statements_over_the_log(app, detail_names)[:2]

    before, names = queries()
    assert before <= 4  # units by id (and their labels), units by code, users
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.username == "adm"))
        for unit in db.session.scalars(db.select(Unit)):
            audit.record("user.moved", old_unit=unit.id, new_unit=unit.id)
        audit.record("certificate.reissued", user_id=admin.id)
        db.session.commit()
        unit_count = db.session.scalar(db.select(db.func.count(Unit.id)))
    after, more = queries()
    assert after == before
    assert len([k for k in more if k[0] == "unit"]) == unit_count
    assert ("user", GONE) not in more and len(more) > len(names)
