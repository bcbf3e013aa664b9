"""The /rewards pages: scope, nominating and withdrawing through forms, every form's
bad input, the exports' content, the printable list and `flask rewards …`."""

import io
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import select

from app.accounts import units
from app.accounts.days import vn_today
from app.accounts.models import Unit, User
from app.audit.models import AuditEvent
from app.extensions import db
from app.rewards.models import Nomination, RewardPeriod, RewardRule
from tests.factories import make_tree, make_user

from .helpers import cadres, make_campaign, perfect

STATED_TODAY = (
    f"Số liệu tại ngày {vn_today():%d/%m/%Y}; ghi nhận theo đơn vị tại thời điểm "
    "hoàn thành."
)


@pytest.fixture
def data(app):
    with app.app_context():
        tree = make_tree()
        units.rename_unit(tree["P"], "Ủy ban nhân dân tỉnh An Giang")
        campaign = make_campaign(2026, tree["P"])
        old = make_campaign(2025, tree["P"])
        d0, d1 = cadres("d", tree["D1"], 2)
        d0.position = "Chuyên viên"
        [c0] = cadres("c", tree["C1"], 1)
        for user in (d0, d1, c0):
            perfect(campaign, user)
            perfect(old, user)
        db.session.commit()
        make_user("hrp", tree["P"], roles=[("hr", tree["P"])])
        make_user("hrd", tree["D"], roles=[("hr", tree["D"])])
        make_user("hrc", tree["C"], roles=[("hr", tree["C"])])
        make_user("adm", tree["P"], roles=[("admin", None)])
        return {code: unit.id for code, unit in tree.items()} | {
            "d0": d0.id,
            "c0": c0.id,
        }


def _nominate(client, auth, data, who="d0", unit="D1", note="Rất gương mẫu", **extra):
    form = {
        "csrf_token": auth.token("/rewards"),
        "kind": "person",
        "unit_id": data[unit],
        "user_id": data[who],
        "achievement": "Đạt 100 %",
        "note": note,
        **extra,
    }
    return client.post("/rewards/campaigns/C2026/nominate", data=form)


def _nominations(app):
    with app.app_context():
        return db.session.scalars(select(Nomination)).all()


def test_department_page_shows_its_candidates_only(client, auth, data):
    auth.login("hrd")
    page = client.get("/rewards/campaigns/C2026").get_data(as_text=True)
    assert "Cán Bộ D 0" in page and "Phòng Công chức" in page
    assert "Cán Bộ C 0" not in page and "Văn phòng xã" not in page
    assert client.get(f"/rewards/campaigns/C2026?unit={data['C']}").status_code == 404
    assert client.get("/rewards/campaigns/NOPE").status_code == 404
    assert client.get("/rewards/campaigns/C2026?unit=999999").status_code == 404
    index = client.get("/rewards").get_data(as_text=True)
    assert "C2026" in index and "Tiêu chí" not in index  # not the province


def test_nominations_go_up_and_never_sideways(app, client, auth, data):
    auth.login("hrd")
    assert _nominate(client, auth, data).status_code == 302
    [nomination] = _nominations(app)
    assert nomination.note == "Rất gương mẫu"
    auth.logout()
    auth.login("hrc")
    page = client.get("/rewards/campaigns/C2026").get_data(as_text=True)
    assert "Rất gương mẫu" not in page
    token = auth.token("/rewards")
    url = f"/rewards/nominations/{nomination.id}/withdraw"
    assert (
        client.post(url, data={"csrf_token": token, "reason": "x"}).status_code == 404
    )
    # ... nor through a forged form for another's cadre
    _nominate(client, auth, data)
    assert len(_nominations(app)) == 1
    auth.logout()
    auth.login("hrp")
    page = client.get("/rewards/campaigns/C2026").get_data(as_text=True)
    assert "Rất gương mẫu" in page and "Sở Nội vụ" in page
    token = auth.token("/rewards")
    assert client.post(url, data={"csrf_token": token, "reason": ""}).status_code == 302
    assert _nominations(app)[0].withdrawn_at is None  # no reason, no withdrawal
    client.post(url, data={"csrf_token": token, "reason": "Trùng đề nghị"})
    assert _nominations(app)[0].withdraw_reason == "Trùng đề nghị"


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "everyone"},
        {"unit_id": ""},
        {"unit_id": "abc"},
        {"user_id": "-3"},
        {"note": "x" * 1001},
        {"achievement": "x" * 1001},
        {"csrf_token": ""},
        {"unit_id": "999999"},
        {"unit_id": str(2**63)},  # past the database's integers: refused, not a 500
        {"user_id": str(2**63)},
        {"user_id": str(2**31)},
    ],
)
def test_nominate_rejects_bad_input(app, client, auth, data, bad):
    auth.login("hrd")
    response = _nominate(client, auth, data, **bad)
    assert response.status_code in (302, 400)
    assert _nominations(app) == []


