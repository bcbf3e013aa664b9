"""axe-core over every kind of page, signed in as each role, in Debian's Chromium:
no violation of impact "serious" or "critical"; the others are printed. A page is
a path, or an upload (a form posted by the browser, with its session and CSRF
token) whose answer, the preview, is the page checked."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import Assignment, UnitVersion
from app.content import module_editing
from app.content.ownership import adopt_unowned
from app.contests import ranking
from app.courses.models import Module
from app.extensions import db
from app.quizzes import attempts
from app.quizzes.models import Attempt, Question
from app.rewards import services as rewards
from app.timeutil import utcnow
from tests.browser.axe import BLOCKING, axe_path, describe, violations
from tests.browser.steps import sign_in
from tests.browser.test_sign_in import (  # noqa: F401 (fixture)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
)
from tests.certificates.helpers import complete, user
from tests.contests.rank_helpers import attempt as contest_attempt
from tests.contests.rank_helpers import make_contest, make_round
from tests.factories import make_user
from tests.records.helpers import make_campaign, read_all
from tests.rewards.helpers import make_campaign as make_past_campaign
from tests.rewards.helpers import perfect

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


@dataclass(frozen=True)
class Upload:
    """Open `path`, choose `files` ({label: (name, bytes)}) and press `button`;
    the answer must hold `expect` (the preview's heading)."""

    path: str
    files: dict = field(default_factory=dict)
    button: str = ""
    expect: str = ""


CADRES_CSV = (
    "Mã cán bộ;Họ và tên;Mã đơn vị;Chức vụ\nCB901;Trần Văn Mới;D1;Chuyên viên\n"
)
GIFT = "::G1:: Trang phục khi làm việc phải? {=Gọn gàng ~Tùy ý ~Sặc sỡ}\n"
PAST_DAY = "2025-12-31"
# Pages that move on by design: the export starts a job (its page is checked), the
# list of courses opens the only course.
MOVES_ON = {"/reports/export.xlsx", "/courses"}


@pytest.fixture
def site(live_server, tmp_path):  # noqa: F811
    """Besides the demo province: campaign C2026 over subtree D (course T, quiz Q);
    in1 certified (a finished attempt), in2 with an attempt open; hr_d (HR of D),
    trainer_p (trainer of P, owning the content), admin_p. Then (see _more):
    module T-M1 with a second version and a draft; campaign C2025 of last year;
    contest CT; nominations."""
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
            "P": tree["P"].id,
            "cert": cert.id,
            "code": cert.code,
            "finished": finished,
            "open": open_attempt.id,
            "question": db.session.scalar(select(Question.id).order_by(Question.id)),
        }
        _more(tree)
    return url, ids


def _more(tree) -> None:
    """What the pages of contests, rewards, module history and the reports as of a
    past day need: T-M1 published twice (versions 1, 2) with a draft; the tree and
    its cadres since 2025 and campaign C2025 (in1, in2 perfect), where hr_d
    nominated D1 and in1; contest CT (owned by D, for P, drawing from B1) with round
    1 closed and ranked, round 2 running."""
    trainer = user("trainer_p")
    module = db.session.scalar(select(Module).where(Module.code == "T-M1"))
    text = module_editing.ModuleText.of(module.current_version)
    module_editing.publish_text(
        module,
        trainer,
        replace(text, body=text.body + "\n\n## Mục mới\n\nNội dung mới.\n"),
    )
    module_editing.save_draft(
        module, trainer, replace(text, body=text.body + "\n\nBản nháp.\n")
    )
    db.session.commit()
    since = date(2025, 1, 1)
    db.session.execute(update(UnitVersion).values(valid_from=since))
    db.session.execute(update(Assignment).values(valid_from=since))
    past = make_past_campaign(2025, tree["D"])
    for username in ("in1", "in2"):
        perfect(past, user(username))
    db.session.commit()
    contest = make_contest([tree["P"]], owner=tree["D"])
    now = utcnow()
    closed = make_round(
        contest,
        1,
        prizes={"nhat": 1, "nhi": 1},
        opens=now - timedelta(days=10),
        closes=now - timedelta(days=1),
    )
    running = make_round(
        contest, 2, opens=now - timedelta(days=1), closes=now + timedelta(days=10)
    )
    for round_ in (closed, running):  # from the site's bank (the helper's is "B")
        round_.quiz.draw_rules = [{"count": 1, "bank": "B1"}]
    for username, right, seconds in (("in1", 5, 125), ("in2", 4, 200), ("out", 4, 200)):
        contest_attempt(closed, user(username), right, prediction=1, seconds=seconds)
    ranking.rank_round(closed)
    officer = user("hr_d")
    rewards.nominate(officer, past, "unit", tree["D1"], None, "Hoàn thành 100 %")
    rewards.nominate(officer, past, "person", tree["D1A"], user("in1"), "Đạt 100 %")
    db.session.commit()


