from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.content.modules import load_content
from app.content.sync_courses import sync_content, url_builders
from app.courses import services
from app.courses.models import ModuleProgress
from app.errors import NotFound
from app.extensions import db
from app.timeutil import utcnow
from tests.courses.content import write_course
from tests.factories import make_tree, make_user

XSS = """Văn bản an toàn.

<script>alert("x")</script>

[bấm vào đây](javascript:alert(1))

<img src="x" onerror="alert(1)">

Đoạn có thuộc tính {: onclick="alert(1)" }

<div onmouseover="alert(1)">raw</div>
"""


@pytest.fixture
def course_dir(app, tmp_path):
    folder = write_course(tmp_path)
    app.config["COURSES_DIR"] = str(tmp_path)
    with app.app_context():
        content = load_content(tmp_path)
        sync_content(content, *url_builders())
        _publish_hostile_text(content.courses[0].modules[2])
        make_user("reader", make_tree()["C1"], full_name="Trần Thị Mai")
        db.session.commit()
    return folder


def _publish_hostile_text(module_file):
    """`content check` refuses raw HTML in files, so publish it as a browser edit
    would: straight through the version service, which must sanitise it."""
    from dataclasses import replace

    from app.content.sync_courses import new_version

    module = services.get_module(module_file.code)
    hostile = replace(module_file, body=XSS)
    module.current_version = new_version(module, hostile, "x" * 64, lambda t: None)


def _user():
    from app.accounts.models import User

    return db.session.scalar(select(User).where(User.username == "reader"))


def test_minimum_reading_time_is_enforced_by_the_service(app, course_dir):
    with app.app_context():
        user, module = _user(), services.get_module("T-M1")  # 4 minutes -> 120 s at 0.5
        start = utcnow()
        with pytest.raises(NotFound):
            services.complete_module(user, module, 0.5, now=start)
        services.open_module(user, module, now=start)
        with pytest.raises(services.ReadingTooShort) as excinfo:
            services.complete_module(
                user, module, 0.5, now=start + timedelta(seconds=119)
            )
        assert excinfo.value.remaining_seconds == 1
        done = services.complete_module(
            user, module, 0.5, now=start + timedelta(seconds=120)
        )
        assert done.completed_at == start + timedelta(seconds=120)
        assert done.seconds_spent == 120


def test_a_direct_post_cannot_mark_a_module_read(client, auth, app, course_dir):
    auth.login("reader")
    token = auth.token()
    response = client.post(
        "/modules/T-M1/complete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Bạn cần mở học phần" in response.get_data(as_text=True)
    client.get("/modules/T-M1")
    response = client.post(
        "/modules/T-M1/complete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Bạn cần đọc thêm khoảng 2 phút" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ModuleProgress)).completed_at is None


def test_reading_then_confirming_moves_on_and_updates_the_course_page(
    client, auth, app, course_dir
):
    auth.login("reader")
    page = client.get("/modules/T-M1").get_data(as_text=True)
    assert "Tôi đã đọc xong" in page and "Mục lục" in page
    with app.app_context():
        # Served three minutes ago; the form comes from a page without script.
        progress = db.session.scalar(select(ModuleProgress))
        progress.last_seen_at = utcnow() - timedelta(minutes=3)
        db.session.commit()
    response = client.post("/modules/T-M1/complete", data={"csrf_token": auth.token()})
    assert response.headers["Location"] == "/modules/T-M2"
    page = client.get("/courses/T").get_data(as_text=True)
    assert "1/3 học phần" in page
    assert "Tiếp tục học" in page and "Học phần 2" in page


def test_course_page_resumes_the_last_module_opened(client, auth, course_dir):
    auth.login("reader")
    client.get("/modules/T-M2")
    page = client.get("/courses/T").get_data(as_text=True)
    assert 'href="/modules/T-M2">\n      Tiếp tục học' in page


class _Tags(HTMLParser):
    """Collects the real tags and attributes of a page (escaped text is not a tag)."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_script_links_and_handlers_are_neutralised_in_the_learner_page(
    client, auth, course_dir
):
    auth.login("reader")
    page = client.get("/modules/T-M3").get_data(as_text=True)
    body = page.split('<div class="prose">', 1)[1].split(
        '<section class="card completion"'
    )[0]
    assert "Văn bản an toàn." in body
    parser = _Tags()
    parser.feed(body)
    names = [tag for tag, _ in parser.tags]
    assert "script" not in names and "img" not in names
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert not attrs.get("href", "").lower().startswith("javascript"), attrs
    assert "&lt;script&gt;" in body  # shown as text, not run


def test_unknown_module_and_course_are_404(client, auth, course_dir):
    auth.login("reader")
    assert client.get("/modules/NOPE").status_code == 404
    assert client.get("/courses/NOPE").status_code == 404