def test_rule_form_for_the_province_only_with_bounds(app, client, auth, data):
    auth.login("hrd")
    assert client.get("/rewards/campaigns/C2026/rule").status_code == 403
    auth.logout()
    auth.login("hrp")
    token = auth.token("/rewards/campaigns/C2026/rule")
    good = {
        "csrf_token": token,
        "unit_completion_percent": "90",
        "unit_pass_percent": "80",
        "unit_min_cadres": "5",
        "person_first_percent": "95",
    }
    for field, value in [
        ("unit_completion_percent", "101"),
        ("unit_pass_percent", "-1"),
        ("unit_min_cadres", "abc"),
        ("unit_min_cadres", "100001"),
        ("person_first_percent", ""),
        ("csrf_token", "forged"),
    ]:
        response = client.post(
            "/rewards/campaigns/C2026/rule", data={**good, field: value}
        )
        assert response.status_code == 400, (field, value)
    with app.app_context():
        assert db.session.scalars(select(RewardRule)).all() == []
    response = client.post("/rewards/campaigns/C2026/rule", data=good)
    assert response.status_code == 302
    with app.app_context():
        rule = db.session.scalar(select(RewardRule))
        assert (rule.unit_completion_percent, rule.unit_min_cadres) == (90, 5)
    page = client.get("/rewards/campaigns/C2026").get_data(as_text=True)
    assert "hoàn thành từ 90\u00a0% và đạt từ 80\u00a0% số cán bộ" in page
    assert "lần làm bài đầu tiên đạt từ 95\u00a0% điểm." in page

    token = auth.token("/rewards/campaigns/C2026")
    client.post("/language", data={"language": "en", "csrf_token": token})
    page = client.get("/rewards/campaigns/C2026").get_data(as_text=True)
    assert "at least 90% of cadres completed and at least 80% passed" in page
    assert "scored at least 95% on their first attempt." in page
    assert "%%" not in page and "90\u00a0%" not in page


def test_period_form_bounds_and_save(app, client, auth, data):
    auth.login("adm")
    token = auth.token("/rewards/periods/new")
    good = {
        "csrf_token": token,
        "code": "SK",
        "title": "Sơ kết",
        "kind": "so_ket",
        "campaigns": ["C2025", "C2026"],
        "min_campaigns": "2",
    }
    for field, value in [
        ("code", "có dấu"),
        ("code", ""),
        ("title", "x" * 256),
        ("kind", "weekly"),
        ("campaigns", []),
        ("campaigns", ["C1999"]),
        ("min_campaigns", "0"),
        ("min_campaigns", "3"),  # more than the campaigns chosen
    ]:
        response = client.post("/rewards/periods/new", data={**good, field: value})
        assert response.status_code == 400, (field, value)
    with app.app_context():
        assert db.session.scalars(select(RewardPeriod)).all() == []
    assert client.post("/rewards/periods/new", data=good).status_code == 302
    page = client.get("/rewards/periods/SK").get_data(as_text=True)
    assert "Cán Bộ D 0" in page and "2025, 2026" in page
    client.post("/language", data={"language": "en", "csrf_token": token})
    english = client.get("/rewards/periods/new").get_data(as_text=True)
    assert "Hằng năm" not in english and "Tổng kết" not in english
    one = dict(good, code="SK1", min_campaigns="1")
    assert client.post("/rewards/periods/new", data=one).status_code == 302
    page = client.get("/rewards/periods/SK1").get_data(as_text=True)
    assert "at least 1 campaign." in page


