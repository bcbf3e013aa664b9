"""An accommodation belongs to the round of the quiz it was granted in: once a later
campaign reuses the quiz (next year's), last year's grant no longer applies — not
to the attempts allowed, the time limit, the open attempts refitted or who is out
of attempts — until HR grants it again (windows.in_force)."""

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.quizzes import accommodations, attempts, refit, windows
from app.quizzes.models import Accommodation
from app.quizzes.services import attempts_allowed_for, out_of_attempts
from app.records import services as records
from app.timeutil import utcnow
from tests.certificates.helpers import user
from tests.factories import make_user
from tests.records.helpers import make_campaign, read_all


def _last_year(tmp_path):
    """C2026 on quiz Q (10 minutes, 2 attempts), closed; HR officer `hr` of D; in1
    granted +2 attempts and +50 % for it. Returns the tree."""
    now = utcnow()
    _old, tree = make_campaign(
        tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
    )
    make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    accommodations.grant(
        user("in1"), _quiz(), "Gãy tay (2026)", extra_percent=50, extra_attempts=2
    )
    db.session.commit()
    return tree


def _this_year(tree, opens=None):
    """C2027, reusing quiz Q (created now), open from `opens` (default yesterday)."""
    now = utcnow()
    records.create_campaign(
        "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
        opens or now - timedelta(days=1), now + timedelta(days=30), [tree["D"]],
    )  # fmt: skip
    db.session.commit()


def _this_year_after_last(tmp_path):
    """_last_year's grant, then C2027 created on its quiz: the grant has lapsed."""
    tree = _last_year(tmp_path)
    _this_year(tree)
    return tree


def _quiz():
    return attempts.get_quiz("Q")


def _applies(username="in1") -> bool:
    return windows.accommodation_for(user(username), _quiz()) is not None


def test_a_grant_applies_in_the_round_it_was_made_for(ctx, tmp_path):
    _last_year(tmp_path)
    assert _applies() and attempts_allowed_for(user("in1"), _quiz()) == 2 + 2


def test_last_years_grant_lapses_when_a_campaign_reuses_the_quiz(ctx, tmp_path):
    _this_year_after_last(tmp_path)
    quiz, in1 = _quiz(), user("in1")
    assert not _applies()
    assert attempts_allowed_for(in1, quiz) == 2  # the quiz's own, no extra
    now = utcnow()
    read_all(in1, now)
    attempt = attempts.start_attempt(in1, quiz, now=now)
    assert attempt.deadline_at == now + timedelta(minutes=10)  # not +50 %
    refit.refit_open_attempts(quiz)  # a change of window: refitted, still no extra
    assert attempt.deadline_at == now + timedelta(minutes=10)
    attempts.finalise(attempt, now)
    attempts.finalise(attempts.start_attempt(in1, quiz, now=now), now)
    db.session.commit()
    assert out_of_attempts(quiz, [in1.id]) == {in1.id}  # 2 used, none extra


def test_a_grant_made_in_advance_for_the_new_round_applies(ctx, tmp_path):
    """Granted once this year's campaign is created, before its window opens."""
    tree = _last_year(tmp_path)
    _this_year(tree, opens=utcnow() + timedelta(days=5))
    make_user("in3", tree["D1A"])
    accommodations.grant(user("in3"), _quiz(), "Khiếm thị", extra_attempts=1)
    db.session.commit()
    assert _applies("in3") and attempts_allowed_for(user("in3"), _quiz()) == 3
    assert not _applies("in1")  # last year's, still lapsed


def test_granting_a_lapsed_grant_again_renews_it(ctx, tmp_path):
    _this_year_after_last(tmp_path)
    before = windows.grant_of(user("in1"), _quiz()).granted_at
    accommodations.grant(
        user("in1"), _quiz(), "Vẫn gãy tay (2027)", extra_attempts=1, actor=user("hr")
    )
    db.session.commit()
    (grant,) = db.session.scalars(select(Accommodation)).all()  # the same row
    assert grant.granted_at > before and grant.reason == "Vẫn gãy tay (2027)"
    assert _applies() and attempts_allowed_for(user("in1"), _quiz()) == 3
    granted = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "accommodation.granted")
    ).all()
    assert len(granted) == 2  # last year's and this one, both in the log


def test_the_hr_page_shows_a_lapsed_grant_as_lapsed(client, auth, ctx, tmp_path):
    _this_year_after_last(tmp_path)
    auth.login("hr")
    url = f"/reports/cadres/{user('in1').id}/accommodations"
    html = client.get(url).get_data(as_text=True)
    assert "Gãy tay (2026)" in html  # still listed, with what it was
    assert "Đã hết hiệu lực (cấp cho đợt trước)" in html
    assert "Cấp lại cho đợt này" in html
    # the form is not filled in with last year's extras, nor warns of replacing
    assert 'name="extra_attempts" type="number" value="2"' not in html
    assert "Lưu sẽ thay cả điều chỉnh đang có" not in html
    posted = client.post(
        url,
        data={"csrf_token": auth.token(url), "quiz_code": "Q", "extra_attempts": "1",
              "reason": "Vẫn gãy tay (2027)"},
        follow_redirects=True,
    )  # fmt: skip
    html = posted.get_data(as_text=True)
    assert "Đã lưu điều chỉnh" in html and "Đã hết hiệu lực" not in html
    assert 'name="extra_attempts" type="number" value="1"' in html
    assert _applies()


def test_the_command_line_lists_a_lapsed_grant_as_lapsed(app, runner, ctx, tmp_path):
    tree = _last_year(tmp_path)
    listing = runner.invoke(args=["accommodations", "list", "--quiz", "Q"])
    assert "\tđang áp dụng\tGãy tay (2026)" in listing.output
    _this_year(tree)
    listing = runner.invoke(args=["accommodations", "list"])
    assert "\tđã hết hiệu lực (cấp cho đợt trước)\tGãy tay (2026)" in listing.output
    assert "1 điều chỉnh." in listing.output


def test_a_grant_of_a_quiz_no_campaign_uses_always_applies(ctx):
    from tests.factories import make_tree
    from tests.quizzes.helpers import make_quiz

    make_quiz()
    make_user("in1", make_tree()["D1A"])
    accommodations.grant(user("in1"), _quiz(), "Khiếm thị", extra_minutes=5)
    db.session.commit()
    assert _applies()
