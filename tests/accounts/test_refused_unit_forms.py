"""The unit forms (create, rename, move, recode, merge, merge into several, split,
dissolve) and the move of a cadre, refused: the page they were posted from again
(400), as a GET shows it, the form as typed, each problem beside its field
(aria-invalid) and one line at the top saying so; nothing written."""

import re

from sqlalchemy import func, select

from app.accounts.models import Unit, UnitEvent, User
from app.extensions import db
from tests.factories import make_tree, make_user

SUMMARY = "Chưa lưu: xem các lỗi bên dưới."


def _setup(app):
    with app.app_context():
        tree = make_tree()
        make_user("admin", tree["P"], roles=[("admin", None)])
        make_user("a1", tree["D1"], full_name="Trần Thị Bích")
        ids = {k: u.id for k, u in tree.items()}
        ids["a1"] = db.session.scalar(select(User.id).where(User.username == "a1"))
        return ids


def _input(page: str, fid: str) -> str:
    """The tag of the input (or textarea) with the id `fid`."""
    return re.search(rf'<(?:input|textarea)[^>]* id="{fid}"[^>]*>', page)[0]


def _error(page: str, fid: str) -> str:
    """The problem said beside the field `fid`."""
    return re.search(rf'<p class="error" id="{fid}-error">([^<]*)</p>', page)[1]


def _refused(response, fid: str, typed: str | None = None) -> str:
    """The page of a refusal: 400, the field `fid` marked invalid, described by its
    problem, keeping `typed`; the summary said once at the top, no field's error
    flashed."""
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    tag = _input(page, fid)
    assert 'aria-invalid="true"' in tag and f"{fid}-error" in tag, tag
    if typed is not None:
        assert f'value="{typed}"' in tag or f"{typed}</textarea>" in page, tag
    assert page.count(SUMMARY) == 1
    assert len(re.findall(r'class="flash flash-error"', page)) == 1
    return page


def _written(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Unit.id))),
            db.session.scalar(select(func.count(UnitEvent.id))),
        )


def test_a_refused_new_unit_is_shown_again_under_its_parent(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    before = _written(app)
    token = auth.token(f"/admin/units?parent={ids['P']}")
    url = f"/admin/units?parent={ids['P']}"
    form = {"csrf_token": token, "code": "NEW1", "kind": "agency", "decision": "QĐ 1"}
    page = _refused(client.post(url, data={**form, "parent_code": "P"}), "name")
    assert 'value="NEW1"' in _input(page, "code") and 'value="QĐ 1"' in page
    assert "Sở Nội vụ" in page and "UBND xã Hòa An" in page  # P's units, as on GET
    for data, fid, said in (
        ({"name": "Mới", "parent_code": "NOPE"}, "parent_code", "NOPE"),
        ({"name": "Mới", "code": "D1", "parent_code": "P"}, "code", "đã tồn tại"),
        ({"name": "Mới", "effective": "1900-01-01"}, "effective", "ngoài khoảng"),
    ):
        page = _refused(client.post(url, data={**form, **data}), fid)
        assert said in _error(page, fid) and 'value="Mới"' in _input(page, "name")
    assert _written(app) == before


def test_the_refused_forms_of_a_unit_keep_what_was_typed(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    before = _written(app)
    base = f"/admin/units/{ids['D1']}"
    token = auth.token(base)
    for action, data, fid, typed in (
        ("rename", {"name": " ", "decision": "QĐ 2"}, "name", None),
        (
            "rename",
            {"name": "Phòng Mới", "effective": "1900-01-01"},
            "rename-effective",
            None,
        ),
        ("move", {"decision": "QĐ 3"}, "parent_code", None),
        ("move", {"parent_code": "D1A"}, "parent_code", "D1A"),
        ("recode", {"admin_code": "X" * 21}, "admin_code", "X" * 21),
        ("merge", {"target_code": "NOPE", "confirm": "1"}, "target_code", "NOPE"),
        (
            "restructure/split",
            {"target_codes": "C1, NOPE"},
            "restructure-split-target_codes",
            "C1, NOPE",
        ),
        (
            "restructure/merge",
            {"target_codes": "C1", "cadre_map": "zz; C1"},
            "restructure-merge-cadre_map",
            "zz; C1",
        ),
        (
            "restructure/dissolve",
            {"effective": "1900-01-01"},
            "dissolve-effective",
            None,
        ),
    ):
        response = client.post(f"{base}/{action}", data={"csrf_token": token, **data})
        page = _refused(response, fid, typed)
        assert "Các thời kỳ của đơn vị" in page  # the rest of the page, as on GET
        for value in data.values():  # kept in the form it was typed in only
            assert page.count(f'value="{value}"') <= 1, (action, value)
    assert _written(app) == before


def test_a_refused_move_of_a_cadre_keeps_the_code_typed(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    url = f"/cadres/{ids['a1']}"
    token = auth.token(url)
    response = client.post(f"{url}/move", data={"csrf_token": token})
    _refused(response, "unit_code")
    response = client.post(
        f"{url}/move", data={"csrf_token": token, "unit_code": "NOPE"}
    )
    page = _refused(response, "unit_code", "NOPE")
    assert "NOPE" in _error(page, "unit_code") and "Quá trình công tác" in page
    with app.app_context():
        assert db.session.get(User, ids["a1"]).unit_id == ids["D1"]
