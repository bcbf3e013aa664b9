"""After the quiz, in a campaign: the result page leads to the certificate after a
pass; home and transcript say "Chưa đạt, còn N lượt" after a fail with attempts
left and none open, "Đang làm" while one is open, and so when none is left."""

import re

from sqlalchemy import select

from app.extensions import db
from app.quizzes import attempts
from app.quizzes.models import Attempt, Quiz
from app.timeutil import utcnow
from tests.certificates.helpers import certificates_of, complete, user
from tests.records.helpers import make_campaign, read_all


def _only_attempt(username: str) -> Attempt:
    return db.session.scalar(
        select(Attempt).where(Attempt.user_id == user(username).id)
    )


def _fail(username: str) -> int:
    person = user(username)
    attempt = attempts.start_attempt(person, attempts.get_quiz("Q"), modules_read=True)
    attempts.finalise(attempt)  # nothing answered: 0%
    db.session.commit()
    return attempt.id


def test_a_pass_leads_to_its_certificate(app, client, auth, tmp_path):
    app.config["COURSES_DIR"] = str(tmp_path)
    with app.app_context():
        make_campaign(tmp_path)
        certificate = complete("in1", utcnow())
        cert_id, serial = certificate.id, certificate.serial
        attempt_id = _only_attempt("in1").id
    auth.login("in1")
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    link = re.search(
        r'<a class="button primary" href="([^"]+)"[^>]*>([^<]+)</a>', result
    )
    assert link.group(1) == f"/certificates/{cert_id}.pdf"
    assert link.group(2) == "Tải giấy chứng nhận" and serial in result
    assert client.get(link.group(1)).status_code == 200
    assert "Làm lại" not in result
    # a right option chosen: "· bạn chọn · đáp án đúng", two words, not run together
    assert "bạn chọn</strong> <strong>· đáp án đúng" in result


def test_a_pass_without_a_certificate_yet_says_how_to_get_one(
    app, client, auth, tmp_path
):
    app.config["COURSES_DIR"] = str(tmp_path)
    with app.app_context():
        make_campaign(tmp_path)
        from tests.certificates.helpers import pass_quiz

        pass_quiz(user("in1"), utcnow())  # the modules are not read yet
        db.session.commit()
        assert certificates_of("in1") == []
        attempt_id = _only_attempt("in1").id
    auth.login("in1")
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Giấy chứng nhận được cấp khi bạn đọc đủ các học phần" in result
    assert 'href="/transcript"' in result and ".pdf" not in result


def test_home_and_transcript_say_failed_with_attempts_left(app, client, auth, tmp_path):
    with app.app_context():
        make_campaign(tmp_path)
        read_all(user("in1"), utcnow())
        db.session.commit()
        _fail("in1")
    auth.login("in1")
    home = client.get("/").get_data(as_text=True)
    assert "Chưa đạt, còn 1 lượt" in home and "Đang làm" not in home
    assert 'href="/quizzes/Q"' in home and "Làm lại bài kiểm tra" in home
    transcript = client.get("/transcript").get_data(as_text=True)
    assert "Chưa đạt, còn 1 lượt" in transcript and "Đang học" not in transcript

    # An attempt open again: "Đang làm", and the way back into it.
    token = auth.token("/quizzes/Q")
    started = client.post("/quizzes/Q/start", data={"csrf_token": token})
    open_id = int(started.headers["Location"].rsplit("/", 1)[1])
    home = client.get("/").get_data(as_text=True)
    assert "Đang làm" in home and "Chưa đạt, còn" not in home
    assert f'href="/attempts/{open_id}"' in home

    # Failed again, with no attempt left.
    with app.app_context():
        attempts.finalise(db.session.get(Attempt, open_id))
        db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Chưa đạt, hết lượt làm bài" in home and "Chưa đạt, còn" not in home
    assert "Làm lại bài kiểm tra" not in home
    transcript = client.get("/transcript").get_data(as_text=True)
    assert "Chưa đạt, hết lượt làm bài" in transcript


def test_more_attempts_allowed_later_show_again_as_left(app, client, auth, tmp_path):
    with app.app_context():
        make_campaign(tmp_path)
        db.session.scalar(select(Quiz)).attempts_allowed = 1
        db.session.commit()
        _fail("in1")
    auth.login("in1")
    assert "Chưa đạt, hết lượt làm bài" in client.get("/").get_data(as_text=True)
    with app.app_context():
        db.session.scalar(select(Quiz)).attempts_allowed = 3
        db.session.commit()
    assert "Chưa đạt, còn 2 lượt" in client.get("/").get_data(as_text=True)
    transcript = client.get("/transcript").get_data(as_text=True)
    assert "Chưa đạt, còn 2 lượt" in transcript


def test_the_editors_note_is_set_apart_from_the_plans_words():
    from pathlib import Path

    from app.markdown import render_markdown
    from app.quizzes.presenters import with_editor_note

    bank = Path(__file__).parents[2] / "quizzes" / "banks" / "vhcv-m1.md"
    assert "\nGhi chú biên soạn: " in bank.read_text(encoding="utf-8")
    text = "Theo KH Kiên Giang, mục III.3.a.\n\nGhi chú biên soạn: năm 2019."
    html = with_editor_note(render_markdown(text).html)
    assert (
        '<p class="editor-note"><strong>Ghi chú biên soạn:</strong> năm 2019.' in html
    )
    assert html.startswith("<p>Theo KH Kiên Giang")  # the plans' words unchanged


def test_the_review_says_a_question_left_blank_was_not_answered(
    app, client, auth, tmp_path
):
    # Every unanswered question read "✗ Chưa đúng", as if a wrong option was chosen.
    app.config["COURSES_DIR"] = str(tmp_path)
    with app.app_context():
        make_campaign(tmp_path)
        read_all(user("in1"), utcnow())
        attempt_id = _fail("in1")
    auth.login("in1")
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Xem lại bài làm" in result
    assert "✗ Chưa trả lời" in result and "✗ Chưa đúng" not in result


def test_a_quiz_that_shows_no_result_shows_none_on_home_or_transcript(
    app, client, auth, tmp_path
):
    """Review policy "none": the quiz and result pages say the result will be
    announced later; the home page and the transcript say the same, with neither
    the verdict nor the best score."""
    with app.app_context():
        make_campaign(tmp_path)
        attempts.get_quiz("Q").review_policy = "none"
        read_all(user("in1"), utcnow())
        db.session.commit()
        _fail("in1")
    auth.login("in1")
    later = "Đã nộp bài — kết quả sẽ được thông báo sau"
    home = client.get("/").get_data(as_text=True)
    assert later in home and "còn 1 lượt" in home and "Chưa đạt" not in home
    transcript = client.get("/transcript").get_data(as_text=True)
    assert later in transcript and "Chưa đạt" not in transcript
    assert "0\u00a0%" not in transcript and "0%" not in transcript
    with app.app_context():
        complete("in1", utcnow())  # passed: completed, its certificate issued
    home = client.get("/").get_data(as_text=True)
    assert "Đạt (" not in home and "100" not in home.split("Bài kiểm tra:")[1][:300]
    assert "Đã hoàn thành ngày" in home
