"""course_progress (the home page, the course page, HR's cadre page) reads the
modules' current versions in one statement, without their text: its statements do
not grow with the number of modules."""

from sqlalchemy import event

from app.content.modules import load_content
from app.content.sync_courses import sync_content, url_builders
from app.courses import services
from app.extensions import db
from tests.courses.content import write_course, write_module
from tests.factories import make_tree, make_user


def statements_of_progress(user) -> list[str]:
    db.session.expire_all()  # as a new request: nothing loaded yet
    course = services.get_course("T")
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        info = services.course_progress(user, course)
        titles = [row.version.title for row in info.rows]
        minutes = [row.version.minutes for row in info.rows]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(titles) == len(minutes) == len(course.modules)
    return seen


def test_course_progress_reads_the_versions_at_once_without_their_text(ctx, tmp_path):
    folder = write_course(tmp_path)
    sync_content(load_content(tmp_path), *url_builders())
    user = make_user("reader", make_tree()["C1"])
    db.session.commit()
    three = statements_of_progress(user)
    write_module(folder, 4)
    sync_content(load_content(tmp_path), *url_builders())
    db.session.commit()
    four = statements_of_progress(user)
    assert len(services.course_progress(user, services.get_course("T")).rows) == 4
    assert len(four) == len(three)
    versions = [s for s in four if "FROM module_version" in s]
    assert len(versions) == 1
    assert "body_md" not in versions[0] and ".html" not in versions[0]
