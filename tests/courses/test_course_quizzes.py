"""A quiz that follows a course. Quizzes ask the courses domain (below them) whether a
course was read; the course page asks what follows it through app.signals
(course_quizzes_asked), which the quizzes domain answers."""

from sqlalchemy import select

from app.accounts.models import User
from app.content.modules import load_content
from app.content.sync_courses import sync_content, url_builders
from app.courses import services as courses
from app.extensions import db
from app.quizzes import services as quizzes
from app.signals import course_quizzes_asked
from app.timeutil import utcnow
from tests.courses.content import write_course
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz
from tests.records.helpers import read_all


def _course_and_quiz(tmp_path, course="T"):
    write_course(tmp_path)
    sync_content(load_content(tmp_path), *url_builders())
    quiz = make_quiz(course=course)
    make_user("reader", make_tree()["C1"])
    db.session.commit()
    return quiz


def _reader():
    return db.session.scalar(select(User).where(User.username == "reader"))


def test_the_course_page_lists_its_quiz_and_opens_it_once_read(
    app, client, auth, tmp_path
):
    with app.app_context():
        _course_and_quiz(tmp_path)
    auth.login("reader")
    page = client.get("/courses/T").get_data(as_text=True)
    assert "Bài kiểm tra thử" in page and "còn 3 học phần" in page
    with app.app_context():
        read_all(_reader(), utcnow())
        db.session.commit()
    page = client.get("/courses/T").get_data(as_text=True)
    assert "Bài kiểm tra thử" in page and 'href="/quizzes/Q">Làm bài kiểm tra' in page


def test_a_quiz_opens_once_its_course_was_read(ctx, tmp_path):
    quiz = _course_and_quiz(tmp_path)
    reader = _reader()
    assert courses.quizzes_following("T") == [quiz]
    assert not quizzes.modules_read_for(reader, quiz)
    read_all(reader, utcnow())
    assert quizzes.modules_read_for(reader, quiz)
    with course_quizzes_asked.muted():  # nobody answers: nothing follows the course
        assert courses.quizzes_following("T") == []


def test_a_quiz_whose_course_does_not_exist_needs_no_reading(ctx, tmp_path):
    quiz = _course_and_quiz(tmp_path, course="KHONG-CO")
    assert quizzes.modules_read_for(_reader(), quiz)
    assert courses.quizzes_following("T") == []


def test_the_course_page_writes_the_pass_mark_in_the_readers_language(
    app, client, auth, tmp_path
):
    """ "điểm đạt 80 %." (a no-break space) in Vietnamese, "pass mark 80%." in
    English."""
    with app.app_context():
        _course_and_quiz(tmp_path)
    auth.login("reader")
    assert "điểm đạt 80\u00a0%." in client.get("/courses/T").get_data(as_text=True)
    token = auth.token("/courses/T")
    client.post("/language", data={"language": "en", "csrf_token": token})
    assert "pass mark 80%." in client.get("/courses/T").get_data(as_text=True)