def pages(role: str, ids: dict) -> list[str | Upload]:
    """The pages each role checks (paths, "!" marking a page expected to answer
    404; uploads)."""
    past = f"as_of={PAST_DAY}&attribution=rolled_up"
    return {
        "anonymous": [
            "/login",
            f"/verify/{ids['code']}",
            "/contests",
            "/contests/CT",
            "!/khong-co-trang-nay",
        ],
        "in1": [
            "/",
            "/courses",
            "/courses/T",
            "/modules/T-M1",
            "/quizzes/Q",
            f"/attempts/{ids['finished']}/result",
            "/transcript",
            "/password",
            "/contests",
            "/contests/CT",
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
            f"/reports/?campaign=C2025&{past}",
            f"/reports/ranking?campaign=C2025&{past}",
            "/contests/CT/manage/rankings",
            "/contests/CT/rounds/1/ranking",
            "/contests/CT/manage/ranking",
            "/contests/CT/rounds/1/announcement",
            "/rewards",
            "/rewards/campaigns/C2025",
            "/rewards/campaigns/C2025/paper",
            Upload(
                "/cadres/import",
                {"Tệp danh sách (CSV hoặc XLSX)": ("can-bo.csv", CADRES_CSV)},
                "Tải lên và xem trước",
                "Xem trước",
            ),
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
            "/authoring/modules/T-M1/publish",
            "/authoring/modules/T-M1/revert/1",
            "/authoring/contests",
            "/authoring/contests/CT",
            "/authoring/contests/CT/rounds/CT-2",
            Upload(
                "/authoring/banks/B1/upload",
                {"Tệp câu hỏi": ("moodle.gift", GIFT)},
                "Xem trước",
                "Xem trước",
            ),
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
            f"/reports/?campaign=C2025&{past}",
            f"/admin/units?as_of={PAST_DAY}",
            f"/admin/units?parent={ids['P']}&as_of={PAST_DAY}",
            "/rewards",
            "/rewards/campaigns/C2025",
            "/rewards/campaigns/C2025/paper",
            "/rewards/campaigns/C2025/rule",
            "/rewards/periods/new",
        ],
    }[role]


def _upload(page, url, upload: Upload) -> None:
    """Post the upload's form as a person would; the preview must come back."""
    page.goto(url + upload.path)
    for label, (name, text) in upload.files.items():
        page.get_by_label(label).set_input_files(
            {"name": name, "mimeType": "text/plain", "buffer": text.encode()}
        )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=upload.button).click()
    status = navigation.value.status if navigation.value else 0
    assert status == 200, f"{upload.path} (upload): {status}"
    heading = page.locator("h1").inner_text()
    assert upload.expect in heading, page.locator("main").inner_text()[:500]


@pytest.mark.parametrize(
    "role", ["anonymous", "in1", "in2", "hr_d", "trainer_p", "admin_p"]
)
@pytest.mark.parametrize("width", [390, 1280])
def test_no_serious_or_critical_violation(site, page, role, width, capsys):
    axe_path()  # fails at once, saying how to fetch it, when it is missing
    url, ids = site
    page.set_viewport_size({"width": width, "height": 900})
    if role != "anonymous":
        sign_in(page, url, role)
    blocking, minor = [], []
    for path in pages(role, ids):
        if isinstance(path, Upload):
            _upload(page, url, path)
        else:
            missing = path.startswith("!")
            response = page.goto(url + path.lstrip("!"))
            status = response.status if response else 0
            # a page that sent the browser elsewhere was not checked (but a job's)
            assert path in MOVES_ON or response.request.redirected_from is None, (
                f"{path}: redirected to {page.url}"
            )
            assert (status == 404) if missing else (status < 400), f"{path}: {status}"
        for v in violations(page):
            (blocking if v["impact"] in BLOCKING else minor).append((page.url, v))
    with capsys.disabled():
        for where, v in minor:
            print("\n".join(describe(where, [v])))
    assert not blocking, "\n" + "\n".join(
        line for where, v in blocking for line in describe(where, [v])
    )
