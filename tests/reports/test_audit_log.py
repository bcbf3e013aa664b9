"""The audit log page: actions in Vietnamese, names instead of ids, filters that
survive bad input, and the CSV of the filtered log."""

import csv
import io
import re
from pathlib import Path

import pytest

from app.accounts import units
from app.audit import services as audit
from app.extensions import db
from app.reports.audit_trail import ACTION_LABELS, action_label
from tests.factories import make_tree, make_user

URL = "/admin/audit"


@pytest.fixture
def events(app):
    """adm (Hồ Quản Trị) created unit X and renamed D; hr (Đỗ Văn Sự) reset the
    password of in1 (Nguyễn Văn An)."""
    with app.app_context():
        tree = make_tree()
        admin = make_user(
            "adm", tree["P"], roles=[("admin", None)], full_name="Hồ Quản Trị"
        )
        hr = make_user(
            "hr", tree["D"], roles=[("hr", tree["D"])], full_name="Đỗ Văn Sự"
        )
        in1 = make_user("in1", tree["D1"], full_name="Nguyễn Văn An")
        units.rename_unit(tree["D"], "Sở Nội vụ tỉnh Thử", admin)
        audit.record("user.password_reset", actor=hr, target=in1)
        db.session.commit()
        return {"D": tree["D"].id, "in1": in1.id}


def test_every_recorded_action_has_a_vietnamese_name():
    codes = set()
    for path in Path("app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r"audit\.record\(\s*\"([a-z_.]+)\"", text))
        codes |= set(re.findall(r"\"(user\.(?:activated|deactivated))\"", text))
    codes |= {f"unit.{a}" for a in ("created", "renamed", "moved", "merged")}
    assert len(codes) > 20
    assert codes - ACTION_LABELS.keys() == set()
    assert action_label("unit.split") == "Đơn vị: split"
    assert action_label("made.up") == "made.up"


def test_the_page_shows_names_and_labels(client, auth, events):
    auth.login("adm")
    page = client.get(URL).get_data(as_text=True)
    assert "Đặt lại mật khẩu" in page and "Đổi tên đơn vị" in page
    assert "Đỗ Văn Sự (hr)" in page and "Hồ Quản Trị (adm)" in page
    assert "Cán bộ: Nguyễn Văn An (in1)" in page
    assert "Đơn vị: Sở Nội vụ tỉnh Thử" in page
    assert f"Cán bộ: #{events['in1']}" not in page
    assert '<option value="user.password_reset" >Đặt lại mật khẩu</option>' in page


