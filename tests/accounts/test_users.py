import unicodedata

import pytest
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import User
from app.accounts.permissions import get_scoped_user, scoped_users
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from tests.factories import make_tree, make_user


def names(query) -> list[str]:
    return [u.full_name for u in db.session.scalars(query)]


def test_names_are_stored_nfc(ctx):
    tree = make_tree()
    user = make_user(
        "u1", tree["D"], full_name=unicodedata.normalize("NFD", "Trần Thị Ánh")
    )
    assert user.full_name == "Trần Thị Ánh"
    assert unicodedata.is_normalized("NFC", user.full_name)


def test_list_sorts_the_vietnamese_way_in_sql(ctx):
    tree = make_tree()
    for i, name in enumerate(
        ["Phạm Đức", "Võ Thị Ân", "Nguyễn Văn An", "Lê Văn Ánh", "Đỗ Ba"]
    ):
        make_user(f"u{i}", tree["D"], full_name=name, password=None)
    query = services.vietnamese_order(select(User))
    assert names(query) == [
        "Nguyễn Văn An",
        "Lê Văn Ánh",
        "Võ Thị Ân",
        "Đỗ Ba",
        "Phạm Đức",
    ]


def test_search_ignores_diacritics_and_case(ctx):
    tree = make_tree()
    make_user(
        "u1", tree["D"], full_name="Nguyễn Văn An", password=None, employee_code="CB001"
    )
    make_user("u2", tree["D"], full_name="Đặng Thị Đào", password=None)
    make_user("u3", tree["D"], full_name="Nguyễn Thị Bình", password=None)
    assert names(services.search_users(select(User), "nguyen van an")) == [
        "Nguyễn Văn An"
    ]
    assert names(services.search_users(select(User), "DANG THI DAO")) == [
        "Đặng Thị Đào"
    ]
    assert names(services.search_users(select(User), "cb001")) == ["Nguyễn Văn An"]
    assert names(services.search_users(select(User), "100%")) == []
    assert names(services.search_users(select(User), "%")) == []  # not a wildcard
    assert names(services.search_users(select(User), "CB_01")) == []


def test_duplicate_employee_code_and_username_are_refused(ctx):
    tree = make_tree()
    make_user("u1", tree["D"], employee_code="CB001", password=None)
    with pytest.raises(Conflict, match="CB001"):
        make_user("u2", tree["D"], employee_code="CB001", password=None)
    db.session.rollback()
    with pytest.raises(Conflict, match="u1"):
        make_user("u1", tree["D"], password=None)


def test_scoped_roles_need_a_unit_and_roles_are_known(ctx):
    tree = make_tree()
    with pytest.raises(InvalidInput):
        make_user("h", tree["D"], roles=[("hr", None)])
    db.session.rollback()
    with pytest.raises(InvalidInput):
        make_user("h", tree["D"], roles=[("king", None)])


def test_hr_sees_only_its_subtree(ctx):
    tree = make_tree()
    hr = make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    inside = make_user("in", tree["D1A"], password=None)
    outside = make_user("out", tree["C1"], password=None)
    visible = {u.username for u in db.session.scalars(scoped_users(hr))}
    assert visible == {"hr", "in"}
    assert get_scoped_user(hr, inside.id).username == "in"
    with pytest.raises(NotFound):
        get_scoped_user(hr, outside.id)


def test_admin_sees_everyone_and_learner_sees_no_one(ctx):
    tree = make_tree()
    admin = make_user("adm", tree["P"], roles=[("admin", None)])
    learner = make_user("l", tree["C1"])
    assert {u.username for u in db.session.scalars(scoped_users(admin))} == {"adm", "l"}
    assert list(db.session.scalars(scoped_users(learner))) == []


def test_password_rules_and_change(ctx):
    tree = make_tree()
    user = make_user("u1", tree["D"])
    with pytest.raises(InvalidInput):
        services.change_password(user, "wrong", "NewPassw0rd")
    with pytest.raises(InvalidInput):
        services.change_password(user, "Passw0rd!", "short1")
    with pytest.raises(InvalidInput):
        services.change_password(user, "Passw0rd!", "onlyletters")
    version = user.session_version
    services.change_password(user, "Passw0rd!", "NewPassw0rd")
    assert services.authenticate("u1", "NewPassw0rd") == user
    assert user.session_version == version + 1


def test_authenticate_refuses_inactive_and_unknown(ctx):
    tree = make_tree()
    user = make_user("u1", tree["D"])
    assert services.authenticate("nobody", "Passw0rd!") is None
    user.active = False
    db.session.commit()
    assert services.authenticate("u1", "Passw0rd!") is None
