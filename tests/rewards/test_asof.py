"""The reward candidates as of a day (issue 18), as every report: a 2024 campaign
before the 1/7/2025 mergers (tests.reports.history_world) listed at the time —
under the units the records were earned in, named as on the day — or rolled up to
the successors, the choice stated on the page, the workbook, the paper and the
command line; bad days and attributions refused."""

import io
from datetime import date, timedelta

import openpyxl
import pytest

from app.accounts.days import vn_today
from app.accounts.rollup import AT_TIME, ROLLED_UP
from app.errors import NotAllowed
from app.extensions import db
from app.quizzes.models import Quiz
from app.records.asof import AsOf
from app.records.models import TrainingRecord
from app.rewards import services
from app.rewards.models import RewardRule
from tests.factories import make_user
from tests.reports import history_world

from .helpers import attempt

PAST = date(2024, 12, 31)
AT_TIME_PAST = (
    "Số liệu tại ngày 31/12/2024; ghi nhận theo đơn vị tại thời điểm hoàn thành."
)
ROLLED_TODAY = (
    f"Số liệu tại ngày {vn_today():%d/%m/%Y}; cộng dồn vào đơn vị kế thừa tại ngày đó."
)


@pytest.fixture
def world(app):
    """history_world, its 2024 completions each with a first attempt of 100 %, the
    2024 campaign's rule at 50 % for collectives, and an administrator."""
    with app.app_context():
        u = history_world.build()
        db.session.add(Quiz(code="Q", title="Kiểm tra"))
        campaign = u["C2024"]
        for row in db.session.query(TrainingRecord).filter_by(
            campaign_id=campaign.id, status="completed"
        ):
            user = db.session.get(type(u["a1"]), row.user_id)
            attempt(campaign, user, 1, 100.0, started=row.completed_at - timedelta(1))
        db.session.add(
            RewardRule(
                campaign_id=campaign.id,
                unit_completion_percent=50,
                unit_pass_percent=50,
                unit_min_cadres=0,
                person_first_percent=100,
            )
        )
        make_user("adm", u["AGM"], roles=[("admin", None)])
        db.session.commit()
        return {key: value.id for key, value in u.items()}


def _lists(world, day, attribution):
    from app.records.models import Campaign

    campaign = db.session.get(Campaign, world["C2024"])
    collectives, individuals = services.candidate_lists(
        campaign, None, AsOf(day, attribution)
    )
    return (
        {row.unit.code: (row.completed, row.total) for row in collectives},
        {row.user.username: row.unit.display_name for row in individuals},
    )


def test_at_the_time_lists_the_units_of_2024_and_rolled_up_their_successors(app, world):
    with app.app_context():
        collectives, people = _lists(world, vn_today(), AT_TIME)
        # earned in former Kiên Giang and An Giang: listed there, not in units
        # that only exist from 1/7/2025 (AGM, SKHCN, RG)
        assert collectives == {
            "KG": (2, 3),
            "KG-STTTT": (1, 1),
            "KG-RG": (1, 2),  # a3's unfinished record: KG-VTV on the closing day
            "AGO": (1, 1),
            "AGO-SKHCN": (1, 1),
            "CT": (1, 1),
            "CT-SNV": (1, 1),
        }
        assert people == {
            "a1": "Sở Thông tin và Truyền thông",
            "a2": "Sở Khoa học và Công nghệ — Ủy ban nhân dân tỉnh An Giang",
            "a4": "Ủy ban nhân dân thành phố Rạch Giá",
            "c1": "Sở Nội vụ thành phố Cần Thơ",
        }
        collectives, people = _lists(world, vn_today(), ROLLED_UP)
        assert collectives == {
            "AGM": (3, 4),
            "SKHCN": (2, 2),
            "RG": (1, 2),
            "CT": (1, 1),
            "CT-SNV": (1, 1),
        }
        assert {name: unit.split(" — ")[0] for name, unit in people.items()} == {
            "a1": "Sở Khoa học và Công nghệ",
            "a2": "Sở Khoa học và Công nghệ",
            "a4": "Ủy ban nhân dân phường Rạch Giá",
            "c1": "Sở Nội vụ thành phố Cần Thơ",
        }


def test_a_past_day_names_the_units_as_they_were_then(app, world):
    """On 31/12/2024 every unit was there: at the time and rolled up agree, and
    CT-SNV has its name of then."""
    with app.app_context():
        at_time = _lists(world, PAST, AT_TIME)
        assert at_time == _lists(world, PAST, ROLLED_UP)
        assert at_time[1]["c1"] == "Sở Nội vụ"
        assert "SKHCN" not in at_time[0] and "KG-STTTT" in at_time[0]


