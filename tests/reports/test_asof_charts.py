"""The dashboard's charts count the records its table counts: as of any day, in
the structure of that day, for a unit still there or a former one (merged,
split, dissolved), whatever the attribution; today's view too (a cadre who
completed in the unit and has left since is still its record)."""

import re
from datetime import date

import pytest
from sqlalchemy import select, update

from app.accounts.days import vn_today
from app.accounts.models import Unit
from app.accounts.rollup import ATTRIBUTIONS, Structure
from app.extensions import db
from app.records.models import Campaign, TrainingRecord
from app.reports import asof, charts, counts
from tests.factories import make_user

from .history_world import build
from .test_former_units import _gone_to_can_tho

LAST = "2025-06-30"  # former Kiên Giang's last day


@pytest.fixture
def world(app):
    """{code or username: id} (tests/reports/history_world.py) with the officers
    of the new province and of Cần Thơ, and an administrator."""
    with app.app_context():
        world = build()
        make_user("hr-ag", world["AGM"], roles=[("hr", world["AGM"])])
        make_user("hr-ct", world["CT"], roles=[("hr", world["CT"])])
        make_user("boss", world["CT-SNV"], roles=[("admin", None)])
        db.session.commit()
        return {key: value.id for key, value in world.items()}


def _figure(html: str, label: str) -> int:
    found = re.search(rf"<dt>{label}</dt><dd>([\d.]+)</dd>", html)
    assert found, label
    return int(found.group(1).replace(".", ""))


def _cells(html: str, table_id: str) -> list[str]:
    table = re.search(rf'<table class="data" id="{table_id}">(.*?)</table>', html, re.S)
    assert table, table_id
    return re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table.group(1))


def _charted(html: str) -> tuple[int, int, dict[str, int]]:
    """(completed by the end of the completion chart, cadres in the score chart,
    {bin: cadres} of its non-empty bins), from the charts' data tables."""
    assert html.count('<svg class="chart"') == 2
    days = _cells(html, "completion-table")[3:]
    bins = _cells(html, "scores-table")[2:]
    scored = {low: int(n) for low, n in zip(bins[::2], bins[1::2], strict=True)}
    return int(days[-1]), sum(scored.values()), {k: n for k, n in scored.items() if n}


def _table(html: str) -> tuple[int, int]:
    """(completed, tried: completed or in progress) of the dashboard's figures;
    in this world a record has a best score when it has been tried."""
    completed = _figure(html, "Đã hoàn thành")
    return completed, completed + int(re.search(r"Đang học: (\d+)", html).group(1))


@pytest.mark.parametrize("who", ["hr-ag", "boss"])
@pytest.mark.parametrize("attribution", ATTRIBUTIONS)
def test_a_former_units_dashboard_charts_its_records_of_its_last_day(
    client, auth, world, who, attribution
):
    """Former Kiên Giang on 30/06/2025, campaign 2024: A1 (90, completed in Sở
    TT&TT), A4 (100, in Rạch Giá), A3 (50, in progress in Vĩnh Thanh Vân); their
    records are in units of An Giang (mới) today, not in its subtree."""
    auth.login(who)
    query = f"campaign=C2024&as_of={LAST}&attribution={attribution}"
    html = client.get(f"/reports/?{query}&unit={world['KG']}").get_data(as_text=True)
    assert _table(html) == (2, 3)
    done, scored, bins = _charted(html)
    assert (done, scored) == (2, 3)
    assert bins == {"50–59": 1, "90–100": 2}
    assert "Từ 01/06/2024 đến 01/06/2024, 2 trên 3 cán bộ" in html


@pytest.mark.parametrize("attribution", ATTRIBUTIONS)
def test_a_living_units_dashboard_of_a_past_day_charts_what_its_table_counts(
    app, client, auth, world, attribution
):
    """A1 completed the 2024 campaign in former Sở TT&TT and works in Cần Thơ
    since 2026: An Giang's dashboard of 2024 counts and charts the record, Cần
    Thơ's neither."""
    _gone_to_can_tho(app, world)
    query = f"campaign=C2024&as_of=2024-12-31&attribution={attribution}"
    auth.login("hr-ag")
    html = client.get(f"/reports/?{query}").get_data(as_text=True)
    assert _table(html) == (3, 4)
    assert _charted(html) == (3, 4, {"50–59": 1, "80–89": 1, "90–100": 2})
    auth.logout()
    auth.login("hr-ct")
    html = client.get(f"/reports/?{query}").get_data(as_text=True)
    assert _table(html) == (1, 1)
    assert _charted(html) == (1, 1, {"60–69": 1})


