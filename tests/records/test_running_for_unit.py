"""A campaign closed itself that runs on for a unit whose own window closes later:
a change of the cadres (cadres_changed, sent by a cadre import, a restructure, a
move of a unit) gives records, and moves them to their cadre's current unit, for
that unit's cadres only (records.ensure_records, as the per-cadre path does)."""

from datetime import timedelta

from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.cadre_import import apply_import, parse_cadre_file, plan_import
from app.accounts.models import Unit, User
from app.extensions import db
from app.quizzes import services as quizzes
from app.records import campaigns as running
from app.records import services as records
from app.signals import cadres_changed
from app.timeutil import utcnow
from tests.certificates.helpers import user
from tests.factories import make_user
from tests.records.helpers import closed_but_for_d1, make_campaign


def _import(tree, *rows: str) -> dict:
    data = ("\n".join(["ma can bo,ho va ten,ma don vi", *rows]) + "\n").encode()
    plan = plan_import(parse_cadre_file(data, "list.csv"), tree["P"], None)
    counts = apply_import(plan, None)
    db.session.commit()
    return counts


def _by_code(code: str) -> User:
    return db.session.scalar(select(User).where(User.employee_code == code))


def _unit_of(cadre: User, campaign):
    record = records.record_for(cadre, campaign)
    return record and record.unit_id


def test_cadres_changed_gives_no_record_in_a_unit_the_campaign_has_closed_for(
    ctx, tmp_path
):
    campaign, tree = closed_but_for_d1(tmp_path, utcnow())
    joined = accounts.create_user("moi", "Trần Văn Mới", tree["D"])
    db.session.commit()
    assert records.record_for(joined, campaign) is None  # the per-cadre path
    cadres_changed.send(tree["P"], actor=None)  # as any cadre import does
    db.session.commit()
    assert records.record_for(joined, campaign) is None  # never completable


def test_cadres_changed_leaves_a_record_in_the_unit_its_campaign_closed_in(
    ctx, tmp_path
):
    campaign, tree = closed_but_for_d1(tmp_path, utcnow())
    accounts.move_user(user("in1"), tree["D"])  # out of D1, for which it runs on
    db.session.commit()
    assert _unit_of(user("in1"), campaign) == tree["D1A"].id
    cadres_changed.send(tree["P"], actor=None)
    db.session.commit()
    assert _unit_of(user("in1"), campaign) == tree["D1A"].id  # past reports stay


def test_cadres_changed_still_serves_the_unit_the_campaign_runs_on_for(ctx, tmp_path):
    campaign, tree = closed_but_for_d1(tmp_path, utcnow())
    in1 = user("in1")
    in1.unit_id = tree["D1"].id  # a move inside D1 no signal has told yet
    db.session.commit()
    counts = _import(tree, "N1,Lê Văn Một,D", "N2,Lê Văn Hai,D1A")
    assert counts["created"] == 2
    assert records.record_for(_by_code("N1"), campaign) is None
    fresh = records.record_for(_by_code("N2"), campaign)
    assert (fresh.status, fresh.unit_id) == ("not_started", tree["D1A"].id)
    assert _unit_of(in1, campaign) == tree["D1"].id  # followed its cadre


def test_a_cadre_import_moving_cadres_moves_only_the_records_still_running(
    ctx, tmp_path
):
    campaign, tree = closed_but_for_d1(tmp_path, utcnow())
    stays = make_user("e1", tree["D1A"], employee_code="E1")
    leaves = make_user("e2", tree["D1A"], employee_code="E2")
    assert _unit_of(stays, campaign) == _unit_of(leaves, campaign) == tree["D1A"].id
    counts = _import(tree, "E1,Nguyễn Văn An,D1", "E2,Nguyễn Văn An,D")
    assert counts["moved"] == 2
    assert _unit_of(stays, campaign) == tree["D1"].id  # still running for D1
    assert _unit_of(leaves, campaign) == tree["D1A"].id  # closed in D1A