def test_exports_and_printable_list(app, client, auth, data):
    auth.login("hrd")
    _nominate(client, auth, data, note="Tiêu biểu")
    response = client.get("/rewards/campaigns/C2026/candidates.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    people = [row for row in book["Cá nhân"].iter_rows(values_only=True)]
    assert people[0][0] == STATED_TODAY  # each sheet's first line
    assert book["Tập thể"]["A1"].value == STATED_TODAY
    assert people[1][:3] == ("STT", "Mã cán bộ", "Họ và tên")
    assert {row[2] for row in people[2:]} == {"Cán Bộ D 0", "Cán Bộ D 1"}
    units = [row[1] for row in book["Tập thể"].iter_rows(min_row=3, values_only=True)]
    assert units == ["D", "D1"]
    response = client.get("/rewards/campaigns/C2026/nominations.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][2:5] == ("Cán Bộ D 0", "Chuyên viên", "Phòng Công chức")
    assert rows[1][6] == "Tiêu biểu" and rows[1][7] == "Sở Nội vụ"
    page = client.get(f"/rewards/campaigns/C2026/paper?unit={data['D']}")
    text = page.get_data(as_text=True)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in text
    assert "ỦY BAN NHÂN DÂN TỈNH AN GIANG" in text and "SỞ NỘI VỤ" in text
    assert "An Giang, ngày" in text and "Số: ……/DS-……" in text
    assert "Cán Bộ D 0" in text and "Chuyên viên" in text and "THỦ TRƯỞNG" in text
    assert "nonce-" in page.headers["Content-Security-Policy"]
    with app.app_context():
        kinds = [
            e.detail["kind"]
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "reward.exported")
            )
        ]
    assert sorted(kinds) == ["candidates.xlsx", "nominations.xlsx"]


