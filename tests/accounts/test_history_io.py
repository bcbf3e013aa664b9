"""Units through time at the edges: the pages (?as_of, dated forms, merge into
several, split, dissolve), the CLI (--effective, --as-of, apply-due) and imports with
an effective day, with their bad inputs."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.accounts import days, history, services, units
from app.accounts.cadre_import import apply_import, parse_cadre_file, plan_import
from app.accounts.models import Assignment, Unit, UnitSuccession, UnitVersion, User
from app.errors import InvalidInput
from app.extensions import db
from tests.factories import PASSWORD

START = date(2019, 1, 1)
JULY = date(2025, 7, 1)


def _setup(app):
    """KG (→ H → X) and AG (→ A1, A2) from 2019; an admin and cadres in X."""
    with app.app_context():
        made = {}
        for code, name, parent, kind in [
            ("KG", "Tỉnh Kiên Giang", None, "province"),
            ("H", "Huyện Hòn Đất", "KG", "district"),
            ("X", "Xã Bình Sơn", "H", "commune"),
            ("AG", "Tỉnh An Giang", None, "province"),
            ("A1", "Sở Nội vụ An Giang", "AG", "department"),
            ("A2", "Sở Tài chính An Giang", "AG", "department"),
        ]:
            made[code] = units.create_unit(
                code, name, kind, made.get(parent), effective=START
            )
        services.create_user(
            "admin",
            "Quản Trị",
            made["AG"],
            password=PASSWORD,
            roles=[services.RoleSpec("admin")],
            must_change_password=False,
            effective=START,
        )
        for username in ("an", "binh"):
            services.create_user(
                username,
                f"Nguyễn Văn {username}",
                made["X"],
                employee_code=username.upper(),
                effective=START,
            )
        db.session.commit()
        return {code: unit.id for code, unit in made.items()}


def _unit(code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def test_units_page_as_of_a_day_shows_that_days_tree(app, client, auth):
    ids = _setup(app)
    with app.app_context():
        units.merge_unit(_unit("KG"), _unit("AG"), effective=JULY)
        db.session.commit()
    auth.login("admin")
    before = client.get("/admin/units?as_of=2025-06-30").get_data(as_text=True)
    assert "Cơ cấu tại ngày 30/06/2025" in before and "Tỉnh Kiên Giang" in before
    first, last = days.day_range()  # the date input takes what the server does
    assert f'min="{first.isoformat()}" max="{last.isoformat()}"' in before
    after = client.get(f"/admin/units?parent={ids['AG']}&as_of=2025-07-01")
    text = after.get_data(as_text=True)
    assert "Cơ cấu tại ngày 01/07/2025" in text and "Huyện Hòn Đất" in text
    old = client.get(f"/admin/units?parent={ids['H']}&as_of=2025-06-30")
    assert "Xã Bình Sơn" in old.get_data(as_text=True)


def test_a_bad_as_of_is_a_message_not_an_error(app, client, auth):
    _setup(app)
    auth.login("admin")
    for bad in ("2025-02-30", "abc", "1800-01-01", "2999-12-31"):
        for url in ("/admin/units", "/cadres"):
            page = client.get(f"{url}?as_of={bad}", follow_redirects=True)
            text = page.get_data(as_text=True)
            assert page.status_code == 200, (url, bad)
            assert "không hợp lệ" in text or "ngoài khoảng" in text


def test_cadres_list_as_of_shows_the_assignment_of_that_day(app, client, auth):
    ids = _setup(app)
    with app.app_context():
        services.move_user(_user("binh"), _unit("A1"), effective=JULY)
        db.session.commit()
    auth.login("admin")
    text = client.get("/cadres?as_of=2025-06-30").get_data(as_text=True)
    assert "Cơ cấu tại ngày 30/06/2025" in text
    assert text.count("Xã Bình Sơn") == 2  # both cadres in X that day
    text = client.get("/cadres?as_of=2025-07-01").get_data(as_text=True)
    assert "Sở Nội vụ An Giang" in text
    with app.app_context():
        person = _user("binh").id
    page = client.get(f"/cadres/{person}").get_data(as_text=True)
    assert "Quá trình công tác" in page and "01/07/2025" in page
    assert ids


def test_rename_form_with_a_future_day_waits(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    later = history.vn_today() + timedelta(days=20)
    token = auth.token(f"/admin/units/{ids['A1']}")
    response = client.post(
        f"/admin/units/{ids['A1']}/rename",
        data={
            "csrf_token": token,
            "name": "Sở Nội vụ (mới)",
            "effective": later.isoformat(),
            "decision": "QĐ 12/QĐ-UBND",
        },
        follow_redirects=True,
    )
    assert "áp dụng vào ngày đó" in response.get_data(as_text=True)
    with app.app_context():
        assert _unit("A1").name == "Sở Nội vụ An Giang"
        last = db.session.scalars(
            select(UnitVersion)
            .where(UnitVersion.unit_id == ids["A1"])
            .order_by(UnitVersion.valid_from.desc())
        ).first()
        assert (last.name, last.valid_from, last.decision) == (
            "Sở Nội vụ (mới)",
            later,
            "QĐ 12/QĐ-UBND",
        )
    page = client.get(f"/admin/units/{ids['A1']}").get_data(as_text=True)
    assert "Các thời kỳ của đơn vị" in page and "QĐ 12/QĐ-UBND" in page


def test_dated_forms_refuse_bad_days(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    token = auth.token(f"/admin/units/{ids['A1']}")
    for day in ("2025-13-40", "1900-01-01", "3000-01-01"):
        for path, data in [
            ("rename", {"name": "Tên mới"}),
            ("recode", {"admin_code": "89"}),
            ("move", {"parent_code": "KG"}),
            ("restructure/merge", {"target_codes": "A2"}),
        ]:
            client.post(
                f"/admin/units/{ids['A1']}/{path}",
                data={"csrf_token": token, "effective": day, **data},
            )
    with app.app_context():
        assert _unit("A1").name == "Sở Nội vụ An Giang" and _unit("A1").active
        assert _unit("A1").parent_id == ids["AG"]
        count = db.session.query(UnitVersion).filter_by(unit_id=ids["A1"]).count()
        assert count == 1


def test_merge_into_several_form_previews_then_acts(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    token = auth.token(f"/admin/units/{ids['X']}")
    data = {
        "csrf_token": token,
        "target_codes": "A1, A2",
        "cadre_map": "BINH; A2",
        "effective": "2025-07-01",
        "decision": "NQ 1",
    }
    preview = client.post(f"/admin/units/{ids['X']}/restructure/merge", data=data)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'name="confirm" value="1"' in text
    assert "Nguyễn Văn binh → A2" in text and "Nguyễn Văn an → A1" in text
    with app.app_context():
        assert _unit("X").active  # the preview changed nothing
    client.post(
        f"/admin/units/{ids['X']}/restructure/merge", data=data | {"confirm": "1"}
    )
    with app.app_context():
        assert not _unit("X").active and _unit("X").successor_id == ids["A1"]
        assert _user("an").unit_id == ids["A1"] and _user("binh").unit_id == ids["A2"]
        assert db.session.query(UnitSuccession).count() == 2


def test_restructure_forms_bad_inputs_change_nothing(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    token = auth.token(f"/admin/units/{ids['X']}")
    cases = [
        ("merge", {"target_codes": ""}, "Mã các đơn vị tiếp nhận"),
        ("merge", {"target_codes": "NOPE"}, "NOPE"),
        ("merge", {"target_codes": "X"}, "chính nó"),
        ("merge", {"target_codes": "A1, A1"}, "hai lần"),
        ("merge", {"target_codes": "A1", "cadre_map": "AN"}, "Dòng 1"),
        ("merge", {"target_codes": "A1", "cadre_map": "AN; A2"}, "không phải"),
        ("merge", {"target_codes": "A1", "cadre_map": "ZZ; A1"}, "không có cán bộ"),
        ("split", {"target_codes": "A1"}, "ít nhất hai"),
        ("dissolve", {}, "còn 2 cán bộ"),
        ("other", {}, ""),
    ]
    for kind, data, message in cases:
        page = client.post(
            f"/admin/units/{ids['X']}/restructure/{kind}",
            data={"csrf_token": token, **data},
            follow_redirects=True,
        )
        assert message in page.get_data(as_text=True), (kind, data)
    with app.app_context():
        assert _unit("X").active and db.session.query(UnitSuccession).count() == 0


def test_dissolve_form_confirms_then_ends_the_unit(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    token = auth.token(f"/admin/units/{ids['A2']}")
    url = f"/admin/units/{ids['A2']}/restructure/dissolve"
    page = client.post(url, data={"csrf_token": token, "effective": "2025-07-01"})
    assert "Giải thể" in page.get_data(as_text=True)
    client.post(
        url, data={"csrf_token": token, "effective": "2025-07-01", "confirm": "1"}
    )
    with app.app_context():
        assert not _unit("A2").active and _unit("A2").successor_id is None


def test_cli_dated_changes_tree_list_and_apply_due(app, runner):
    _setup(app)
    later = (history.vn_today() + timedelta(days=5)).isoformat()
    ok = runner.invoke(
        args=["units", "merge", "KG", "--into", "AG", "--effective", "2025-07-01"]
    )
    assert ok.exit_code == 0, ok.output
    tree = runner.invoke(args=["units", "tree", "--as-of", "2025-06-30"])
    assert (
        "Tỉnh Kiên Giang" in tree.output and "Cơ cấu tại ngày 30/06/2025" in tree.output
    )
    assert "Tỉnh Kiên Giang" not in runner.invoke(args=["units", "tree"]).output
    for day in ("2018-12-31", "2025-07-01"):  # before it was created, after it ended
        gone = runner.invoke(args=["units", "tree", "--root", "KG", "--as-of", day])
        assert gone.exit_code != 0 and "không có trong cơ cấu vào ngày" in gone.output
    listed = runner.invoke(
        args=["cadres", "list", "--unit", "KG", "--as-of", "2025-06-30"]
    )
    assert "Cán bộ tại ngày 30/06/2025: 2" in listed.output
    moved = runner.invoke(
        args=["users", "move", "an", "--unit", "A1", "--effective", later]
    )
    assert moved.exit_code == 0 and "apply-due" in moved.output
    due = runner.invoke(args=["units", "apply-due"])
    assert due.exit_code == 0 and "0 cán bộ chuyển" in due.output
    for args in (
        ["units", "tree", "--as-of", "30/02/2025"],
        ["units", "rename", "A1", "Tên", "--effective", "2999-01-01"],
        ["cadres", "list", "--unit", "KG", "--as-of", "nope"],
        ["units", "dissolve", "X"],
        ["units", "split", "A1", "--into", "A2"],
        ["units", "rename", "A1", "Tên", "--effective", "2018-01-01"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args


def test_units_import_with_an_effective_day(app, runner, tmp_path):
    _setup(app)
    path = tmp_path / "units.csv"
    path.write_text(
        "code,name,parent code,kind\nA3,Sở Khoa học và Công nghệ,AG,department\n"
        "A1,Sở Nội vụ tỉnh An Giang,AG,department\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        args=["units", "import", str(path), "--effective", "2025-07-01"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert history.unit_as_of(_unit("A3").id, date(2025, 6, 30)) is None
        assert history.unit_as_of(_unit("A3").id, JULY).name.startswith("Sở Khoa")
        assert history.unit_as_of(_unit("A1").id, date(2025, 6, 30)).name == (
            "Sở Nội vụ An Giang"
        )
    for bad in ("2025-02-30", "2999-01-01"):
        result = runner.invoke(args=["units", "import", str(path), "--effective", bad])
        assert result.exit_code != 0 and "--effective" in result.output


def test_cadre_import_with_an_effective_day_writes_assignments(app):
    _setup(app)
    with app.app_context():
        data = (
            "Mã cán bộ,Họ và tên,Mã đơn vị,Chức vụ\n"
            "AN,Nguyễn Văn an,A1,Chuyên viên\n"
            "CUONG,Trần Văn Cường,A1,\n"
        ).encode()
        rows = parse_cadre_file(data, "list.csv")
        plan = plan_import(rows, _unit("AG"), None, effective=JULY)
        assert not plan.has_errors, plan.problems()
        apply_import(plan, None)
        db.session.commit()
        an, cuong = _user("an"), _user("cuong")
        assert an.unit_id == _unit("A1").id and an.position == "Chuyên viên"
        history_of_an = db.session.scalars(
            select(Assignment)
            .where(Assignment.user_id == an.id)
            .order_by(Assignment.valid_from)
        ).all()
        assert [(a.valid_from, a.valid_to) for a in history_of_an] == [
            (START, JULY),
            (JULY, None),
        ]
        (new,) = db.session.scalars(
            select(Assignment).where(Assignment.user_id == cuong.id)
        ).all()
        assert (new.valid_from, new.unit_id) == (JULY, _unit("A1").id)
        moving = parse_cadre_file(
            "Mã cán bộ,Họ và tên,Mã đơn vị\nAN,Nguyễn Văn an,A2\n".encode(), "b.csv"
        )
        earlier = plan_import(moving, _unit("AG"), None, effective=date(2024, 1, 1))
        assert any("đã có thay đổi công tác" in p for p in earlier.problems())
        future = history.vn_today() + timedelta(days=3)
        ahead = plan_import(
            parse_cadre_file(
                "Mã cán bộ,Họ và tên\nMOI,Lê Thị Mới\n".encode(),
                "x.csv",
            ),
            _unit("AG"),
            None,
            effective=future,
        )
        assert any("ngày tương lai" in p for p in ahead.problems())
        gone = plan_import(moving, _unit("AG"), None, effective=date(2018, 1, 1))
        assert any("không tồn tại vào ngày" in p for p in gone.problems())


def test_cadre_upload_form_refuses_a_bad_day(app, client, auth):
    ids = _setup(app)
    auth.login("admin")
    token = auth.token("/cadres/import")
    for bad, status in (("2999-01-01", 400), ("31/02/2025", 200)):
        page = client.post(
            "/cadres/import",
            data={
                "csrf_token": token,
                "unit": str(ids["AG"]),
                "effective": bad,
                "file": (
                    __import__("io").BytesIO("Mã cán bộ,Họ và tên\nAN,An\n".encode()),
                    "a.csv",
                ),
            },
            content_type="multipart/form-data",
        )
        assert page.status_code == status, bad
        with app.app_context():
            assert _user("an").full_name == "Nguyễn Văn an"


def test_hr_sees_a_past_day_through_todays_successors(app, client, auth):
    ids = _setup(app)
    with app.app_context():
        units.merge_unit(_unit("KG"), _unit("AG"), effective=JULY)
        for username, scope in (("hr_ag", "AG"), ("hr_a1", "A1")):
            services.create_user(
                username,
                f"Cán bộ {username}",
                _unit(scope),
                password=PASSWORD,
                roles=[services.RoleSpec("hr", _unit(scope))],
                must_change_password=False,
                effective=START,
            )
        db.session.commit()
    auth.login("hr_ag")
    text = client.get("/cadres?as_of=2025-06-30").get_data(as_text=True)
    assert "Nguyễn Văn an" in text and "Xã Bình Sơn" in text  # former Kiên Giang
    auth.logout()
    auth.login("hr_a1")
    text = client.get("/cadres?as_of=2025-06-30").get_data(as_text=True)
    assert "Nguyễn Văn an" not in text and "Cán bộ hr_a1" in text
    assert ids


def test_moving_to_the_top_level_is_a_choice_not_an_empty_field(app, client, auth):
    """An empty parent code alone moves nothing (a slip of the button would lift
    the unit and its whole subtree); ticking 'top level' does; both is refused."""
    ids = _setup(app)
    auth.login("admin")
    token = auth.token(f"/admin/units/{ids['A1']}")
    url = f"/admin/units/{ids['A1']}/move"
    page = client.post(
        url, data={"csrf_token": token, "parent_code": ""}, follow_redirects=True
    ).get_data(as_text=True)
    assert "hoặc chọn đưa lên cấp cao nhất" in page
    both = {"csrf_token": token, "parent_code": "KG", "to_top": "y"}
    client.post(url, data=both)
    with app.app_context():
        assert _unit("A1").parent_id == ids["AG"]
    client.post(url, data={"csrf_token": token, "to_top": "y"})
    with app.app_context():
        assert _unit("A1").parent_id is None
    client.post(url, data={"csrf_token": token, "parent_code": "KG"})
    with app.app_context():
        assert _unit("A1").parent_id == ids["KG"]


def test_cli_move_needs_a_parent_or_top(app, runner):
    ids = _setup(app)
    for args in (
        ["units", "move", "A1"],
        ["units", "move", "A1", "--parent", "KG", "--top"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "--top" in result.output, args
    with app.app_context():
        assert _unit("A1").parent_id == ids["AG"]
    assert runner.invoke(args=["units", "move", "A1", "--top"]).exit_code == 0
    with app.app_context():
        assert _unit("A1").parent_id is None


def test_a_cadre_import_dated_ahead_may_move_cadres_into_a_unit_created_ahead(app):
    """A unit recorded today to be created on a coming day (inactive until then):
    an import taking effect from that day moves cadres into it; one dated before it
    exists, or today, is refused with the day it does not exist."""
    _setup(app)
    with app.app_context():
        opening = history.vn_today() + timedelta(days=10)
        units.create_unit(
            "A4", "Phòng Pháp chế", "office", _unit("A1"), effective=opening
        )
        db.session.commit()
        rows = parse_cadre_file(
            "Mã cán bộ,Họ và tên,Mã đơn vị\nAN,Nguyễn Văn an,A4\n".encode(), "l.csv"
        )
        plan = plan_import(rows, _unit("AG"), None, effective=opening)
        assert not plan.has_errors, plan.problems()
        apply_import(plan, None)
        db.session.commit()
        moved = db.session.scalar(
            select(Assignment).where(
                Assignment.user_id == _user("an").id, Assignment.valid_from == opening
            )
        )
        assert moved is not None and moved.unit_id == _unit("A4").id
        assert _user("an").unit_id == _unit("X").id  # until that day
        early = opening - timedelta(days=1)
        refused = plan_import(rows, _unit("AG"), None, effective=early).problems()
        assert any("không tồn tại vào ngày" in p for p in refused), refused
        today = plan_import(rows, _unit("AG"), None).problems()
        assert today, "a unit not in force today is refused for today"
        # Not "merged": it has no successor; it is not yet created.
        assert not any("sáp nhập" in p for p in today), today
        assert any("chưa đến ngày thành lập" in p for p in today), today


def test_a_merge_dated_ahead_may_go_into_a_unit_created_ahead(app):
    """The one-target merge (its page and merge_unit) as the restructure form: a
    unit created from a coming day takes a merger from that day, not before."""
    _setup(app)
    with app.app_context():
        opening = history.vn_today() + timedelta(days=10)
        units.create_unit("A5", "Sở mới", "department", _unit("AG"), effective=opening)
        early = opening - timedelta(days=1)
        with pytest.raises(InvalidInput, match="không tồn tại vào ngày"):
            units.merge_preview(_unit("A2"), _unit("A5"), effective=early)
        preview = units.merge_preview(_unit("A2"), _unit("A5"), effective=opening)
        assert preview.target.code == "A5"
        units.merge_unit(_unit("A2"), _unit("A5"), effective=opening)
        db.session.commit()
        (line,) = db.session.scalars(
            select(UnitSuccession).where(
                UnitSuccession.predecessor_id == _unit("A2").id
            )
        ).all()
        assert (line.successor_id, line.valid_from) == (_unit("A5").id, opening)
        assert _unit("A2").active  # until that day


def test_the_cli_merges_ahead_into_a_unit_created_ahead(app, runner):
    _setup(app)
    opening = (history.vn_today() + timedelta(days=10)).isoformat()
    with app.app_context():
        units.create_unit(
            "A5",
            "Sở mới",
            "department",
            _unit("AG"),
            effective=date.fromisoformat(opening),
        )
        db.session.commit()
    merge = ["units", "merge", "A2", "--into", "A5", "--effective", opening]
    result = runner.invoke(args=merge)
    assert result.exit_code == 0, result.output


def test_the_cadres_of_one_unit_as_of_a_day(app, client, auth):
    """`/cadres?as_of=…&unit=CODE`: a unit's cadres on a day, the unit of that
    day named; a unit outside the officer's scope through time, or no unit at all,
    is answered alike (404), and the units page of a day links its counts here."""
    _setup(app)
    with app.app_context():
        units.merge_unit(_unit("KG"), _unit("AG"), effective=JULY)
        for username, scope in (("hr_ag", "AG"), ("hr_a1", "A1")):
            services.create_user(
                username,
                f"Cán bộ {username}",
                _unit(scope),
                password=PASSWORD,
                roles=[services.RoleSpec("hr", _unit(scope))],
                must_change_password=False,
                effective=START,
            )
        db.session.commit()
    auth.login("hr_ag")
    page = client.get("/cadres?as_of=2025-06-30&unit=H").get_data(as_text=True)
    assert "Huyện Hòn Đất (H)" in page and page.count("Xã Bình Sơn") == 2
    assert "2 người" in page and 'name="unit" value="H"' in page
    empty = client.get("/cadres?as_of=2025-06-30&unit=A2").get_data(as_text=True)
    assert "Nguyễn Văn an" not in empty
    auth.logout()
    auth.login("hr_a1")
    for code in ("H", "NOPE"):
        refused = client.get(f"/cadres?as_of=2025-06-30&unit={code}")
        assert refused.status_code == 404, code
        assert "trong phạm vi của bạn" in refused.get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    tree = client.get("/admin/units?as_of=2025-06-30").get_data(as_text=True)
    assert "/cadres?as_of=2025-06-30&amp;unit=KG" in tree


def test_cli_users_move_may_change_only_the_position(app, runner):
    _setup(app)
    assert runner.invoke(args=["users", "move", "an"]).exit_code != 0
    later = (history.vn_today() + timedelta(days=3)).isoformat()
    result = runner.invoke(
        args=["users", "move", "an", "--position", "Phó Chủ tịch", "--effective", later]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        row = db.session.scalar(
            select(Assignment)
            .where(Assignment.user_id == _user("an").id)
            .order_by(Assignment.valid_from.desc())
        )
        assert (row.position, row.unit_id) == ("Phó Chủ tịch", _unit("X").id)