def test_a_deeper_closed_window_inside_the_open_one_takes_no_newcomer(ctx, tmp_path):
    campaign, tree = closed_but_for_d1(tmp_path, utcnow())
    now = utcnow()
    running.set_unit_window(
        campaign, tree["D1A"], now - timedelta(days=30), now - timedelta(days=1)
    )
    db.session.commit()
    _import(tree, "N1,Lê Văn Một,D1", "N2,Lê Văn Hai,D1A")
    assert _unit_of(_by_code("N1"), campaign) == tree["D1"].id
    assert records.record_for(_by_code("N2"), campaign) is None


def test_an_open_campaign_gives_every_newcomer_a_record(ctx, tmp_path):
    campaign, tree = make_campaign(tmp_path)
    _import(tree, "N1,Lê Văn Một,D", "N2,Lê Văn Hai,D1A", "N3,Lê Văn Ba,C1")
    assert _unit_of(_by_code("N1"), campaign) == tree["D"].id
    assert _unit_of(_by_code("N2"), campaign) == tree["D1A"].id
    assert records.record_for(_by_code("N3"), campaign) is None  # out of scope


def test_a_campaign_created_closed_still_gives_its_scope_records(ctx, tmp_path):
    """Creating (or editing) a campaign sets its scope: a campaign entered after it
    closed gets its records as before; only a change of the cadres is limited."""
    campaign, tree = closed_but_for_d1(tmp_path, utcnow())
    assert _unit_of(user("in1"), campaign) == tree["D1A"].id
    assert _unit_of(user("in2"), campaign) == tree["D1"].id


def test_the_sql_window_rule_matches_window_of_unit(ctx, tmp_path):
    """quizzes.window_of_unit_closed_sql picks the units whose window_of_unit has
    closed: nested unit windows (D1 open, D1A inside it with its own), one closed
    (C), and the quiz's own window closed or open for the units with none."""
    campaign, tree = closed_but_for_d1(tmp_path, utcnow())
    now = utcnow()
    running.set_unit_window(campaign, tree["D1A"], now, now + timedelta(hours=1))
    quiz = quizzes.get_quiz("Q")
    quizzes.set_unit_window(  # outside the campaign: the quiz's rule alone
        quiz, tree["C"], now - timedelta(days=9), now - timedelta(days=3)
    )
    units = db.session.scalars(select(Unit)).all()
    seen = {}
    for quiz_closes in (now - timedelta(days=2), now + timedelta(days=5)):
        quiz.closes_at = quiz_closes
        db.session.flush()
        for moment in (now, now + timedelta(hours=2), now + timedelta(days=11)):
            picked = select(Unit.id).where(
                quizzes.window_of_unit_closed_sql(quiz, Unit.path, moment)
            )
            closed = {
                u.code: u.id
                for u in units
                if quizzes.window_of_unit(quiz, u).has_closed(moment)
            }
            assert set(db.session.scalars(picked)) == set(closed.values())
            seen[quiz_closes > now, moment - now] = set(closed)
    # the quiz closed: only D1's open window and D1A's inside it are not
    assert seen[False, timedelta(0)] == {"P", "D", "C", "C1"}
    # D1A's own window closed, D1's not; the quiz open for P and D
    assert seen[True, timedelta(hours=2)] == {"D1A", "C", "C1"}


def test_editing_a_closed_campaign_leaves_its_records_where_they_closed(ctx, tmp_path):
    now = utcnow()
    campaign, tree = make_campaign(
        tmp_path, opens=now - timedelta(days=30), closes=now - timedelta(days=2)
    )
    accounts.move_user(user("in1"), tree["C1"])
    db.session.commit()
    running.edit_campaign(
        campaign,
        "Bồi dưỡng năm 2026 (sửa tên)",
        campaign.opens_at,
        campaign.closes_at,
        [tree["D"], tree["C"]],  # C added: its cadres get their record, as before
        actor=None,
    )
    db.session.commit()
    assert _unit_of(user("in1"), campaign) == tree["D1A"].id  # its history
    assert _unit_of(user("out"), campaign) == tree["C1"].id
