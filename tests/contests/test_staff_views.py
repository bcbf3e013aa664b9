"""The staff pages of rankings: who sees them (scope), re-ranking with a reason,
the prize list XLSX and the printed announcement."""

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from app.contests import lookup, ranking
from app.contests.models import Contest, Ranking
from app.extensions import db
from app.timeutil import utcnow
from tests.contests.rank_helpers import attempt, make_contest, make_round
from tests.factories import make_tree, make_user

ROUND = "/contests/CT/rounds/1/ranking"


def setup_contest(app) -> None:
    """Contest CT owned by D, for the whole province: round 1 closed and ranked
    (An first, Bình and Chi tied second, prizes 1 nhất + 1 nhì: the tie is left
    to the council), round 2 still open; staff of D and of C."""
    with app.app_context():
        tree = make_tree()
        contest = make_contest([tree["P"]], owner=tree["D"])
        closed = make_round(
            contest,
            1,
            prizes={"nhat": 1, "nhi": 1},
            opens=utcnow() - timedelta(days=10),
            closes=utcnow() - timedelta(days=1),
        )
        make_round(contest, 2, opens=utcnow() - timedelta(days=1), closes=None)
        for name, unit, right, seconds in (
            ("An", "D1", 5, 125),
            ("Bình", "C1", 4, 200),
            ("Chi", "D1A", 4, 200),
        ):
            person = make_user(f"p{unit}", tree[unit], full_name=f"Trần Thị {name}")
            attempt(closed, person, right, prediction=1, seconds=seconds)
        make_user("trainer", tree["D"], roles=[("trainer", tree["D"])])
        make_user("hr", tree["D1"], roles=[("hr", tree["D"])])
        make_user("admin", tree["P"], roles=[("admin", None)])
        make_user("trainer_c", tree["C"], roles=[("trainer", tree["C"])])
        make_user("learner", tree["D1"])
        ranking.rank_round(closed)
        db.session.commit()


@pytest.fixture
def contest(app):
    setup_contest(app)


def _versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Ranking))


@pytest.mark.parametrize("who", ["trainer", "hr", "admin"])
def test_staff_in_scope_see_the_full_ranking_with_ties(client, auth, contest, who):
    auth.login(who)
    page = client.get(ROUND)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Trần Thị An" in html and "Trần Thị Chi" in html
    assert html.count('title="đồng hạng">=</abbr>') == 2
    assert "Phiên bản 1" in html and "02:05" in html
    assert "Đồng hạng, chờ Hội đồng xét (Giải Nhì)" in html
    assert "Kết quả theo đơn vị" in html
    assert client.get("/contests/CT/manage/rankings").status_code == 200
    assert client.get("/contests/CT/manage/ranking").status_code == 200


def test_out_of_scope_is_404_a_learner_403_and_anonymous_signs_in(
    client, auth, contest
):
    assert "/login" in client.get(ROUND).headers["Location"]
    auth.login("learner")
    assert client.get(ROUND).status_code == 403
    auth.logout()
    auth.login("trainer_c")
    for url in (
        ROUND,
        "/contests/CT/manage/rankings",
        "/contests/CT/rounds/1/prizes.xlsx",
        "/contests/CT/rounds/1/announcement",
    ):
        assert client.get(url).status_code == 404, url
    token = auth.token("/password")
    assert client.post(ROUND, data={"csrf_token": token}).status_code == 404
    assert client.get("/contests/NOPE/rounds/1/ranking").status_code == 404
    assert client.get("/contests/CT/rounds/9/ranking").status_code == 404


