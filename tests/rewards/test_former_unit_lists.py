"""The reward candidates of a unit that ended in the 1/7/2025 mergers (former Kiên
Giang, one of its departments; tests.reports.history_world), as its reports: the
command line's --unit and the page's ?unit= list what the province's list
attributes to its subtree (Structure.scope_of: what rolled up into it on its
last day); the HR of the successor opens it, the HR of another subtree is told
it is not found (app.accounts.report_access, the reports' rule), an
administrator opens it; the page reads the tree once."""

from datetime import date

import pytest

from app.accounts import rollup
from app.accounts.models import Unit
from app.accounts.rollup import AT_TIME, ROLLED_UP, Structure
from app.extensions import db
from app.records.asof import AsOf
from app.records.models import Campaign
from app.rewards import services
from tests.factories import make_user

from .test_asof import world  # noqa: F401  (the fixture)

DAYS = (date(2024, 11, 1), date(2025, 6, 30))


@pytest.fixture
def officers(app, world):  # noqa: F811
    """HR officers of the new An Giang and of Cần Thơ."""
    with app.app_context():
        for name, code in (("hra", "AGM"), ("hrc", "CT")):
            unit = db.session.get(Unit, world[code])
            make_user(name, unit, roles=[("hr", unit)])
        db.session.commit()
    return world


def _province_part(ids, code: str, day: date, attribution: str = AT_TIME):
    """(collective codes, individual usernames) of the province's list of `day`
    whose unit lies in `code`'s subtree in the tree of that day."""
    campaign = db.session.get(Campaign, ids["C2024"])
    collectives, people = services.candidate_lists(
        campaign, None, AsOf(day, attribution)
    )
    structure, root = Structure.on(day), ids[code]

    def inside(unit_id: int) -> bool:
        return unit_id == root or root in structure.place(unit_id).ancestors

    return (
        {row.unit.code for row in collectives if inside(row.unit.id)},
        {row.user.username for row in people if inside(row.unit.id)},
    )


def _cli_lists(output: str) -> tuple[set[str], set[str]]:
    collectives, people, section = set(), set(), None
    for line in output.splitlines():
        if line.startswith("Tập thể ("):
            section = collectives
        elif line.startswith("Cá nhân ("):
            section = people
        elif line.startswith("  ") and section is not None:
            section.add(line.split("\t")[0].strip())
    return collectives, people


@pytest.mark.parametrize("code", ["KG", "KG-STTTT", "KG-RG"])
def test_the_command_line_lists_a_former_units_candidates(app, runner, world, code):  # noqa: F811
    args = ["rewards", "candidates", "--campaign", "C2024", "--unit", code]
    for day in DAYS:
        result = runner.invoke(args=[*args, "--as-of", day.isoformat()])
        assert result.exit_code == 0, result.output
        with app.app_context():
            expected = _province_part(world, code, day)
        assert _cli_lists(result.output) == expected, (code, day)
        assert expected[0] and expected[1], (code, day)  # not an empty pass
    today = runner.invoke(args=args)  # today, at the time: as on its last day
    with app.app_context():
        assert _cli_lists(today.output) == _province_part(world, code, DAYS[1])


def test_kg_as_of_november_2024(app, runner, world):  # noqa: F811
    result = runner.invoke(
        args=["rewards", "candidates", "--campaign", "C2024", "--unit", "KG"]
        + ["--as-of", "2024-11-01"]
    )
    assert _cli_lists(result.output) == ({"KG", "KG-STTTT", "KG-RG"}, {"a1", "a4"})


def _page(client, ids, unit: str, query: str = ""):
    return client.get(f"/rewards/campaigns/C2024?unit={ids[unit]}{query}")


@pytest.mark.parametrize("attribution", [AT_TIME, ROLLED_UP])
def test_the_successors_hr_and_an_administrator_open_a_former_unit(
    app, client, auth, officers, attribution
):
    query = f"&as_of=2024-11-01&attribution={attribution}"
    with app.app_context():
        codes, people = _province_part(officers, "KG", DAYS[0], attribution)
        names = {
            username: db.session.scalar(
                db.select(Unit.name).where(Unit.id == officers[code])
            )
            for username, code in (("a1", "KG-STTTT"), ("a4", "KG-RG"))
        }
    assert codes == {"KG", "KG-STTTT", "KG-RG"} and people == {"a1", "a4"}
    for login in ("hra", "adm"):
        auth.login(login)
        response = _page(client, officers, "KG", query)
        assert response.status_code == 200, login
        text = response.get_data(as_text=True)
        for name in names.values():
            assert name in text, (login, name)
        assert "Sở Nội vụ thành phố Cần Thơ" not in text  # CT's, not KG's
        assert "Sở Khoa học và Công nghệ — Ủy ban" not in text  # a2: AGO's
        auth.logout()


def test_hr_of_another_subtree_is_told_the_former_unit_is_not_found(
    client, auth, officers
):
    auth.login("hrc")
    for unit in ("KG", "KG-STTTT"):
        assert _page(client, officers, unit).status_code == 404, unit
        response = client.get(
            f"/rewards/campaigns/C2024/candidates.xlsx?unit={officers[unit]}"
        )
        assert response.status_code == 404, unit
    assert _page(client, officers, "CT").status_code == 200


def test_the_page_of_a_former_unit_reads_the_tree_once(
    app, client, auth, officers, monkeypatch
):
    reads = []
    original = rollup.Structure.on.__func__

    def counted(cls, day):
        reads.append(day)
        return original(cls, day)

    monkeypatch.setattr(rollup.Structure, "on", classmethod(counted))
    auth.login("hra")
    for query in ("&as_of=2024-11-01", ""):
        reads.clear()
        assert _page(client, officers, "KG", query).status_code == 200
        assert len(reads) == 1, (query, reads)


def test_a_former_units_paper_is_issued_by_its_successor(client, auth, officers):
    """The paper of former Kiên Giang's nominations, dated today, is issued by An
    Giang (an abolished province issues nothing) and says whose list it is."""
    auth.login("hra")
    response = client.get(f"/rewards/campaigns/C2024/paper?unit={officers['KG']}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ỦY BAN NHÂN DÂN TỈNH AN GIANG" in page
    assert "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG" not in page
    assert "An Giang, ngày" in page and "Kiên Giang, ngày" not in page
    assert (
        "Số liệu của Ủy ban nhân dân tỉnh Kiên Giang (đơn vị đã kết thúc, đến hết "
        "ngày 30/06/2025)." in page
    )
