"""A true/false question's options read "Đúng"/"Sai" on a Vietnamese page and
"True"/"False" on an English one — the attempt page and its result — while its
stored versions keep the content's words (the question's hash and history)."""

from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import AttemptSlot, Question, QuestionVersion
from tests.quizzes.test_attempt_pages import _start, learner  # noqa: F401


def _true_false_page(app, attempt_id: int) -> int:
    with app.app_context():
        version = db.session.scalar(
            select(QuestionVersion)
            .join(Question, Question.id == QuestionVersion.question_id)
            .where(Question.code == "T1")
        )
        position = db.session.scalar(
            select(AttemptSlot.position).where(
                AttemptSlot.attempt_id == attempt_id,
                AttemptSlot.question_version_id == version.id,
            )
        )
        assert [o["text"] for o in version.options] == ["Đúng", "Sai"]  # stored
    return (position + 1) // 2  # two questions a page


def _language(client, auth, language: str) -> None:
    client.post("/language", data={"language": language, "csrf_token": auth.token("/")})


def test_true_false_options_are_shown_in_the_readers_language(
    app,
    client,
    auth,
    learner,  # noqa: F811
):
    attempt_id = _start(client, auth)
    path = f"/attempts/{attempt_id}?page={_true_false_page(app, attempt_id)}"
    page = client.get(path).get_data(as_text=True)
    assert "<span>Đúng</span>" in page and "<span>Sai</span>" in page
    _language(client, auth, "en")  # the same version, already read once
    page = client.get(path).get_data(as_text=True)
    assert "<span>True</span>" in page and "<span>False</span>" in page
    assert "<span>Đúng</span>" not in page and "<span>Sai</span>" not in page

    token = auth.token(f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "True" in result and "False" in result
    _language(client, auth, "vi")
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert ">True<" not in result and "False" not in result


def test_the_authoring_preview_says_them_in_the_readers_language_too(app):
    """The trainer's preview of a true/false question (the learner's half and the
    answers) reads as the attempt page does."""
    from flask_babel import force_locale

    from app.content.question_editing import answer_view, learner_preview
    from app.quizzes.questions import TRUEFALSE, QuestionData

    data = QuestionData("TF1", TRUEFALSE, "Câu đúng hay sai?", answer=True)
    with app.test_request_context():
        assert "Đúng" in learner_preview(data)
        with force_locale("en"):
            preview = str(learner_preview(data))
            answers = [str(o["html"]) for o in answer_view(data).options]
        assert "True" in preview and "False" in preview and "Đúng" not in preview
        assert answers == ["True", "False"]
