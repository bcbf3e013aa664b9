"""Unit merge and temporary passwords: a GET preview that changes nothing, a POST
that acts only with confirm=1 (and a CSRF token); unit names shown with their
parent where they repeat; units in Vietnamese dictionary order."""

from app.accounts import units
from app.accounts.models import Unit, User, shared_name_labels
from app.extensions import db
from tests.factories import make_tree, make_unit, make_user


def _setup(app):
    with app.app_context():
        tree = make_tree()
        make_user("admin", tree["P"], roles=[("admin", None)], full_name="Quản Trị")
        make_user("a1", tree["D1"], full_name="Trần Thị Bích")
        make_user("a2", tree["D1"], full_name="Lê Văn Ân")
        return {k: u.id for k, u in tree.items()}


def _state(app, unit_id):
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        members = db.session.query(User).filter_by(unit_id=unit_id).count()
        return unit.active, members


def test_merge_preview_lists_who_and_what_moves_and_changes_nothing(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    before = _state(app, ids["D1"])
    page = client.get(f"/admin/units/{ids['D1']}/merge?target_code=C1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Trần Thị Bích" in text and "Lê Văn Ân" in text  # the cadres moving
    assert "D1A" in text and "Tổ Đào tạo" in text  # the child unit moving
    assert "Văn phòng xã" in text and 'name="confirm" value="1"' in text
    assert 'name="target_code" value="C1"' in text
    assert _state(app, ids["D1"]) == before


def test_merge_acts_only_with_confirm_and_csrf(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    url = f"/admin/units/{ids['D1']}/merge"
    token = auth.token(f"/admin/units/{ids['D1']}")
    response = client.post(url, data={"csrf_token": token, "target_code": "C1"})
    assert response.status_code == 302 and "merge?target_code=C1" in response.location
    assert _state(app, ids["D1"]) == (True, 2)
    no_csrf = client.post(url, data={"target_code": "C1", "confirm": "1"})
    assert no_csrf.status_code == 400 and _state(app, ids["D1"]) == (True, 2)
    client.post(url, data={"csrf_token": token, "target_code": "C1", "confirm": "1"})
    assert _state(app, ids["D1"]) == (False, 0)


def test_merge_preview_of_a_bad_target_is_refused_beside_its_field(app, client, auth):
    """The unit's page again (400), the code as typed, the refusal beside it."""
    ids = _setup(app)
    auth.login("admin")
    for code in ("", "NOPE", "D1A"):  # none, unknown, its own child
        response = client.get(f"/admin/units/{ids['D1']}/merge?target_code={code}")
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert f'value="{code}"' in page and 'id="target_code-error"' in page
        assert 'aria-invalid="true" id="target_code"' in page
    assert _state(app, ids["D1"]) == (True, 2)


def test_temporary_password_preview_then_confirm(app, client, auth):
    _setup(app)
    auth.login("admin")
    with app.app_context():
        person = db.session.query(User).filter_by(username="a1").one()
        uid, before = person.id, person.password_hash
    url = f"/cadres/{uid}/reset-password"
    page = client.get(url).get_data(as_text=True)
    assert "a1" in page and 'name="confirm" value="1"' in page
    token = auth.token(url)
    client.post(url, data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(User, uid).password_hash == before
    done = client.post(url, data={"csrf_token": token, "confirm": "1"})
    assert "Mật khẩu tạm thời" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, uid).password_hash != before


def test_repeated_unit_names_carry_their_parent(app, client, auth):
    with app.app_context():
        a = make_unit("A", "Sở Nội vụ")
        b = make_unit("B", "Sở Tài chính")
        make_unit("A1", "Văn phòng Sở", a)
        b1 = make_unit("B1", "Văn phòng Sở", b)
        make_unit("B2", "Phòng Kế hoạch", b)
        make_user("admin", a, roles=[("admin", None)])
        assert shared_name_labels() == {
            "A1": "Văn phòng Sở — Sở Nội vụ",
            "B1": "Văn phòng Sở — Sở Tài chính",
        }
        assert b1.display_name == "Văn phòng Sở — Sở Tài chính"
        assert db.session.get(Unit, b.id).display_name == "Sở Tài chính"
        b_id = b.id
    auth.login("admin")
    page = client.get(f"/admin/units?parent={b_id}").get_data(as_text=True)
    assert "Văn phòng Sở — Sở Tài chính" in page and "Phòng Kế hoạch —" not in page


def test_units_are_listed_in_vietnamese_dictionary_order(ctx):
    top = make_unit("T", "Tỉnh")
    for code, name in [
        ("U1", "Ủy ban"),
        ("U2", "Uỷ ban nhân dân"),
        ("D1", "Đội thuế"),
        ("D2", "Dân tộc"),
        ("A1", "Ấp Bắc"),
        ("A2", "Ăn uống"),
        ("A3", "An ninh"),
        ("B1", "Bà Rịa"),
        ("B2", "Ba Tri"),
        ("B3", "Bá Tri"),
    ]:
        make_unit(code, name, top)
    names = [u.name for u in units.children_of(top)]
    assert names == [
        "An ninh",
        "Ăn uống",
        "Ấp Bắc",
        "Bà Rịa",  # letters first: "ria" < "tri" whatever the tones
        "Ba Tri",  # then tones: ngang < sắc
        "Bá Tri",
        "Dân tộc",
        "Đội thuế",
        "Ủy ban",
        "Uỷ ban nhân dân",
    ]
    tree = units.tree_order(db.session.query(Unit).all())
    assert tree[0] == top and [u.name for u in tree[1:]] == names


def test_a_merged_units_successor_is_named_with_its_parent(app, client, auth):
    """A unit merged into "Văn phòng Sở" of Sở Tài chính (a name another unit has)
    says which one it went to."""
    with app.app_context():
        a = make_unit("A", "Sở Nội vụ")
        b = make_unit("B", "Sở Tài chính")
        make_unit("A1", "Văn phòng Sở", a)
        b1 = make_unit("B1", "Văn phòng Sở", b)
        old = make_unit("B3", "Phòng Tổng hợp", b)
        units.merge_unit(old, b1)
        db.session.commit()
        make_user("admin", a, roles=[("admin", None)])
        b_id = b.id
    auth.login("admin")
    page = client.get(f"/admin/units?parent={b_id}").get_data(as_text=True)
    assert "Đã sáp nhập vào Văn phòng Sở — Sở Tài chính" in page


def test_the_unit_kinds_are_offered_in_the_readers_language(app, client, auth):
    _setup(app)
    auth.login("admin")
    page = client.get("/admin/units").get_data(as_text=True)
    assert ">Tổ, bộ phận</option>" in page
    client.post("/language", data={"language": "en", "csrf_token": auth.token()})
    page = client.get("/admin/units").get_data(as_text=True)
    assert ">Team / section</option>" in page and "Tổ, bộ phận" not in page
