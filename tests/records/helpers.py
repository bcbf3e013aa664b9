"""A campaign over a tiny course (3 modules) and the test quiz, for records tests."""

from datetime import timedelta

from app.content.modules import load_content
from app.content.sync_courses import sync_content, url_builders
from app.courses import services as courses
from app.extensions import db
from app.records import campaigns as running
from app.records import services as records
from app.timeutil import utcnow
from tests.courses.content import write_course
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz


def make_campaign(tmp_path, opens=None, closes=None, **overrides):
    """Tree P/D/D1/D1A/C/C1, learners in D1A and C1, course T, quiz Q (course T),
    campaign C2026 for subtree D. Returns (campaign, tree)."""
    write_course(tmp_path)
    sync_content(load_content(tmp_path), *url_builders())
    make_quiz(course="T")
    tree = make_tree()
    make_user("in1", tree["D1A"], full_name="Nguyễn Văn An")
    make_user("in2", tree["D1"], full_name="Lê Thị Bình", category="vien_chuc")
    make_user("out", tree["C1"], full_name="Trần Văn Cường")
    now = utcnow()
    campaign = records.create_campaign(
        "C2026",
        "Bồi dưỡng năm 2026",
        2026,
        "T",
        "Q",
        opens or now - timedelta(days=1),
        closes or now + timedelta(days=30),
        [tree["D"]],
        overrides.get("categories"),
    )
    db.session.commit()
    return campaign, tree


def read_all(user, now):
    """Read every module of course T as `user`, respecting the reading time."""
    for module in courses.active_modules(courses.get_course("T")):
        courses.open_module(user, module, now=now - timedelta(minutes=10))
        courses.complete_module(user, module, 0.5, now=now)


def closed_but_for_d1(tmp_path, now, ended_days: int = 2, runs_days: int = 10):
    """Campaign C2026 (subtree D), its own window closed `ended_days` before `now`,
    running on for D1, whose window closes `runs_days` after (committed)."""
    opens = now - timedelta(days=30)
    campaign, tree = make_campaign(
        tmp_path, opens=opens, closes=now - timedelta(days=ended_days)
    )
    running.set_unit_window(
        campaign, tree["D1"], opens, now + timedelta(days=runs_days)
    )
    db.session.commit()
    return campaign, tree