def test_hr_may_not_rank(client, auth, contest):
    auth.login("hr")
    token = auth.token(ROUND)
    response = client.post(ROUND, data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 403


def test_re_ranking_needs_a_reason_then_makes_version_2(app, client, auth, contest):
    auth.login("trainer")
    token = auth.token(ROUND)
    refused = client.post(ROUND, data={"csrf_token": token}, follow_redirects=True)
    assert "cần ghi lý do" in refused.get_data(as_text=True)
    assert _versions(app) == 1
    too_long = client.post(ROUND, data={"csrf_token": token, "reason": "x" * 1001})
    assert too_long.status_code == 400
    done = client.post(
        ROUND,
        data={"csrf_token": token, "reason": "Sửa đáp án câu 4"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "phiên bản 2" in done.get_data(as_text=True)
    assert _versions(app) == 2
    html = client.get(ROUND + "?version=1").get_data(as_text=True)
    assert "Đây là một phiên bản cũ" in html
    assert client.get(ROUND + "?version=7").status_code == 404


def test_an_open_round_is_not_ranked_from_the_page(app, client, auth, contest):
    auth.login("admin")
    url = "/contests/CT/rounds/2/ranking"
    assert "chưa kết thúc" in client.get(url).get_data(as_text=True)
    token = auth.token(ROUND)
    refused = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "chưa kết thúc" in refused.get_data(as_text=True)
    assert client.get("/contests/CT/rounds/2/prizes.xlsx").status_code == 404
    assert _versions(app) == 1


def test_the_whole_contest_is_ranked_from_its_page(app, client, auth, contest):
    auth.login("admin")
    token = auth.token("/contests/CT/manage/ranking")
    done = client.post(
        "/contests/CT/manage/ranking",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "phiên bản 1: 3 người dự thi" in done.get_data(as_text=True)
    html = client.get("/contests/CT/manage/ranking").get_data(as_text=True)
    assert "Toàn cuộc thi" in html and "Trần Thị Bình" in html


def test_prize_list_xlsx(client, auth, contest):
    auth.login("hr")
    response = client.get("/contests/CT/rounds/1/prizes.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert rows[0] == [
        "STT",
        "Họ và tên",
        "Đơn vị",
        "Số câu đúng",
        "Dự đoán",
        "Thời gian (mm:ss)",
        "Thời điểm nộp",
        "Giải",
        "Hạng",
    ]
    assert rows[1][:6] == [1, "Trần Thị An", "Phòng Công chức", 5, 1, "02:05"]
    assert rows[1][7:] == ["Giải Nhất", "1"]
    assert {r[1] for r in rows[2:]} == {"Trần Thị Bình", "Trần Thị Chi"}
    assert {r[7] for r in rows[2:]} == {"Đồng hạng, chờ Hội đồng xét (Giải Nhì)"}
    assert {r[8] for r in rows[2:]} == {"2 (đồng hạng)"}
    assert "phiên bản 1" in sheet.cell(2, 1).value


def test_announcement_is_an_official_paper(client, auth, contest):
    auth.login("trainer")
    response = client.get("/contests/CT/rounds/1/announcement")
    assert response.status_code == 200
    assert "nonce-" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    for text in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "SỞ NỘI VỤ TỈNH THỬ",
        "Số: ……/TB-……",
        "THÔNG BÁO",
        "Kết quả Cuộc thi tìm hiểu văn hóa công vụ đợt 1",
        "Số người dự thi: 3 người",
        "Trần Thị An",
        "Giải Nhất",
        "Hội đồng Thi đua – Khen thưởng xem xét",
        "TM. BAN TỔ CHỨC",
        "Nơi nhận:",
    ):
        assert text in html, text
    assert "Thử, ngày" in html  # the place from the top unit, "Tỉnh Thử"


def test_a_prize_list_drawn_before_an_earlier_correction_says_so(app, client, auth):
    """One prize per contest: round 1 corrected after round 2's prizes were drawn;
    round 2's page says its list is out of date until it is ranked again."""
    with app.app_context():
        tree = make_tree()
        contest = make_contest([tree["P"]], owner=tree["D"], one_prize_per_contest=True)
        rounds = [make_round(contest, n, prizes={"nhat": 1}) for n in (1, 2)]
        first_try = {}
        for name, unit, rights in (("An", "D1", (5, 4)), ("Bình", "C1", (4, 5))):
            person = make_user(f"p{unit}", tree[unit], full_name=f"Trần Thị {name}")
            for round_, right in zip(rounds, rights, strict=True):
                first_try[round_.number, name] = attempt(round_, person, right)
        make_user("trainer", tree["D"], roles=[("trainer", tree["D"])])
        ranking.rank_round(rounds[0])
        ranking.rank_round(rounds[1])  # Bình wins it; An won round 1
        db.session.commit()
    auth.login("trainer")
    notice = "Danh sách giải này không còn đúng với cách lập giải hiện nay"
    assert notice not in client.get("/contests/CT/rounds/2/ranking").get_data(
        as_text=True
    )
    with app.app_context():
        db.session.merge(first_try[1, "Bình"]).score = 6  # Bình won round 1 too
        ranking.rank_round(db.session.merge(rounds[0]), reason="Chấm lại")
        db.session.commit()
    page = client.get("/contests/CT/rounds/2/ranking").get_data(as_text=True)
    assert notice in page


def test_the_prize_list_keeps_a_hostile_name_as_text(app, client, auth, contest):
    from app.accounts.models import User
    from tests.reports.test_exports import HOSTILE, _no_formula_cells

    with app.app_context():
        winner = db.session.scalar(select(User).where(User.full_name == "Trần Thị An"))
        winner.full_name = HOSTILE[0]
        # A ranking keeps the names it was made with: the hostile one in a new
        # version.
        round_ = lookup.get_round(lookup.get_contest("CT"), 1)
        ranking.rank_round(round_, reason="Tên mới")
        db.session.commit()
    auth.login("hr")
    response = client.get("/contests/CT/rounds/1/prizes.xlsx")
    assert response.status_code == 200
    assert HOSTILE[0] in _no_formula_cells(response.data)


def test_the_papers_name_the_prizes_in_vietnamese_on_an_english_screen(
    client, auth, contest
):
    auth.login("hr")
    token = auth.token("/contests/CT/rounds/1/ranking")
    client.post("/language", data={"language": "en", "csrf_token": token})
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get("/contests/CT/rounds/1/prizes.xlsx").data)
    ).active
    levels = [row[7] for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert "Giải Nhất" in levels and "Đồng hạng, chờ Hội đồng xét (Giải Nhì)" in levels
    paper = client.get("/contests/CT/rounds/1/announcement").get_data(as_text=True)
    assert "Giải Nhất" in paper and "First prize" not in paper


def test_the_ranking_page_follows_the_screen_the_announcement_stays_vietnamese(
    client, auth, contest
):
    """Numbers on the ranking page are written as the screen's language writes
    them; the announcement, an official paper, keeps "50,0 %" on an English
    screen."""
    auth.login("hr")
    page = client.get("/contests/CT/rounds/1/ranking").get_data(as_text=True)
    assert '<td class="num">50,0\u00a0%</td>' in page and ">4,50<" in page
    token = auth.token("/contests/CT/rounds/1/ranking")
    client.post("/language", data={"language": "en", "csrf_token": token})
    page = client.get("/contests/CT/rounds/1/ranking").get_data(as_text=True)
    assert '<td class="num">50.0%</td>' in page and ">4.50<" in page
    assert "50,0" not in page and "4,50" not in page
    paper = client.get("/contests/CT/rounds/1/announcement").get_data(as_text=True)
    assert '<td class="num">50,0\u00a0%</td>' in paper and "40,0\u00a0%" in paper
    assert "50.0%" not in paper


@pytest.mark.parametrize(
    "title, said",
    [
        ("Đợt thi thứ 1", "kết quả đợt thi thứ 1 ("),
        (
            "Đợt 1 — Tìm hiểu Luật Cán bộ, công chức và HĐND tỉnh",
            "kết quả đợt 1 — Tìm hiểu Luật Cán bộ, công chức và HĐND tỉnh (",
        ),
        ("HĐND tỉnh — đợt 1", "kết quả HĐND tỉnh — đợt 1 ("),
    ],
)
def test_the_announcement_keeps_the_round_titles_capitals(
    app, client, auth, contest, title, said
):
    """The round's title inside the announcement's sentence loses the capital of
    its first word only: the names and abbreviations in it stay as written."""
    from app.contests.models import ContestRound

    with app.app_context():
        first = select(ContestRound).where(ContestRound.number == 1)
        db.session.scalar(first).title = title
        db.session.commit()
    auth.login("trainer")
    paper = client.get("/contests/CT/rounds/1/announcement").get_data(as_text=True)
    assert f"Ban Tổ chức thông báo {said}" in paper


def test_a_prize_list_drawn_before_the_prize_counts_changed_says_so(
    app, client, auth, contest
):
    """The prize counts of a closed round edited after its list was drawn (the
    council adds a prize): its page says the list is out of date until ranked
    again."""
    from app.contests.models import ContestRound

    auth.login("trainer")
    notice = "Danh sách giải này không còn đúng với cách lập giải hiện nay"
    assert notice not in client.get(ROUND).get_data(as_text=True)
    with app.app_context():
        first = select(ContestRound).where(ContestRound.number == 1)
        db.session.scalar(first).prizes = {"nhat": 1, "nhi": 2}
        db.session.commit()
    assert notice in client.get(ROUND).get_data(as_text=True)
    token = auth.token(ROUND)
    client.post(ROUND, data={"csrf_token": token, "reason": "Thêm một giải Nhì"})
    page = client.get(ROUND).get_data(as_text=True)
    assert "Phiên bản 2" in page and notice not in page


def test_a_frozen_ranking_keeps_the_names_it_was_made_with(app, client, auth, contest):
    """A cadre and a unit renamed after the ranking was frozen (and the whole
    contest's ranking): its pages, the prize list and the announcement print the
    names as they were (the public page: test_contest_pages); a new version takes
    the new ones."""
    from app.accounts.models import Unit, User

    with app.app_context():
        ranking.rank_contest(lookup.get_contest("CT"))
        db.session.commit()
        winner = db.session.scalar(select(User).where(User.full_name == "Trần Thị An"))
        winner.full_name = "Trần Thị Ánh Dương"
        db.session.scalar(select(Unit).where(Unit.code == "D1")).name = "Phòng Mới"
        db.session.commit()
    auth.login("trainer")
    for url in (
        ROUND,
        "/contests/CT/manage/ranking",
        "/contests/CT/rounds/1/announcement",
    ):
        html = client.get(url).get_data(as_text=True)
        assert "Trần Thị An" in html and "Phòng Công chức" in html, url
        assert "Ánh Dương" not in html and "Phòng Mới" not in html, url
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get("/contests/CT/rounds/1/prizes.xlsx").data)
    ).active
    assert list(sheet.iter_rows(min_row=5, values_only=True))[0][1:3] == (
        "Trần Thị An",
        "Phòng Công chức",
    )
    token = auth.token(ROUND)
    client.post(ROUND, data={"csrf_token": token, "reason": "Đổi tên"})
    html = client.get(ROUND).get_data(as_text=True)
    assert "Trần Thị Ánh Dương" in html and "Phòng Mới" in html


