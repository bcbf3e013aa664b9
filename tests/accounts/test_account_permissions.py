"""Who may act on whom: actor role × target's roles × action × in/out of scope.

An HR officer manages only learner accounts inside its subtree; an account holding any
other role is managed by administrators alone (no HR officer can take over an admin's,
a trainer's or another HR officer's account by resetting its password).
"""

import pytest
from sqlalchemy import select

from app.accounts import cadre_import
from app.accounts.models import User
from app.accounts.permissions import can_manage_account
from app.extensions import db
from tests.factories import make_tree, make_user

# Roles a target account may hold, by name in the matrix.
TARGETS = {
    "learner": [("learner", None)],
    "trainer": [("learner", None), ("trainer", "D")],
    "hr": [("learner", None), ("hr", "D1")],
    "admin": [("admin", None)],
    "trainer-only": [("trainer", "D1")],
}
ACTIONS = ("reset-password", "lock", "unlock", "move")


def _post(actor_client, auth, user_id: int, action: str):
    token = auth.token("/password")
    if action == "reset-password":
        return actor_client.post(
            f"/cadres/{user_id}/reset-password",
            data={"csrf_token": token, "confirm": "1"},
        )
    if action == "move":
        data = {"csrf_token": token, "unit_code": "D1A"}
        return actor_client.post(f"/cadres/{user_id}/move", data=data)
    active = "1" if action == "unlock" else "0"
    data = {"csrf_token": token, "active": active}
    return actor_client.post(f"/cadres/{user_id}/active", data=data)


def _state(user_id: int) -> tuple:
    user = db.session.get(User, user_id)
    db.session.refresh(user)
    return (user.password_hash, user.active, user.unit_id, user.must_change_password)


def _make_targets(tree) -> dict[tuple[str, str, str], int]:
    """A fresh account per (target roles, scope, action): D1 is inside the HR
    officer's subtree D, C1 outside."""
    ids = {}
    for kind, roles in TARGETS.items():
        for scope, unit in (("in", "D1"), ("out", "C1")):
            for action in ACTIONS:
                name = f"{kind}-{scope}-{action}"
                user = make_user(
                    name,
                    tree[unit],
                    roles=[(r, tree[u] if u else None) for r, u in roles],
                )
                if action == "unlock":
                    user.active = False
                    db.session.commit()
                ids[kind, scope, action] = user.id
    return ids


def _expected(actor: str, kind: str, scope: str) -> int:
    if actor == "admin":
        return 200
    if actor != "hr":
        return 403  # neither learners nor trainers manage accounts
    if scope == "out":
        return 404  # outside the subtree: not even its existence is told
    return 200 if kind == "learner" else 403


@pytest.mark.parametrize("actor", ["hr", "admin", "trainer", "learner"])
def test_account_actions_matrix(app, client, auth, actor):
    with app.app_context():
        tree = make_tree()
        roles = {
            "hr": [("hr", tree["D"])],
            "admin": [("admin", None)],
            "trainer": [("trainer", tree["D"])],
            "learner": [("learner", None)],
        }[actor]
        make_user("actor", tree["D"], roles=roles)
        ids = _make_targets(tree)
        before = {key: _state(i) for key, i in ids.items()}
    auth.login("actor")
    for (kind, scope, action), user_id in ids.items():
        response = _post(client, auth, user_id, action)
        expected = _expected(actor, kind, scope)
        status = 200 if response.status_code in (200, 302) else response.status_code
        assert status == expected, (actor, kind, scope, action, status)
        with app.app_context():
            after = _state(user_id)
        changed = after != before[kind, scope, action]
        assert changed == (expected == 200), (actor, kind, scope, action)


def test_hr_sees_a_privileged_account_in_scope_but_gets_no_action_forms(
    app, client, auth
):
    with app.app_context():
        tree = make_tree()
        make_user("hr", tree["D"], roles=[("hr", tree["D"])])
        boss = make_user("boss", tree["D1"], roles=[("admin", None)])
        cadre = make_user("cadre", tree["D1"])
        boss_id, cadre_id = boss.id, cadre.id
    auth.login("hr")
    page = client.get(f"/cadres/{boss_id}").get_data(as_text=True)
    assert "chỉ quản trị viên được" in page
    assert f"/cadres/{boss_id}/reset-password" not in page
    assert f"/cadres/{boss_id}/active" not in page
    assert f"/cadres/{boss_id}/move" not in page
    own = client.get(f"/cadres/{cadre_id}").get_data(as_text=True)
    assert f"/cadres/{cadre_id}/reset-password" in own


def test_reset_by_hr_of_an_admin_leaves_the_admin_signing_in_with_its_password(
    app, client, auth
):
    """The attack itself: reset the admin's password, then sign in as the admin."""
    with app.app_context():
        tree = make_tree()
        make_user("hr", tree["D"], roles=[("hr", tree["D"])])
        boss_id = make_user("boss", tree["D1"], roles=[("admin", None)]).id
    auth.login("hr")
    token = auth.token(f"/cadres/{boss_id}")
    response = client.post(
        f"/cadres/{boss_id}/reset-password", data={"csrf_token": token, "confirm": "1"}
    )
    assert response.status_code == 403
    assert "Mật khẩu tạm thời" not in response.get_data(as_text=True)
    auth.logout()
    assert auth.login("boss").status_code == 302  # its own password still works


def test_can_manage_account_rule(ctx):
    tree = make_tree()
    hr = make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    admin = make_user("adm", tree["P"], roles=[("admin", None)])
    learner = make_user("l", tree["D1"])
    learner_out = make_user("lo", tree["C1"])
    other_hr = make_user("hr2", tree["D1"], roles=[("hr", tree["D1"])])
    assert can_manage_account(hr, learner)
    assert not can_manage_account(hr, learner_out)
    assert not can_manage_account(hr, other_hr)
    assert not can_manage_account(hr, admin)
    assert not can_manage_account(hr, hr)  # its own password: /password
    assert can_manage_account(admin, other_hr) and can_manage_account(admin, hr)
    assert not can_manage_account(learner, learner)


def _import(tree, viewer, text: str):
    rows = cadre_import.parse_cadre_file(text.encode("utf-8"), "ds.csv")
    return cadre_import.plan_import(rows, tree["D"], viewer)


def test_hr_import_cannot_change_a_privileged_account(ctx):
    tree = make_tree()
    hr = make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    admin = make_user("adm", tree["P"], roles=[("admin", None)])
    make_user("boss", tree["D1"], roles=[("admin", None)], employee_code="CB9")
    make_user("cadre", tree["D1"], employee_code="CB8")
    text = (
        "employee_code,full_name,unit,email\n"
        "CB9,Nguyễn Văn An,D1A,attacker@example.com\n"
        "CB8,Nguyễn Văn An,D1A,new@example.com\n"
    )
    plan = _import(tree, hr, text)
    assert plan.has_errors
    (problem,) = plan.problems()
    assert problem.startswith("ds.csv:2:") and "chỉ quản trị viên" in problem
    by_admin = _import(tree, admin, text)
    assert not by_admin.has_errors
    assert {r.action for r in by_admin.rows} == {cadre_import.UPDATE}
    unchanged = _import(tree, hr, "employee_code,full_name\nCB9,Nguyễn Văn An\n")
    assert not unchanged.has_errors  # nothing to change is no action on the account
    boss = db.session.scalar(select(User).where(User.employee_code == "CB9"))
    assert boss.email is None and boss.unit_id == tree["D1"].id