def test_cli_candidates_and_export(app, runner, data, tmp_path):
    result = runner.invoke(
        args=["rewards", "candidates", "--campaign", "C2026", "--unit", "D"]
    )
    assert result.exit_code == 0, result.output
    assert "Cán Bộ D 0" in result.output and "Cán Bộ C 0" not in result.output
    assert "Tập thể (2)" in result.output
    bad = runner.invoke(args=["rewards", "candidates", "--campaign", "NOPE"])
    assert bad.exit_code != 0 and "NOPE" in bad.output
    both = runner.invoke(args=["rewards", "candidates"])
    assert both.exit_code != 0
    out = tmp_path / "ds.xlsx"
    result = runner.invoke(
        args=[
            "rewards",
            "export",
            "--campaign",
            "C2026",
            "--what",
            "candidates",
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Tập thể", "Cá nhân"]
    paper = tmp_path / "ds.html"
    result = runner.invoke(
        args=[
            "rewards",
            "export",
            "--campaign",
            "C2026",
            "--what",
            "paper",
            "-o",
            str(paper),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in paper.read_text(encoding="utf-8")


def test_the_paper_numbers_only_the_sections_it_has(client, auth, data):
    auth.login("hrd")
    _nominate(client, auth, data)
    text = client.get("/rewards/campaigns/C2026/paper").get_data(as_text=True)
    assert "I. CÁ NHÂN (1)" in text and "TẬP THỂ" not in text


def test_a_cadre_nominated_from_above_shows_as_nominated_below(client, auth, data):
    auth.login("hrp")
    _nominate(client, auth, data)
    auth.logout()
    auth.login("hrd")
    page = client.get("/rewards/campaigns/C2026").get_data(as_text=True)
    assert "Đã đề nghị" in page
    assert "Rất gương mẫu" not in page  # the province's nomination itself: not shown


def test_cli_period_then_its_candidates(app, runner, client, auth, data):
    args = ["rewards", "period", "TK", "--title", "Tổng kết", "--kind", "tong_ket"]
    bad = runner.invoke(args=[*args, "--campaign", "C2026", "--min", "2"])
    assert bad.exit_code != 0 and "tối thiểu" in bad.output
    unknown = runner.invoke(args=[*args, "--campaign", "NOPE"])
    assert unknown.exit_code != 0 and "NOPE" in unknown.output
    result = runner.invoke(
        args=[*args, "--campaign", "C2025", "--campaign", "C2026", "--min", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "Đã lưu đợt xét TK: Tổng kết (2025–2026)." in result.output  # said once
    listed = runner.invoke(args=["rewards", "candidates", "--period", "TK"])
    assert listed.exit_code == 0, listed.output
    assert "Cán Bộ C 0" in listed.output and "2 năm (2025, 2026)" in listed.output
    auth.login("hrd")  # the list of campaigns and periods names it once too
    index = client.get("/rewards").get_data(as_text=True)
    assert "Tổng kết (2025–2026)</a>" in index and "Tổng kết: Tổng kết" not in index


def test_another_province_may_not_set_this_campaigns_rule(app, client, auth, data):
    """An HR officer of another root unit (another province on the same platform)
    does not see this province's campaign, so cannot set its rule either."""
    from tests.factories import make_unit

    with app.app_context():
        other = make_unit("Q", "Tỉnh Khác", kind="province")
        make_user("hrq", other, roles=[("hr", other)])
    auth.login("hrq")
    assert client.get("/rewards/campaigns/C2026/rule").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(RewardRule)) is None


def test_files_name_a_repeated_unit_with_its_parent_and_give_its_code(
    app, client, runner, auth, data
):
    """D1 and a unit of C are both "Văn phòng": the workbooks (campaign and period,
    with a "Mã đơn vị" column on the individuals' sheets) and the printed paper
    write "Văn phòng — Sở Nội vụ"."""
    from tests.factories import make_unit

    with app.app_context():
        from app.accounts import units
        from app.accounts.models import Unit

        # renamed as of today: a list of today names it so (its version of today)
        units.rename_unit(db.session.get(Unit, data["D1"]), "Văn phòng")
        make_unit("C9", "Văn phòng", db.session.get(Unit, data["C"]))
    shown = "Văn phòng — Sở Nội vụ"
    auth.login("hrd")
    _nominate(client, auth, data)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/rewards/campaigns/C2026/candidates.xlsx").get_data())
    )
    people = list(book["Cá nhân"].iter_rows(min_row=2, values_only=True))
    assert people[0][4:6] == ("Mã đơn vị", "Đơn vị")
    assert {row[4:6] for row in people[1:]} == {("D1", shown)}
    units = list(book["Tập thể"].iter_rows(min_row=3, values_only=True))
    assert ("D1", shown) in {row[1:3] for row in units}
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get("/rewards/campaigns/C2026/nominations.xlsx").get_data())
    ).active
    assert list(sheet.iter_rows(values_only=True))[1][4] == shown
    paper = client.get(f"/rewards/campaigns/C2026/paper?unit={data['D']}")
    assert f"<td>{shown}</td>" in paper.get_data(as_text=True)
    args = ["rewards", "period", "TK", "--title", "Tổng kết", "--kind", "tong_ket"]
    made = runner.invoke(args=[*args, "--campaign", "C2025", "--campaign", "C2026"])
    assert made.exit_code == 0, made.output
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/rewards/periods/TK/candidates.xlsx").get_data())
    )
    people = list(book["Cá nhân"].iter_rows(min_row=2, values_only=True))
    assert people[0][4:6] == ("Mã đơn vị", "Đơn vị")
    assert {row[4:6] for row in people[1:]} == {("D1", shown)}


def test_no_reward_workbook_turns_a_hostile_name_into_a_formula(
    app, client, auth, data
):
    """Names, notes and titles typed as formulas stay text in the candidates and
    nominations workbooks (as in the records' and the annual report's)."""
    from app.accounts.models import User
    from tests.reports.test_exports import HOSTILE, _no_formula_cells

    with app.app_context():
        db.session.scalar(
            select(User).where(User.username == "d0")
        ).full_name = HOSTILE[0]
        db.session.commit()
    auth.login("hrd")
    _nominate(client, auth, data, note=HOSTILE[1])
    texts = []
    for kind in ("candidates", "nominations"):
        response = client.get(f"/rewards/campaigns/C2026/{kind}.xlsx")
        assert response.status_code == 200
        texts += _no_formula_cells(response.get_data())
    assert HOSTILE[0] in texts and HOSTILE[1] in texts


def test_a_large_candidates_workbook_is_made_by_a_job_in_the_officers_scope(
    app, client, auth, data
):
    """Past EXPORT_JOB_ROWS rows the workbook is a background job: its page, then
    the same workbook to download; the job keeps the page's scope — an officer
    moved out of the unit loses the file, another officer never gets it."""
    from app.accounts.models import RoleAssignment
    from app.jobs.models import Job

    app.config["EXPORT_JOB_ROWS"] = 0
    auth.login("hrd")
    response = client.get(f"/rewards/campaigns/C2026/candidates.xlsx?unit={data['D']}")
    assert response.status_code == 302 and "/jobs/" in response.location
    job_id = response.location.rsplit("/", 1)[1]
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.kind == "rewards.candidates_xlsx" and job.state == "finished"
        assert job.params == {
            "kind": "campaigns",
            "code": "C2026",
            "unit": data["D"],
            "as_of": vn_today().isoformat(),
            "attribution": "at_time",
        }
    with app.app_context():
        unit_name = db.session.get(Unit, data["D"]).name
    # the unit's name tells this list from the lists of other units
    listing = client.get("/jobs/").get_data(as_text=True)
    assert f"Ứng viên khen thưởng C2026 — {unit_name} (XLSX)" in listing
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert f"C2026 - {unit_name}.xlsx" in unquote(
        download.headers["Content-Disposition"]
    )
    book = openpyxl.load_workbook(io.BytesIO(download.get_data()))
    people = list(book["Cá nhân"].iter_rows(min_row=3, values_only=True))
    assert {row[2] for row in people} == {"Cán Bộ D 0", "Cán Bộ D 1"}
    # Under the threshold it is the same workbook, at once.
    app.config["EXPORT_JOB_ROWS"] = 100
    at_once = client.get(f"/rewards/campaigns/C2026/candidates.xlsx?unit={data['D']}")
    assert at_once.status_code == 200 and at_once.get_data()[:2] == b"PK"
    # Another site's page cannot start one in the officer's name.
    crossed = client.get(
        "/rewards/campaigns/C2026/candidates.xlsx",
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert crossed.status_code == 403
    # A unit outside the scope is refused before any job.
    outside = client.get(f"/rewards/campaigns/C2026/candidates.xlsx?unit={data['C']}")
    assert outside.status_code == 404
    auth.logout()
    auth.login("hrc")
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
    auth.logout()
    with app.app_context():  # hrd moved to C: D's list is no longer theirs
        role = db.session.scalar(
            select(RoleAssignment).where(
                RoleAssignment.user_id
                == select(User.id).where(User.username == "hrd").scalar_subquery()
            )
        )
        role.unit_id = data["C"]
        db.session.commit()
    auth.login("hrd")
    assert client.get(f"/jobs/{job_id}/download").status_code == 404


def test_a_candidates_job_rechecks_the_scope_when_it_runs(app, data):
    """A job whose unit has left its owner's scope by the time it runs fails with
    the page's reason and writes no file."""
    from app.jobs import services as jobs
    from app.jobs.models import Job

    with app.app_context():
        owner = db.session.scalar(select(User).where(User.username == "hrd"))
        job = jobs.submit(
            "rewards.candidates_xlsx",
            "Ứng viên",
            owner.id,
            {"kind": "campaigns", "code": "C2026", "unit": data["C"]},
        )
        job = db.session.get(Job, job.id)
        assert job.state == "failed" and "phạm vi" in job.message
        assert job.result_file is None


def test_a_forged_nomination_is_refused_in_vietnamese_words(app, client, auth, data):
    """The hidden fields had no labels: the refusal spoke of 'Kind', 'Unit Id' and
    listed the codes 'unit, person'."""
    auth.login("hrd")
    form = {"csrf_token": auth.token("/rewards"), "kind": "x", "user_id": "x"}
    client.post("/rewards/campaigns/C2026/nominate", data=form)
    with client.session_transaction() as session:
        [(_category, message)] = session["_flashes"]
    assert message.startswith("Đề nghị không hợp lệ: Loại đề nghị: ")
    assert "Đơn vị được đề nghị: " in message and "Cán bộ được đề nghị: " in message
    for english in ("Kind", "Unit", "User", "unit", "person"):
        assert english not in message
    assert _nominations(app) == []


def test_a_candidates_job_of_the_whole_scope_is_not_kept_by_an_officer_moved_out(
    app, client, auth, data
):
    """Without ?unit= the list is of the officer's subtrees when the job started:
    moved to another unit, they no longer download it (it was checked against the
    new scope, which then always allowed it)."""
    from app.accounts.models import RoleAssignment

    app.config["EXPORT_JOB_ROWS"] = 0
    auth.login("hrd")
    response = client.get("/rewards/campaigns/C2026/candidates.xlsx")
    job_id = response.location.rsplit("/", 1)[1]
    download = client.get(f"/jobs/{job_id}/download")
    book = openpyxl.load_workbook(io.BytesIO(download.get_data()))
    people = list(book["Cá nhân"].iter_rows(min_row=3, values_only=True))
    assert {row[2] for row in people} == {"Cán Bộ D 0", "Cán Bộ D 1"}
    with app.app_context():  # hrd moved to C: D's list is no longer theirs
        role = db.session.scalar(
            select(RoleAssignment).where(
                RoleAssignment.user_id
                == select(User.id).where(User.username == "hrd").scalar_subquery()
            )
        )
        role.unit_id = data["C"]
        db.session.commit()
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
