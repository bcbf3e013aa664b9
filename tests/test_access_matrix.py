"""Every route × every role. A route missing from RULES fails the suite."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.content.modules import load_content
from app.content.ownership import adopt_unowned
from app.content.sync_courses import sync_content, url_builders
from app.extensions import db
from app.records.services import create_campaign
from app.timeutil import utcnow
from tests.certificates.helpers import complete
from tests.conftest import csrf_token
from tests.contests.helpers import running_contest
from tests.contests.rank_helpers import ranked_contest
from tests.courses.content import write_course
from tests.factories import make_tree, make_user
from tests.html_checks import id_faults
from tests.quizzes.helpers import make_quiz

ANON, LEARNER, TRAINER, HR, ADMIN = "anon", "learner", "trainer", "hr", "admin"
EVERYONE = {ANON, LEARNER, TRAINER, HR, ADMIN}
SIGNED_IN = EVERYONE - {ANON}
AUTHORS = {TRAINER, ADMIN}

# endpoint -> who may use it
RULES = {
    "static": EVERYONE,
    "main.health": EVERYONE,
    "main.set_language": EVERYONE,
    "accounts.login": EVERYONE,
    "accounts.logout": EVERYONE,
    "main.home": SIGNED_IN,
    "accounts.change_password": SIGNED_IN,
    "accounts.cadres": {HR, ADMIN},
    "accounts.cadre": {HR, ADMIN},
    "accounts.reset_password": {HR, ADMIN},
    "accounts.reset_password_preview": {HR, ADMIN},
    "accounts.units": {ADMIN},
    "accounts.create_unit": {ADMIN},
    "accounts.unit": {ADMIN},
    "accounts.rename_unit": {ADMIN},
    "accounts.move_unit": {ADMIN},
    "accounts.merge_unit": {ADMIN},
    "accounts.merge_unit_preview": {ADMIN},
    "accounts.recode_unit": {ADMIN},
    "accounts.restructure_unit": {ADMIN},
    "accounts.import_units": {ADMIN},
    "courses.index": SIGNED_IN,
    "courses.course": SIGNED_IN,
    "courses.module": SIGNED_IN,
    "courses.complete": SIGNED_IN,
    "courses.heartbeat": SIGNED_IN,
    "courses.media": SIGNED_IN,
    "quizzes.quiz": SIGNED_IN,
    "quizzes.start": SIGNED_IN,
    "quizzes.attempt": SIGNED_IN,
    "quizzes.save_page": SIGNED_IN,
    "quizzes.flag": SIGNED_IN,
    "quizzes.save_prediction": SIGNED_IN,
    # capability token instead of a session: without it, 404 for everyone
    "quizzes.autosave": set(),
    "quizzes.status": SIGNED_IN,
    # the attempt pages' service worker: a static script (tests/quizzes/test_journal.py)
    "quizzes.service_worker": EVERYONE,
    "quizzes.confirm": SIGNED_IN,
    "quizzes.submit": SIGNED_IN,
    "quizzes.result": SIGNED_IN,
    "records.transcript": SIGNED_IN,
    "accounts.set_active": {HR, ADMIN},
    "accounts.move": {HR, ADMIN},
    "reports.audit_log": {ADMIN},
    "reports.audit_log_csv": {ADMIN},
    "reports.dashboard": {HR, ADMIN},
    "reports.cadres": {HR, ADMIN},
    "reports.cadre": {HR, ADMIN},
    "reports.ranking": {HR, ADMIN},
    # a cadre's attempts and their review: HR and trainers within their subtree
    "reports.attempt_finder": {TRAINER, HR, ADMIN},
    "reports.cadre_attempts": {TRAINER, HR, ADMIN},
    "reports.attempt_review": {TRAINER, HR, ADMIN},
    "records.campaigns": {ADMIN},
    "records.create_campaign": {ADMIN},
    "records.campaign_page": {ADMIN},
    "records.edit_campaign": {ADMIN},
    "records.unit_window": {ADMIN},
    "records.close_campaign": {ADMIN},
    "records.require_modules": {ADMIN},
    # HR with the cadre in scope (the learner of `people` is in the HR's subtree)
    "reports.accommodations_page": {HR, ADMIN},
    "reports.grant_accommodation": {HR, ADMIN},
    "reports.remove_accommodation": {HR, ADMIN},
    "reports.export_csv": {HR, ADMIN},
    "reports.export_xlsx": {HR, ADMIN},
    "reports.annual_page": {HR, ADMIN},
    "reports.annual_xlsx": {HR, ADMIN},
    # Machine access only: a Bearer token, never a session (tests/reports/test_api.py).
    "api.campaign_records": set(),
    "api.units": set(),
    "api.unit": set(),
    "api.cadres": set(),
    "api.cadre": set(),
    "api.certificates": set(),
    "api.certificate": set(),
    # The API's OpenAPI document describes it and holds no data.
    "api-docs.openapi_json": EVERYONE,
    "accounts.import_cadres": {HR, ADMIN},
    "accounts.confirm_cadre_import": {HR, ADMIN},
    "certificates.verify": EVERYONE,
    # the holder, or HR/admin with the holder in scope (others: 404)
    "certificates.download": {LEARNER, HR, ADMIN},
    "certificates.export_zip": {HR, ADMIN},
    "certificates.revoke": {HR, ADMIN},
    "certificates.reissue": {HR, ADMIN},
    "certificates.revoke_preview": {HR, ADMIN},
    "certificates.reissue_preview": {HR, ADMIN},
    # Authoring: trainers (content owned inside their scope) and administrators.
    "authoring.index": AUTHORS,
    "authoring.module_edit": AUTHORS,
    "authoring.module_new": AUTHORS,
    "authoring.module_preview": AUTHORS,
    "authoring.module_publish": AUTHORS,
    "authoring.module_publish_preview": AUTHORS,
    "authoring.module_discard": AUTHORS,
    "authoring.module_discard_preview": AUTHORS,
    "authoring.module_versions": AUTHORS,
    "authoring.module_diff": AUTHORS,
    "authoring.module_revert": AUTHORS,
    "authoring.module_revert_preview": AUTHORS,
    "authoring.bank": AUTHORS,
    "authoring.bank_new": AUTHORS,
    "authoring.question_new": AUTHORS,
    "authoring.question_edit": AUTHORS,
    "authoring.question_set_active": AUTHORS,
    "authoring.question_versions": AUTHORS,
    "authoring.question_retire_preview": AUTHORS,
    "authoring.bank_export_gift": AUTHORS,
    "authoring.bank_upload": AUTHORS,
    "authoring.bank_upload_confirm": AUTHORS,
    "authoring.quiz_settings": AUTHORS,
    "authoring.contests": AUTHORS,
    "authoring.contest_edit": AUTHORS,
    "authoring.contest_round": AUTHORS,
    "contests.index": EVERYONE,
    "contests.contest": EVERYONE,
    "contests.start": SIGNED_IN,
    "authoring.quiz_stats": AUTHORS,
    "authoring.quiz_stats_csv": AUTHORS,
    "authoring.quiz_preview": AUTHORS,
    # Background jobs: anyone signed in has a list; a job is its owner's alone.
    "jobs.index": SIGNED_IN,
    "jobs.show": SIGNED_IN,
    "jobs.status": SIGNED_IN,
    "jobs.download": SIGNED_IN,
    "jobs.retry": SIGNED_IN,
    # Reminders: HR officers of the subtree; a notice is dismissed by its cadre only.
    "reminders.index": {HR, ADMIN},
    "reminders.send": {HR, ADMIN},
    "reminders.dismiss": SIGNED_IN,
    # Contest rankings and papers: trainers and HR over the contest's owner unit;
    # ranking (POST) is for trainers and administrators.
    "contest_staff.overview": {TRAINER, HR, ADMIN},
    "contest_staff.round_ranking": {TRAINER, HR, ADMIN},
    "contest_staff.rank_round": AUTHORS,
    "contest_staff.contest_ranking": {TRAINER, HR, ADMIN},
    "contest_staff.rank_contest": AUTHORS,
    "contest_staff.prizes_xlsx": {TRAINER, HR, ADMIN},
    "contest_staff.announcement": {TRAINER, HR, ADMIN},
    # Rewards: HR officers of the subtree; the rule and the periods: the province
    # (administrators, or HR of a top unit — the matrix's HR is a department's).
    "rewards.index": {HR, ADMIN},
    "rewards.candidates_page": {HR, ADMIN},
    "rewards.nominate": {HR, ADMIN},
    "rewards.withdraw": {HR, ADMIN},
    "rewards.candidates_xlsx": {HR, ADMIN},
    "rewards.nominations_xlsx": {HR, ADMIN},
    "rewards.paper": {HR, ADMIN},
    "rewards.rule": {ADMIN},
    "rewards.period_form": {ADMIN},
}

CONTEST_STAFF = [
    key.removeprefix("contest_staff.") for key in RULES if key.startswith("contest_")
]

# Routes that answer 401 to every browser session (token authentication).
TOKEN_ONLY = {
    "api.campaign_records",
    "api.units",
    "api.unit",
    "api.cadres",
    "api.cadre",
    "api.certificates",
    "api.certificate",
}
# Routes that need a token in the request and answer 404 without one.
TOKEN_404 = {"quizzes.autosave"}

# Forms that answer the matrix's empty post as refused input: the page again with
# the form and its problems (400), which only a role let through is shown.
REFUSES_EMPTY = {
    "accounts.create_unit",
    "accounts.rename_unit",
    "accounts.move_unit",
    "accounts.merge_unit_preview",
    "accounts.restructure_unit",
    "accounts.move",
}

# Routes whose argument belongs to one person: others get 404, so the matrix only
# checks that anonymous visitors are sent to sign in and the owner gets through.
OWN_ONLY = {
    "quizzes.attempt",
    "quizzes.save_page",
    "quizzes.flag",
    "quizzes.save_prediction",
    "quizzes.status",
    "quizzes.confirm",
    "quizzes.submit",
    "quizzes.result",
    "jobs.show",
    "jobs.status",
    "jobs.download",
    "jobs.retry",
    "reminders.dismiss",
}


@pytest.fixture
def people(app, tmp_path) -> dict[str, int]:
    """Values to fill route arguments with; data made in a context of its own."""
    write_course(tmp_path)
    app.config["COURSES_DIR"] = str(tmp_path)
    with app.app_context():
        sync_content(load_content(tmp_path), *url_builders())
        make_quiz()
        tree = make_tree()
        learner = make_user("learner", tree["D1A"], full_name="Lê Văn Học")
        make_user(
            "trainer", tree["D"], roles=[("trainer", tree["D"]), ("learner", None)]
        )
        make_user("hr", tree["D"], roles=[("hr", tree["D"]), ("learner", None)])
        make_user("admin", tree["P"], roles=[("admin", None)])
        adopt_unowned(tree["D"])  # the trainer's subtree owns the test content
        from app.quizzes.models import Attempt, Question

        question_id = db.session.scalar(
            select(Question.id).where(Question.code == "S1")
        )
        create_campaign(
            "C2026",
            "Đợt thử",
            2026,
            "T",
            "Q",
            utcnow() - timedelta(days=1),
            utcnow() + timedelta(days=30),
            [tree["P"]],
        )
        db.session.commit()
        certificate = complete("learner", utcnow())
        ranked_contest(tree, learner)
        nomination = _nomination(tree, learner)
        running_contest()
        return {
            "filename": "css/app.css",
            "user_id": learner.id,
            "unit_id": tree["D1"].id,
            "code": "T-M1",
            "courses.course:code": "T",
            "courses.media:folder": "khoa-thu",
            "courses.media:filename": "logo.png",
            "quizzes.quiz:code": "Q",
            "quizzes.start:code": "Q",
            "attempt_id": 999,
            "reports.attempt_review:attempt_id": db.session.scalar(
                select(Attempt.id).where(Attempt.user_id == learner.id)
            ),
            "api.campaign_records:code": "C2026",
            "api.unit:code": "P",
            "api.cadre:key": "1",
            "api.certificate:serial": "VHCV-2026-000001",
            "records.campaign_page:code": "C2026",
            "records.edit_campaign:code": "C2026",
            "records.unit_window:code": "C2026",
            "records.close_campaign:code": "C2026",
            "records.require_modules:code": "C2026",
            "quiz_code": "Q",
            "accounts.restructure_unit:kind": "merge",
            "token": "no-such-upload",
            "job_id": "0123456789abcdef0123456789abcdef",
            "delivery_id": 999,
            "cert_id": certificate.id,
            "certificates.verify:code": certificate.code,
            "authoring.module_new:course": "T",
            "number": 1,
            "authoring.bank:code": "B1",
            "authoring.bank_upload_confirm:code": "B1",
            "authoring.bank_upload:code": "B1",
            "authoring.bank_export_gift:code": "B1",
            "authoring.question_new:code": "B1",
            "question_id": question_id,
            "authoring.quiz_settings:code": "Q",
            "authoring.quiz_stats:code": "Q",
            "authoring.quiz_stats_csv:code": "Q",
            "authoring.quiz_preview:code": "Q",
            **{f"contest_staff.{name}:code": "CT" for name in CONTEST_STAFF},
            "kind": "campaigns",
            "rewards.candidates_page:code": "C2026",
            "rewards.nominate:code": "C2026",
            "rewards.candidates_xlsx:code": "C2026",
            "rewards.nominations_xlsx:code": "C2026",
            "rewards.paper:code": "C2026",
            "rewards.rule:code": "C2026",
            "nomination_id": nomination,
            "contests.contest:code": "ct",
            "contests.start:code": "ct",
            "authoring.contest_edit:code": "ct",
            "authoring.contest_round:code": "ct",
            "round_code": "r1",
        }


def _nomination(tree, learner) -> int:
    """A nomination made by the department's HR officer (the withdraw route's
    argument)."""
    from app.records.services import get_campaign
    from app.rewards.models import Nomination

    hr = db.session.scalar(select(User).where(User.username == "hr"))
    nomination = Nomination(
        campaign_id=get_campaign("C2026").id,
        kind="person",
        unit_id=learner.unit_id,
        user_id=learner.id,
        nominated_by_id=hr.id,
        nominating_unit_id=tree["D"].id,
    )
    db.session.add(nomination)
    db.session.commit()
    return nomination.id


def _values(rule, ids):
    return {a: ids.get(f"{rule.endpoint}:{a}", ids.get(a)) for a in rule.arguments}


def test_every_route_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - RULES.keys() == set(), "add the new route to RULES"


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_access_matrix(app, client, people, role):
    from tests.conftest import AuthActions

    if role != ANON:
        AuthActions(client).login(role)
    token = csrf_token(client, "/login")
    pages_with_id_faults = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in {"accounts.logout", "accounts.login"}:
            continue
        url = rule.build(_values(rule, people))[1]
        method = (
            "POST" if "POST" in rule.methods and "GET" not in rule.methods else "GET"
        )
        response = client.open(url, method=method, data={"csrf_token": token})
        if response.status_code == 200 and response.mimetype == "text/html":
            if faults := id_faults(response.get_data(as_text=True)):
                pages_with_id_faults.append((url, sorted(faults)))
        response.close()  # as a WSGI server does: ends a streamed body's transaction
        allowed = role in RULES[rule.endpoint]
        if rule.endpoint in TOKEN_404:
            assert response.status_code == 404, f"{role} {url}"
            continue
        if rule.endpoint in TOKEN_ONLY:
            assert response.status_code == 401, (
                f"{role} {url} -> {response.status_code}"
            )
            continue
        if rule.endpoint in OWN_ONLY and role != ANON:
            assert response.status_code == 404, (
                f"{role} {url} -> {response.status_code}"
            )
            continue
        where = f"{role} {method} {url} -> {response.status_code}"
        if allowed and rule.endpoint in REFUSES_EMPTY:
            assert response.status_code == 400, where
            assert "Chưa lưu: xem các lỗi bên dưới." in response.get_data(True), where
        elif allowed:
            assert response.status_code < 400, where
            if role != ANON:
                assert not (
                    response.status_code == 302
                    and "/login" in response.headers["Location"]
                ), where
        elif role == ANON:
            assert (
                response.status_code == 302 and "/login" in response.headers["Location"]
            ), where
        else:
            assert response.status_code in (403, 404), where
    assert not pages_with_id_faults, f"ids on pages: {pages_with_id_faults}"