def test_todays_dashboard_charts_what_its_table_counts(app, client, auth, world):
    """Today's view keeps today's structure; a cadre who completed in the unit
    and has left since is still counted there, by the table and the charts."""
    auth.login("hr-ag")
    before = client.get("/reports/?campaign=C2026").get_data(as_text=True)
    assert _table(before) == (2, 3)
    assert _charted(before) == (2, 3, {"40–49": 1, "70–79": 1, "90–100": 1})
    _gone_to_can_tho(app, world)
    html = client.get("/reports/?campaign=C2026").get_data(as_text=True)
    assert _table(html) == (2, 3) and _charted(html) == _charted(before)
    auth.logout()
    auth.login("hr-ct")
    html = client.get("/reports/?campaign=C2026").get_data(as_text=True)
    assert _table(html) == (1, 1) and _charted(html) == (1, 1, {"90–100": 1})


def _legacy(app, world) -> None:
    """A4's 2024 record completed without the unit it was completed in (data of
    before completed_unit_id): it counts for its cadre's unit on the campaign's
    last day, former Rạch Giá, not for its unit now."""
    with app.app_context():
        db.session.execute(
            update(TrainingRecord)
            .where(TrainingRecord.user_id == world["a4"])
            .values(completed_unit_id=None)
        )
        db.session.commit()


@pytest.mark.parametrize(
    "legacy, in_list, shared",
    [
        (False, 500, False),
        (True, 500, False),
        (True, 1, False),
        (True, 500, True),
        (True, 3, True),
    ],
)
def test_the_charts_count_the_tables_records_for_every_unit_and_day(
    app, world, monkeypatch, legacy, in_list, shared
):
    """`in_list` 1: every scope read as a large one (the whole campaign for the
    table, one array of ids on PostgreSQL for the charts); 3: the province's
    scopes charted as the whole campaign less the few units outside them;
    `shared`: the table and the charts share the moves since the day, as the
    dashboard's view."""
    monkeypatch.setattr(counts, "MAX_IN_LIST", in_list)
    _gone_to_can_tho(app, world)
    if legacy:
        _legacy(app, world)
    days = [date(2024, 12, 31), date(2025, 6, 30), date(2025, 7, 1), vn_today()]
    with app.test_request_context():
        units = db.session.scalars(select(Unit)).all()
        for campaign in db.session.scalars(select(Campaign)).all():
            for day in days:
                structure = Structure.on(day)
                for unit in units:
                    for attribution in ATTRIBUTIONS:
                        stated = asof.AsOf(day, attribution)
                        moves = None
                        if shared:
                            moves = charts.dashboard_moves(campaign, structure)
                        result = asof.figures(
                            campaign, unit, stated, structure, None, moves
                        )
                        summary = asof.summary_row(result)
                        figures = result.subtree.get(unit.id)
                        info = charts.dashboard_charts(
                            campaign, unit, summary.total, structure, moves
                        )
                        done = info.days[-1].cumulative if info.days else 0
                        case = (campaign.code, day, unit.code, attribution)
                        assert done == summary.completed, case
                        assert info.scored == (figures[6] if figures else 0), case


def test_a_closed_campaigns_dashboard_reads_the_moves_since_once(
    app, client, auth, world
):
    """Today's dashboard of a campaign closed before today corrects its table and
    both charts by the records not completed whose cadre has moved since the
    campaign's last day (counts.Moves): one statement for the three, not one
    each; the charts still count what the table counts."""
    from sqlalchemy import event

    _gone_to_can_tho(app, world)
    with app.app_context():
        engine = db.engine
    statements = []
    listener = lambda *args: statements.append(" ".join(args[2].split()))  # noqa: E731
    for who in ("hr-ag", "boss"):
        auth.login(who)
        for unit in ("", f"&unit={world['KG']}"):
            statements.clear()
            event.listen(engine, "before_cursor_execute", listener)
            try:
                html = client.get(f"/reports/?campaign=C2024{unit}")
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            html = html.get_data(as_text=True)
            moved = [s for s in statements if "JOIN assignment ON" in s]
            assert len(moved) == 1, moved
            completed, tried = _table(html)
            assert _charted(html)[:2] == (completed, tried), (who, unit)
        auth.logout()