def test_the_page_workbook_and_paper_state_the_day_and_attribution(
    app, client, auth, world
):
    auth.login("adm")
    page = client.get("/rewards/campaigns/C2024?as_of=2024-12-31")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and AT_TIME_PAST in text
    assert "Sở Nội vụ</td>" in text and 'name="as_of" value="2024-12-31"' in text
    last = vn_today() + timedelta(days=2 * 366)  # the server's bounds, the input's
    assert f'min="1945-09-02" max="{last.isoformat()}"' in text
    # links keep the choice
    assert "candidates.xlsx?as_of=2024-12-31&amp;attribution=at_time" in text
    rolled = client.get("/rewards/campaigns/C2024?attribution=rolled_up")
    assert ROLLED_TODAY in rolled.get_data(as_text=True)
    # nominations are made from today's lists, which the service checks them in
    assert "Đưa vào danh sách đề nghị" in rolled.get_data(as_text=True)
    assert "Đưa vào danh sách đề nghị" not in text
    assert "Đề nghị khen thưởng được lập từ danh sách tính đến hôm nay." in text

    response = client.get("/rewards/campaigns/C2024/candidates.xlsx?as_of=2024-12-31")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    for name in ("Tập thể", "Cá nhân"):
        first = book[name]["A1"].value
        assert first.startswith(AT_TIME_PAST), name
        assert "tính đến lúc lập báo cáo" in first  # each record's state is now's
        assert book[name]["A2"].value == "STT"
    people = list(book["Cá nhân"].iter_rows(min_row=3, values_only=True))
    assert "Sở Nội vụ" in {row[5] for row in people}
    response = client.get(
        "/rewards/campaigns/C2024/candidates.xlsx?attribution=rolled_up"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book["Tập thể"]["A1"].value == ROLLED_TODAY

    paper = client.get("/rewards/campaigns/C2024/paper?as_of=2024-12-31")
    assert paper.status_code == 200 and AT_TIME_PAST in paper.get_data(as_text=True)
    paper = client.get("/rewards/campaigns/C2024/paper?attribution=rolled_up")
    assert ROLLED_TODAY in paper.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "as_of=2024-13-01",
        "as_of=31/12/2024",
        "as_of=1899-01-01",
        "attribution=today",
        "as_of=2024-12-31&attribution=rolled",
    ],
)
def test_a_bad_day_or_attribution_is_a_400_everywhere(client, auth, world, query):
    auth.login("adm")
    for path in ("", "/candidates.xlsx", "/paper"):
        response = client.get(f"/rewards/campaigns/C2024{path}?{query}")
        assert response.status_code == 400, (path, query)


def test_the_command_line_takes_the_day_and_attribution(app, runner, world, tmp_path):
    args = ["rewards", "candidates", "--campaign", "C2024"]
    listed = runner.invoke(args=[*args, "--as-of", "2024-12-31"])
    assert listed.exit_code == 0, listed.output
    assert AT_TIME_PAST in listed.output and "\tSở Nội vụ\t" in listed.output
    rolled = runner.invoke(args=[*args, "--attribution", "rolled_up"])
    assert ROLLED_TODAY in rolled.output and "SKHCN" in rolled.output
    assert "KG-STTTT" not in rolled.output
    for bad in (["--as-of", "2024-02-30"], ["--attribution", "now"]):
        result = runner.invoke(args=[*args, *bad])
        assert result.exit_code != 0 and "Traceback" not in result.output, bad
    out = tmp_path / "c.xlsx"
    export = ["rewards", "export", "--campaign", "C2024", "--what", "candidates"]
    result = runner.invoke(args=[*export, "--as-of", "2024-12-31", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book["Cá nhân"]["A1"].value.startswith(AT_TIME_PAST)
    paper = tmp_path / "p.html"
    result = runner.invoke(
        args=[
            *export[:4],
            "--what",
            "paper",
            "--attribution",
            "rolled_up",
            "-o",
            str(paper),
        ]
    )
    assert result.exit_code == 0, result.output
    assert ROLLED_TODAY in paper.read_text(encoding="utf-8")


def test_a_nomination_may_come_from_either_list_of_today(app, world):
    """At the time, a 2024 cadre's row names its former unit; rolled up, its
    successor: a nomination from either row is taken. A collective one is of a
    unit of today (tests.rewards.test_former_units)."""
    from app.accounts.models import Unit, User
    from app.records.models import Campaign
    from app.rewards.models import COLLECTIVE, INDIVIDUAL

    with app.app_context():
        campaign = db.session.get(Campaign, world["C2024"])
        admin = db.session.scalar(db.select(User).filter_by(username="adm"))
        a1, a2 = (db.session.get(User, world[name]) for name in ("a1", "a2"))
        former, successor = (
            db.session.get(Unit, world[code]) for code in ("KG-STTTT", "SKHCN")
        )
        services.nominate(admin, campaign, INDIVIDUAL, former, a1)
        services.nominate(admin, campaign, INDIVIDUAL, successor, a2)
        services.nominate(admin, campaign, COLLECTIVE, successor, None)
        # a unit ended by today: its successor, from the rolled-up list
        with pytest.raises(NotAllowed, match="đã kết thúc"):
            services.nominate(admin, campaign, COLLECTIVE, former, None)