def test_filters_by_action_and_by_actor_name_without_diacritics(client, auth, events):
    auth.login("adm")
    by_action = client.get(f"{URL}?action=unit.renamed").get_data(as_text=True)
    assert "Đổi tên đơn vị<br>" in by_action and "Đặt lại mật khẩu<br>" not in by_action
    by_name = client.get(f"{URL}?actor=do van su").get_data(as_text=True)
    assert "Đặt lại mật khẩu<br>" in by_name and "Đổi tên đơn vị<br>" not in by_name
    by_login = client.get(f"{URL}?actor=adm").get_data(as_text=True)
    assert "Đổi tên đơn vị<br>" in by_login and "Đặt lại mật khẩu<br>" not in by_login


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("action=made.up", "Không có thao tác “made.up”: bỏ qua."),
        ("since=not-a-date", "Từ ngày không phải ngày hợp lệ: bỏ qua."),
        ("until=2026-02-30", "Đến ngày không phải ngày hợp lệ: bỏ qua."),
        ("action=" + "x" * 5000, "Không có thao tác"),
    ],
)
def test_bad_filters_are_reported_and_ignored(client, auth, events, query, message):
    auth.login("adm")
    response = client.get(f"{URL}?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "Đặt lại mật khẩu<br>" in page and "Đổi tên đơn vị<br>" in page


def test_dates_filter_and_a_reversed_range_finds_nothing(client, auth, events):
    auth.login("adm")
    future = client.get(f"{URL}?since=2999-01-01").get_data(as_text=True)
    assert "Không có mục nào." in future
    reversed_ = client.get(f"{URL}?since=2026-12-31&until=2026-01-01")
    assert "“Từ ngày” sau “Đến ngày”" in reversed_.get_data(as_text=True)
    past = client.get(f"{URL}?since=2000-01-01&until=2999-12-31").get_data(as_text=True)
    assert "Đặt lại mật khẩu<br>" in past


def test_details_are_shown_in_words_not_as_python_values(app, client, auth, events):
    """A detail's None, True/False and lists were shown as Python writes them
    ('None', "['a', 'b']") on the page and in the CSV."""
    with app.app_context():
        audit.record("quiz.settings_changed", fields=["title", "pass_score"])
        audit.record("user.deactivated", old=None, kept=True, dropped=False)
        db.session.commit()
    auth.login("adm")
    page = client.get(URL).get_data(as_text=True)
    assert "Tên bài kiểm tra, pass_score" in page and "['title'" not in page
    for raw in (": None", ": True", ": False"):
        assert raw not in page
    assert "<li>Giá trị cũ: —</li>" in page and "<li>kept: có</li>" in page
    details = [row[5] for row in _csv(client)[1:]]
    assert "Các mục đã đổi: Tên bài kiểm tra, pass_score" in details
    assert "Giá trị cũ: —; kept: có; dropped: không" in details


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_the_first_and_last_days_of_the_calendar_are_days_like_others(
    client, auth, events, suffix
):
    """Year 1's first day begins before any UTC time (7 hours ahead): it was an
    OverflowError, a 500, on the page and in the CSV."""
    auth.login("adm")
    for query in ("since=0001-01-01", "until=0001-01-01", "until=9999-12-31"):
        assert client.get(f"{URL}{suffix}?{query}").status_code == 200, query
    everything = client.get(f"{URL}?since=0001-01-01&until=9999-12-31")
    assert "Đặt lại mật khẩu<br>" in everything.get_data(as_text=True)
    nothing = client.get(f"{URL}?until=0001-01-01").get_data(as_text=True)
    assert "Không có mục nào." in nothing


def _csv(client, query="") -> list[list[str]]:
    response = client.get(f"{URL}.csv?{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_the_filtered_rows_with_names(client, auth, events):
    auth.login("adm")
    header, *rows = _csv(client, "action=user.password_reset")
    assert header == [
        "Thời gian",
        "Người thực hiện",
        "Thao tác",
        "Mã thao tác",
        "Đối tượng",
        "Chi tiết",
    ]
    assert [r[1:5] for r in rows] == [
        [
            "Đỗ Văn Sự (hr)",
            "Đặt lại mật khẩu",
            "user.password_reset",
            "Cán bộ: Nguyễn Văn An (in1)",
        ]
    ]
    assert len(_csv(client, "action=made.up&since=bad")) > 2  # bad filters ignored


def test_csv_is_bounded(app, client, auth, events):
    app.config["AUDIT_CSV_MAX_ROWS"] = 1
    auth.login("adm")
    assert len(_csv(client)) == 2  # the header and the newest event
    assert "Tệp CSV chỉ gồm 1 mục mới nhất" in client.get(URL).get_data(as_text=True)


def test_only_admins_see_the_log(client, auth, events):
    auth.login("hr")
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}.csv").status_code == 403


@pytest.fixture
def more_targets(app, events):
    """Events on a contest, its ranking, a reminder (for D1, a unit whose name C1
    also has), a nomination and a reward period."""
    from app.accounts.models import Unit, User
    from app.contests.models import Ranking
    from app.reminders.models import Reminder
    from app.rewards.models import INDIVIDUAL, SO_KET, Nomination, RewardPeriod
    from tests.contests.rank_helpers import make_contest, make_round
    from tests.rewards.helpers import make_campaign

    with app.app_context():
        d1 = db.session.scalar(db.select(Unit).where(Unit.code == "D1"))
        c1 = db.session.scalar(db.select(Unit).where(Unit.code == "C1"))
        d1.name = c1.name = "Văn phòng"
        admin = db.session.scalar(db.select(User).where(User.username == "adm"))
        in1 = db.session.get(User, events["in1"])
        campaign = make_campaign(2026, d1.parent)
        contest = make_contest([d1.parent])
        round_ = make_round(contest, 1)
        ranking = Ranking(contest_id=contest.id, round_id=round_.id, version=2)
        reminder = Reminder(campaign_id=campaign.id, unit_id=d1.id)
        period = RewardPeriod(code="SK", title="Sơ kết 2024–2026", kind=SO_KET)
        nomination = Nomination(
            campaign_id=campaign.id,
            kind=INDIVIDUAL,
            unit_id=d1.id,
            user_id=in1.id,
            nominated_by_id=admin.id,
            nominating_unit_id=d1.parent.id,
        )
        db.session.add_all([ranking, reminder, period, nomination])
        db.session.flush()
        audit.record("contest.changed", actor=admin, target=contest)
        audit.record("contests.ranked", actor=admin, target=ranking)
        audit.record("reminder.created", actor=admin, target=reminder)
        audit.record("reward.period_saved", actor=admin, target=period)
        audit.record("reward.nominated", actor=admin, target=nomination)
        db.session.commit()
    return events


TARGETS = [
    "Cuộc thi: Cuộc thi tìm hiểu văn hóa công vụ (CT)",
    "Bảng xếp hạng cuộc thi: Cuộc thi tìm hiểu văn hóa công vụ (CT) · CT-1, "
    "phiên bản 2",
    "Lời nhắc: Bồi dưỡng văn hóa công vụ năm 2026 (C2026) · Văn phòng — Sở Nội "
    "vụ tỉnh Thử",
    "Đợt sơ kết, tổng kết: Sơ kết 2024–2026 (SK)",
    "Đề nghị khen thưởng: Nguyễn Văn An — Văn phòng — Sở Nội vụ tỉnh Thử (C2026)",
]


def test_contests_reminders_and_rewards_are_named(app, client, auth, more_targets):
    auth.login("adm")
    page = client.get(URL).get_data(as_text=True)
    for text in TARGETS:
        assert text in page
    assert "contest: #" not in page and "reminder: #" not in page
    targets = [row[4] for row in _csv(client)]
    assert set(TARGETS) <= set(targets)


def statements_over_the_log(app, names_of) -> tuple[int, dict, list]:
    """The statements `names_of` runs over the whole log's events, what it returns,
    and the events."""
    from sqlalchemy import event as sa_event

    from app.audit.models import AuditEvent

    with app.test_request_context():
        events = db.session.scalars(db.select(AuditEvent)).all()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            names = names_of(events)
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements), names, events


