"""A download as of a day reads the tree of that day (rollup.Structure: every
unit's history, three queries over all units) once: the unit asked for is
opened by it (app.accounts.report_access), the records are chosen and their units named
by it; a job that makes the file reads it once more, for itself (the world:
tests/reports/history_world.py)."""

import pytest

from app.accounts import rollup
from app.extensions import db
from tests.factories import make_user

from .history_world import build

PAST = "campaign=C2024&as_of=2024-12-31"


@pytest.fixture
def world(app):
    with app.app_context():
        world = build()
        make_user("hr-ag", world["AGM"], roles=[("hr", world["AGM"])])
        db.session.commit()
        return {key: value.id for key, value in world.items()}


@pytest.fixture
def builds(monkeypatch) -> list:
    """The days of the Structures built from now on."""
    days = []
    build_on = rollup.Structure.on.__func__

    def counted(cls, day):
        days.append(day)
        return build_on(cls, day)

    monkeypatch.setattr(rollup.Structure, "on", classmethod(counted))
    return days


# a unit alive today (An Giang mới) and one that ended with the 2025 mergers
# (Kiên Giang, opened by the rule for former units, which reads the tree too)
UNITS = ["AGM", "KG"]
DOWNLOADS = ["export.csv", "export.xlsx", "annual.xlsx"]


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("download", DOWNLOADS)
def test_a_download_as_of_a_day_reads_the_tree_once(
    client, auth, world, builds, unit, download
):
    auth.login("hr-ag")
    response = client.get(f"/reports/{download}?{PAST}&unit={world[unit]}")
    assert response.status_code == 200
    response.get_data()  # the rows are streamed
    assert len(builds) == 1, builds
    assert str(builds[0]) == "2024-12-31"


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("download", ["export.csv", "export.xlsx"])
def test_a_job_as_of_a_day_reads_the_tree_once_more(
    app, client, auth, world, builds, unit, download
):
    """The page reads it to count the rows; the job (run inline here) to make the
    file, and the file is what the page's download would have been."""
    app.config["EXPORT_JOB_ROWS"] = -1  # every file is a job
    auth.login("hr-ag")
    started = client.get(f"/reports/{download}?{PAST}&unit={world[unit]}")
    assert started.status_code == 302 and "/jobs/" in started.location
    assert [str(day) for day in builds] == ["2024-12-31"] * 2
    made = client.get(f"/jobs/{started.location.rsplit('/', 1)[1]}/download")
    app.config["EXPORT_JOB_ROWS"] = 10_000
    direct = client.get(f"/reports/{download}?{PAST}&unit={world[unit]}")
    if download == "export.csv":
        assert made.get_data(as_text=True) == direct.get_data(as_text=True)
    else:
        assert made.status_code == direct.status_code == 200


@pytest.mark.parametrize("unit", UNITS)
def test_the_annual_job_reads_the_tree_once_more(
    app, client, auth, world, builds, unit
):
    app.config["EXPORT_JOB_ROWS"] = -1  # every file is a job
    auth.login("hr-ag")
    started = client.get(f"/reports/annual.xlsx?{PAST}&unit={world[unit]}")
    assert started.status_code == 302 and "/jobs/" in started.location
    assert [str(day) for day in builds] == ["2024-12-31"] * 2


def test_the_export_command_reads_the_tree_once(runner, world, builds, tmp_path):
    out = tmp_path / "export.csv"
    args = ["reports", "export", "--campaign", "C2024", "--unit", "KG"]
    result = runner.invoke(args=[*args, "--as-of", "2024-12-31", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [str(day) for day in builds] == ["2024-12-31"]
