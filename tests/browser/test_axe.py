"""axe-core over every kind of page, signed in as each role, in Debian's Chromium:
no violation of impact "serious" or "critical"; the others are printed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.content.ownership import adopt_unowned
from app.extensions import db
from app.quizzes import attempts
from app.quizzes.models import Attempt, Question
from app.timeutil import utcnow
from tests.browser.axe import BLOCKING, axe_path, describe, violations
from tests.browser.test_sign_in import (  # noqa: F401 (fixture)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
)
from tests.certificates.helpers import complete, user
from tests.factories import PASSWORD, make_user
from tests.records.helpers import make_campaign, read_all

pytestmark = pytest.mark.browser


@pytest.fixture
def page():
    """A page whose scripts may be injected: the app's CSP allows none inline."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        context = browser.new_context(bypass_csp=True)
        yield context.new_page()
        browser.close()


@pytest.fixture
def site(live_server, tmp_path):  # noqa: F811
    """Besides the demo province: campaign C2026 over subtree D (course T, quiz Q);
    in1 certified (a finished attempt), in2 with an attempt open; hr_d (HR of D),
    trainer_p (trainer of P, owning the content), admin_p."""
    url, app = live_server
    app.config["COURSES_DIR"] = str(tmp_path)
    app.config["JOBS_DIR"] = str(tmp_path / "jobs")
    app.config["EXPORT_JOB_ROWS"] = 0  # every export a job, to check its page
    with app.app_context():
        _, tree = make_campaign(tmp_path)
        adopt_unowned(tree["P"])
        make_user("hr_d", tree["D"], roles=[("hr", tree["D"]), ("learner", None)])
        make_user("trainer_p", tree["P"], roles=[("trainer", tree["P"])])
        make_user("admin_p", tree["P"], roles=[("admin", None)])
        now = utcnow()
        cert = complete("in1", now - timedelta(minutes=5))
        in2 = user("in2")
        read_all(in2, now)
        open_attempt = attempts.start_attempt(
            in2, attempts.get_quiz("Q"), now, modules_read=True
        )
        db.session.commit()
        finished = db.session.scalar(
            select(Attempt.id).where(Attempt.user_id == user("in1").id)
        )
        ids = {
            "in1": user("in1").id,
            "in2": in2.id,
            "D1": tree["D1"].id,
            "cert": cert.id,
            "code": cert.code,
            "finished": finished,
            "open": open_attempt.id,
            "question": db.session.scalar(select(Question.id).order_by(Question.id)),
        }
    return url, ids


def pages(role: str, ids: dict) -> list[str]:
    """The pages each role checks (paths; "!" marks a page expected to answer 404)."""
    return {
        "anonymous": ["/login", f"/verify/{ids['code']}", "!/khong-co-trang-nay"],
        "in1": [
            "/",
            "/courses",
            "/courses/T",
            "/modules/T-M1",
            "/quizzes/Q",
            f"/attempts/{ids['finished']}/result",
            "/transcript",
            "/password",
            "!/khong-co-trang-nay",
        ],
        "in2": [
            "/",
            f"/attempts/{ids['open']}",
            f"/attempts/{ids['open']}/confirm",
        ],
        "hr_d": [
            "/",
            "/reports/",
            "/reports/cadres",
            f"/reports/cadres/{ids['in1']}",
            f"/reports/cadres/{ids['in2']}/accommodations",
            f"/reports/cadres/{ids['in1']}/attempts",
            f"/reports/attempts/{ids['finished']}",
            "/reports/attempts",
            "/reports/ranking",
            "/reports/reminders",
            "/reports/annual",
            f"/certificates/{ids['cert']}/revoke?reason=Sai+họ+tên",
            f"/certificates/{ids['cert']}/reissue",
            "/reports/export.xlsx",  # starts a job: its page
            "/jobs/",
        ],
        "trainer_p": [
            "/",
            "/authoring/",
            "/authoring/modules/T-M1",
            "/authoring/modules/T-M1/versions",
            "/authoring/modules/T-M1/diff",
            "/authoring/banks/B1",
            f"/authoring/questions/{ids['question']}",
            f"/authoring/questions/{ids['question']}/versions",
            "/authoring/quizzes/Q/settings",
            "/authoring/quizzes/Q/statistics",
        ],
        "admin_p": [
            "/",
            "/admin/units",
            f"/admin/units/{ids['D1']}",
            f"/admin/units/{ids['D1']}/merge?target_code=C1",
            "/cadres",
            f"/cadres/{ids['in1']}",
            f"/cadres/{ids['in1']}/reset-password",
            "/cadres/import",
            "/admin/campaigns",
            "/admin/campaigns/C2026",
            "/admin/audit",
            "/reports/annual",
        ],
    }[role]


def _sign_in(page, url, username):  # noqa: F811
    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{url}/")


@pytest.mark.parametrize(
    "role", ["anonymous", "in1", "in2", "hr_d", "trainer_p", "admin_p"]
)
@pytest.mark.parametrize("width", [390, 1280])
def test_no_serious_or_critical_violation(site, page, role, width, capsys):
    axe_path()  # fails at once, saying how to fetch it, when it is missing
    url, ids = site
    page.set_viewport_size({"width": width, "height": 900})
    if role != "anonymous":
        _sign_in(page, url, role)
    blocking, minor = [], []
    for path in pages(role, ids):
        missing = path.startswith("!")
        response = page.goto(url + path.lstrip("!"))
        status = response.status if response else 0
        assert (status == 404) if missing else (status < 400), f"{path}: {status}"
        for v in violations(page):
            (blocking if v["impact"] in BLOCKING else minor).append((page.url, v))
    with capsys.disabled():
        for where, v in minor:
            print("\n".join(describe(where, [v])))
    assert not blocking, "\n" + "\n".join(
        line for where, v in blocking for line in describe(where, [v])
    )
