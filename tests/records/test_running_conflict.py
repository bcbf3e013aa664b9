"""A database written before one campaign at a time was the rule may hold two
campaigns of one quiz that have not closed. The quiz then serves the one whose
window it has (quiz_holder.holder), whatever the order they were written in; the
pages work; a new campaign on the quiz waits until both have closed; and `flask
campaigns check` names the one to close."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict
from app.extensions import db
from app.quizzes import attempts
from app.records import campaigns as running
from app.records import services as records
from app.records.models import COMPLETED, Campaign, CampaignTarget
from app.records.quiz_holder import holder, running_conflicts
from app.timeutil import utcnow
from tests.certificates.helpers import user
from tests.factories import make_user
from tests.records.helpers import make_campaign, read_all


def _written_before(tree, opens, closes, code="CU2026") -> Campaign:
    """A campaign of quiz Q inserted as an earlier version could (no check), with
    the records it gave its cadres."""
    other = Campaign(
        code=code, title="Đợt cũ còn chạy", year=2026, course_code="T",
        quiz_code="Q", opens_at=opens, closes_at=closes,
        required_modules=records.get_campaign("C2026").required_modules,
    )  # fmt: skip
    other.targets = [CampaignTarget(unit_id=tree["D"].id)]
    db.session.add(other)
    db.session.flush()
    records.ensure_records(other)
    db.session.commit()
    return other


def _pass_quiz(name: str) -> None:
    quiz = attempts.get_quiz("Q")
    attempt = attempts.open_attempt(user(name), quiz)
    for slot in attempt.slots:
        options = {o["key"]: o for o in slot.version.options}
        right = [i for i, k in enumerate(slot.option_order) if options[k]["correct"]]
        attempts.save_answer(attempt, slot.position, right)
    attempts.finalise(attempt)
    db.session.commit()


def test_two_running_campaigns_of_a_quiz_work_and_the_quiz_serves_one(
    app, client, auth, tmp_path
):
    """CU2026 (opened earlier, written directly) and C2026 (whose window the quiz
    has) both run for D: C2026 holds the quiz, CU2026 keeps its own dates; the
    cadre's pages answer, the quiz starts, and a passing attempt inside both
    windows completes both records; the admin's and HR's pages answer, CU2026's
    saying which campaign holds its quiz."""
    with app.app_context():
        now = utcnow()
        current, tree = make_campaign(tmp_path)
        other = _written_before(
            tree, now - timedelta(days=10), now + timedelta(days=10)
        )
        make_user("adm", tree["P"], roles=[("admin", None)])
        read_all(user("in1"), now)
        db.session.commit()
        assert holder("Q").code == "C2026"
        own = records.window_of(user("in1"), other)
        assert (own.opens_at, own.closes_at) == (other.opens_at, other.closes_at)
        window = records.window_of(user("in1"), current)
        assert (window.opens_at, window.closes_at) == (
            current.opens_at,
            current.closes_at,
        )
    auth.login("in1")
    for url in ["/", "/transcript", "/quizzes/Q"]:
        assert client.get(url).status_code == 200, url
    started = client.post(
        "/quizzes/Q/start", data={"csrf_token": auth.token("/quizzes/Q")}
    )
    assert started.status_code == 302 and "/attempts/" in started.location
    with app.app_context():
        _pass_quiz("in1")
        for code in ["C2026", "CU2026"]:
            record = records.record_for(user("in1"), records.get_campaign(code))
            assert record.status == COMPLETED, code
    assert client.get("/").status_code == 200
    auth.logout()
    auth.login("adm")
    for url in ["/admin/campaigns", "/admin/campaigns/C2026"]:
        assert client.get(url).status_code == 200, url
    for code in ["C2026", "CU2026"]:
        assert client.get(f"/reports/?campaign={code}").status_code == 200
    page = client.get("/admin/campaigns/CU2026").get_data(as_text=True)
    assert "hiện được dùng cho đợt “Bồi dưỡng năm 2026” (C2026)" in page


def test_with_the_same_window_the_later_written_campaign_holds_the_quiz(ctx, tmp_path):
    """Both windows the quiz's: the holder is the campaign written last (the one
    whose creation gave the quiz its window), asked any number of times."""
    current, tree = make_campaign(tmp_path)
    twin = _written_before(tree, current.opens_at, current.closes_at)
    assert {holder("Q").code for _ in range(3)} == {"CU2026"}
    [row] = running_conflicts()
    assert (row.holder.code, [c.code for c in row.others]) == ("CU2026", ["C2026"])
    assert twin.id > current.id


def test_campaigns_check_names_the_campaign_to_close(app, runner, tmp_path):
    with app.app_context():
        now = utcnow()
        _current, tree = make_campaign(tmp_path)
        _written_before(tree, now - timedelta(days=10), now + timedelta(days=10))
    result = runner.invoke(args=["campaigns", "check"])
    assert result.exit_code != 0
    assert (
        "Bài kiểm tra “Q” theo thời gian làm bài của đợt C2026; đợt CU2026 cũng dùng "
        "bài này mà chưa kết thúc. Hãy đóng đợt CU2026"
    ) in result.output
    with app.app_context():
        running.close_campaign(records.get_campaign("CU2026"))
        db.session.commit()
    result = runner.invoke(args=["campaigns", "check"])
    assert result.exit_code == 0, result.output
    assert "nhiều nhất một đợt chưa kết thúc" in result.output


def test_a_new_campaign_waits_for_every_unclosed_campaign_of_the_quiz(ctx, tmp_path):
    """The holder C2026 closed, CU2026 (written before the rule) still runs: a new
    campaign on Q is refused, naming CU2026, and nothing is written."""
    now = utcnow()
    current, tree = make_campaign(tmp_path)
    _written_before(tree, now - timedelta(days=10), now + timedelta(days=10))
    running.close_campaign(current, now=now)
    db.session.commit()
    assert holder("Q").code == "C2026"
    before = db.session.scalar(select(func.count(Campaign.id)))
    with pytest.raises(Conflict, match="CU2026"):
        records.create_campaign(
            "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
            now + timedelta(days=1), now + timedelta(days=30), [tree["D"]],
        )  # fmt: skip
    db.session.rollback()
    assert db.session.scalar(select(func.count(Campaign.id))) == before
    running.close_campaign(records.get_campaign("CU2026"))
    db.session.commit()
    records.create_campaign(
        "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
        now + timedelta(days=1), now + timedelta(days=30), [tree["D"]],
    )  # fmt: skip
    assert holder("Q").code == "C2027"


def test_campaigns_check_reads_a_quiz_no_longer_in_use(app, runner, tmp_path):
    """Two campaigns of a quiz since taken out of use (inactive): the check still
    names the one to close (it stopped on get_quiz's NotFound: active quizzes
    only)."""
    with app.app_context():
        now = utcnow()
        _current, tree = make_campaign(tmp_path)
        _written_before(tree, now - timedelta(days=10), now + timedelta(days=10))
        attempts.get_quiz("Q").active = False
        db.session.commit()
    result = runner.invoke(args=["campaigns", "check"])
    assert result.exit_code == 1, result.output
    assert "Hãy đóng đợt CU2026" in result.output
    with app.app_context():
        rows = running_conflicts()
        assert [(r.quiz_code, r.holder.code) for r in rows] == [("Q", "C2026")]
        assert [c.code for c in rows[0].others] == ["CU2026"]
