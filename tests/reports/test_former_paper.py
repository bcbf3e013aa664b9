"""The paper of a former unit's report dated after it ended is issued by the unit
its records went to, with that unit's place, the figures still the former unit's
(the place name printed on a paper is the one valid on its date)."""

from datetime import date

import pytest

from app.accounts.rollup import AT_TIME, ROLLED_UP
from app.reports import asof
from app.reports.annual import annual_report

from .history_world import MERGER, build

NOTE = (
    "Số liệu của Ủy ban nhân dân tỉnh Kiên Giang (đơn vị đã kết thúc, đến hết ngày "
    "30/06/2025)."
)


@pytest.fixture
def world(ctx):
    return build()


def test_a_former_units_paper_of_a_later_day_is_its_successors(app, world):
    later = asof.AsOf(date(2026, 12, 1), AT_TIME)
    with app.test_request_context():
        report = annual_report(world["C2024"], world["KG"], as_of=later)
    head = report.heading
    assert head.issuing_body == "ỦY BAN NHÂN DÂN TỈNH AN GIANG"  # AGM, not KG
    assert head.place == "An Giang" and head.recipient == "Sở Nội vụ tỉnh An Giang"
    assert report.place_dated.startswith("An Giang, ngày 01 tháng 12 năm 2026")
    assert report.former_note == NOTE
    assert report.total.total == 3  # still former Kiên Giang's figures


@pytest.mark.parametrize("attribution", [AT_TIME, ROLLED_UP])
def test_a_former_units_paper_of_a_day_it_was_there_is_its_own(app, world, attribution):
    before = asof.AsOf(MERGER.replace(day=1, month=6), attribution)
    with app.test_request_context():
        report = annual_report(world["C2024"], world["KG"], as_of=before)
    assert report.heading.issuing_body == "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG"
    assert report.heading.place == "Kiên Giang" and report.former_note == ""


def test_the_page_says_whose_figures_the_paper_holds(app, client, auth, world):
    from tests.factories import make_user

    make_user("adm", world["AGM"], roles=[("admin", None)])
    auth.login("adm")
    page = client.get(
        f"/reports/annual?campaign=C2024&unit={world['KG'].id}&as_of=2026-12-01"
    ).get_data(as_text=True)
    assert "ỦY BAN NHÂN DÂN TỈNH AN GIANG" in page
    assert NOTE in page
