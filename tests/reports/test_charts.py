"""The dashboard's charts: completions by Vietnam day (running total) and the
distribution of best scores, inside the unit in view; SVG with a title, a
description and a data table; nothing drawn for an empty campaign."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.records import services as records
from app.records.models import COMPLETED, IN_PROGRESS, TrainingRecord
from app.reports import charts
from tests.factories import make_user
from tests.records.helpers import make_campaign

# (username, unit, completed at (UTC) or None, best percent or None)
DATA = [
    ("in1", "D1A", datetime(2026, 12, 1, 9, 0, tzinfo=UTC), 100.0),
    # 17:30 UTC is 00:30 on 2 December in Vietnam
    ("x1", "D1A", datetime(2026, 12, 1, 17, 30, tzinfo=UTC), 85.0),
    ("x2", "D1A", datetime(2026, 12, 2, 3, 0, tzinfo=UTC), 80.0),
    ("x3", "D", datetime(2026, 12, 4, 1, 0, tzinfo=UTC), 90.0),
    ("in2", "D1", None, 9.5),  # tried and failed: a score, no completion
    ("x4", "D1A", None, None),  # nothing yet
]


def _record(username, campaign):
    user = db.session.scalar(select(User).where(User.username == username))
    return db.session.scalar(
        select(TrainingRecord).where(
            TrainingRecord.user_id == user.id,
            TrainingRecord.campaign_id == campaign.id,
        )
    )


@pytest.fixture
def scope(ctx, tmp_path):
    campaign, tree = make_campaign(tmp_path)
    for username, unit, _, _ in DATA:
        if username.startswith("x"):
            make_user(username, tree[unit])
    records.ensure_records(campaign)
    for username, _, completed_at, best in DATA:
        record = _record(username, campaign)
        record.best_percent = best
        if completed_at:
            record.status, record.completed_at = COMPLETED, completed_at
        elif best is not None:
            record.status = IN_PROGRESS
    db.session.commit()
    return campaign, tree


def test_completions_are_counted_by_vietnam_day_with_a_running_total(scope):
    campaign, tree = scope
    rows = charts.completion_by_day(campaign, tree["D"])
    assert [(r.day, r.completed, r.cumulative) for r in rows] == [
        (date(2026, 12, 1), 1, 1),
        (date(2026, 12, 2), 2, 3),
        (date(2026, 12, 4), 1, 4),
    ]
    # the unit in view: D1's subtree leaves out the department's own cadre x3
    rows = charts.completion_by_day(campaign, tree["D1"])
    assert [r.cumulative for r in rows] == [1, 3]
    assert charts.completion_by_day(campaign, tree["C"]) == []


def test_best_scores_fall_into_ten_point_bins(scope):
    campaign, tree = scope
    bins = charts.score_bins(campaign, tree["D"])
    assert [(b.low, b.high) for b in bins][:2] == [(0, 9), (10, 19)]
    assert (bins[-1].low, bins[-1].high) == (90, 100)  # 100 is in the last bin
    assert [b.count for b in bins] == [1, 0, 0, 0, 0, 0, 0, 0, 2, 2]
    assert sum(b.count for b in charts.score_bins(campaign, tree["C"])) == 0


def test_the_geometry_follows_the_numbers(scope):
    campaign, tree = scope
    info = charts.dashboard_charts(campaign, tree["D"], in_scope=6)
    line = info.completion
    assert [t.label for t in line.y_ticks] == ["0", "2", "4", "6"]
    ys = [m.y for m in line.marks]
    assert ys == sorted(ys, reverse=True)  # rising
    assert line.marks[-1].y == pytest.approx(
        line.bottom - (line.bottom - line.top) * 4 / 6
    )
    assert [t.label for t in line.x_ticks] == ["01/12", "04/12"]
    bars = info.scores.marks
    assert len(bars) == 10 and bars[1].height == 0
    assert bars[8].height == bars[9].height == 2 * bars[0].height


def test_nice_ticks():
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(6) == [0, 2, 4, 6]
    assert charts.nice_ticks(26) == [0, 10, 20, 30]
    assert charts.nice_ticks(1234) == [0, 500, 1000, 1500]


def _rows(html, table_id):
    table = re.search(rf'<table class="data" id="{table_id}">(.*?)</table>', html, re.S)
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table.group(1))
    return cells


def test_the_dashboard_draws_both_charts_with_their_numbers(client, auth, scope):
    make_user("hr", scope[1]["D"], roles=[("hr", scope[1]["D"])])
    db.session.commit()
    auth.login("hr")
    html = client.get("/reports/?campaign=C2026").get_data(as_text=True)
    assert html.count('<svg class="chart"') == 2 and "style=" not in html
    assert '<title id="chart-completion-title">' in html
    assert '<desc id="chart-completion-desc">' in html
    assert "Từ 01/12/2026 đến 04/12/2026, 4 trên 6 cán bộ" in html
    assert _rows(html, "completion-table")[3:] == [
        "01/12/2026",
        "1",
        "1",
        "02/12/2026",
        "2",
        "3",
        "04/12/2026",
        "1",
        "4",
    ]
    scores = _rows(html, "scores-table")[2:]
    assert scores[:4] == ["0–9", "1", "10–19", "0"]
    assert scores[-4:] == ["80–89", "2", "90–100", "2"]
    assert re.findall(r'data-count="(\d+)"', html) == [
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "2",
        "2",
    ]
    assert "5 cán bộ đã có điểm" in html


def test_an_empty_campaign_draws_no_chart(client, auth, ctx, tmp_path):
    campaign, tree = make_campaign(tmp_path)
    make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    db.session.commit()
    info = charts.dashboard_charts(campaign, tree["D"], in_scope=2)
    assert info.completion is None and info.scores is None and info.days == []
    auth.login("hr")
    html = client.get("/reports/?campaign=C2026").get_data(as_text=True)
    assert '<svg class="chart"' not in html
    assert "Chưa có cán bộ nào hoàn thành." in html
    assert "Chưa có cán bộ nào làm bài kiểm tra." in html