def _name_queries(app) -> tuple[int, dict]:
    """The statements target_names runs over the whole log, and the names."""
    from app.reports.audit_trail import target_names

    count, names, events = statements_over_the_log(app, target_names)
    assert set(names) == {(e.target_type, e.target_id) for e in events}
    return count, names


def test_target_names_take_queries_per_type_not_per_row(app, more_targets):
    """A second reminder, contest, nomination, period and ranking add names and
    no query (one per type, with the loads it declares)."""
    from app.accounts.models import Unit, User
    from app.contests.models import Contest, Ranking
    from app.reminders.models import Reminder
    from app.rewards.models import Nomination, RewardPeriod

    before, names = _name_queries(app)
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.username == "adm"))
        c1 = db.session.scalar(db.select(Unit).where(Unit.code == "C1"))
        first = db.session.scalar(db.select(Reminder))  # ids differ by database
        contest = Contest(code="CT2", title="Cuộc thi thứ hai")
        reminder = Reminder(campaign_id=first.campaign_id, unit_id=c1.id)
        period = RewardPeriod(code="TK", title="Tổng kết", kind="tong_ket")
        old = db.session.scalar(db.select(Nomination))
        nomination = Nomination(
            campaign_id=old.campaign_id,
            kind="unit",
            unit_id=c1.id,
            nominated_by_id=admin.id,
            nominating_unit_id=c1.parent_id,
        )
        db.session.add_all([contest, reminder, period, nomination])
        db.session.flush()
        ranking = Ranking(contest_id=contest.id, version=1)
        db.session.add(ranking)
        db.session.flush()
        for target in (contest, reminder, period, nomination, ranking):
            audit.record("contest.changed", actor=admin, target=target)
        db.session.commit()
        ids = {
            kind: str(row.id)
            for kind, row in [
                ("reminder", reminder),
                ("nomination", nomination),
                ("ranking", ranking),
            ]
        }
    after, names = _name_queries(app)
    assert after == before
    assert names[("reminder", ids["reminder"])].endswith("· Văn phòng — UBND xã Hòa An")
    assert names[("nomination", ids["nomination"])] == (
        "Văn phòng — UBND xã Hòa An (C2026)"
    )
    assert names[("ranking", ids["ranking"])] == (
        "Cuộc thi thứ hai (CT2) · toàn cuộc thi, phiên bản 1"
    )


def test_the_csv_uses_the_separator_chosen_on_any_csv(client, auth, events):
    """ ";" chosen once (the dashboard's export, the statistics, here): the log's
    CSV is then separated by ";" and its page offers the same choice."""
    auth.login("adm")
    client.set_cookie("vhcv_csv_sep", ";")
    page = client.get(URL).get_data(as_text=True)
    assert '<option value=";" selected>' in page
    body = client.get(f"{URL}.csv").get_data(as_text=True)
    assert body.lstrip("\ufeff").startswith("Thời gian;Người thực hiện;Thao tác;")
    comma = client.get(f"{URL}.csv?sep=,")
    assert comma.get_data(as_text=True).lstrip("\ufeff").startswith("Thời gian,")
    assert comma.headers["Set-Cookie"].startswith("vhcv_csv_sep=")