def test_a_tie_for_the_first_prize_is_left_to_the_council_on_both_papers(
    app, client, auth
):
    """Two tied first with one giải nhất: neither is given it (never two giải
    nhất); both are pending at nhất, taking its place and the nhì's, on the
    prize list XLSX and the announcement; the next person gets the giải ba."""
    with app.app_context():
        tree = make_tree()
        contest = make_contest([tree["P"]], owner=tree["D"])
        closed = make_round(
            contest,
            1,
            prizes={"nhat": 1, "nhi": 1, "ba": 1},
            opens=utcnow() - timedelta(days=10),
            closes=utcnow() - timedelta(days=1),
        )
        for name, unit, right in (
            ("An", "D1", 5),
            ("Bình", "C1", 5),
            ("Chi", "D1A", 4),
        ):
            person = make_user(f"p{unit}", tree[unit], full_name=f"Trần Thị {name}")
            attempt(closed, person, right, prediction=1, seconds=100)
        make_user("trainer", tree["D"], roles=[("trainer", tree["D"])])
        ranking.rank_round(closed)
        db.session.commit()
    auth.login("trainer")
    response = client.get("/contests/CT/rounds/1/prizes.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(min_row=5, values_only=True)]
    pending = "Đồng hạng, chờ Hội đồng xét (Giải Nhất)"
    assert [(r[1], r[7]) for r in rows] == [
        ("Trần Thị An", pending),
        ("Trần Thị Bình", pending),
        ("Trần Thị Chi", "Giải Ba"),
    ]
    html = client.get("/contests/CT/rounds/1/announcement").get_data(as_text=True)
    assert html.count(pending) == 2 and "Giải Ba" in html
    assert "Có 2 người đồng hạng vượt số giải của mức giải" in html


def test_the_overview_shows_each_rounds_state_as_the_public_page(app, client, auth):
    """A round not yet open says "Chưa mở" (never "Đang diễn ra"), one running
    "Đang diễn ra", a closed one "Đã kết thúc" and whether it is ranked; a round
    taken out of the file is marked."""
    from app.contests.sync import RETIRED_NUMBER

    setup_contest(app)  # round 1 closed and ranked, round 2 running
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.code == "CT"))
        make_round(contest, 3, opens=utcnow() + timedelta(days=5), closes=None)
        retired = make_round(contest, 4, closes=utcnow() - timedelta(days=30))
        retired.number = RETIRED_NUMBER + retired.id
        retired.title = "Đợt đã bỏ"
        db.session.commit()
    auth.login("trainer")
    html = client.get("/contests/CT/manage/rankings").get_data(as_text=True)
    rows = {
        title: html.split(title, 1)[1].split("</tr>", 1)[0]
        for title in ("Đợt thi thứ 1", "Đợt thi thứ 2", "Đợt thi thứ 3", "Đợt đã bỏ")
    }
    assert (
        "Đã kết thúc" in rows["Đợt thi thứ 1"]
        and "Đã xếp hạng" in rows["Đợt thi thứ 1"]
    )
    assert "Đang diễn ra" in rows["Đợt thi thứ 2"]
    assert (
        "Chưa mở" in rows["Đợt thi thứ 3"]
        and "Đang diễn ra" not in rows["Đợt thi thứ 3"]
    )
    assert "Đã bỏ khỏi cuộc thi" in rows["Đợt đã bỏ"]
    assert "Chưa xếp hạng" in rows["Đợt đã bỏ"]
    assert "Đã bỏ khỏi cuộc thi" not in rows["Đợt thi thứ 1"]
