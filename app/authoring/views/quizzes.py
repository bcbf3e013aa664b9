"""Quiz settings and "preview as a learner"."""

from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.accounts.forms import EmptyForm
from app.content import quiz_editing as service
from app.content.ownership import owned_quiz
from app.content.textfile import form_text
from app.content.transfer import quiz_data_of
from app.contests.models import ContestRound
from app.errors import DomainError
from app.extensions import db
from app.quizzes import services as quizzes
from app.quizzes import windows
from app.quizzes.models import Quiz
from app.quizzes.questions import QuizData

from ..quiz_forms import QuizSettingsForm, fill_rules
from .blueprint import bp, refused


def _form(quiz: Quiz) -> QuizSettingsForm:
    form = QuizSettingsForm()
    choices = [SelectChoice("", "—")] + [
        SelectChoice(b.code, f"{b.code} — {b.title}")
        for b in service.banks_for(current_user)
    ]
    for row in form.rules:
        row.form.bank.choices = choices
    return form


# Form fields named as the QuizData fields they edit (review: review_policy).
FIELDS = (
    "title",
    "time_limit_minutes",
    "pass_percent",
    "attempts_allowed",
    "questions_per_page",
    "shuffle_questions",
    "shuffle_options",
    "partial_credit",
)


def _fill(form: QuizSettingsForm, quiz: Quiz) -> None:
    data = quiz_data_of(quiz)
    form.base.data = quiz.content_hash
    for name in FIELDS:
        getattr(form, name).data = getattr(data, name)
    form.review_policy.data = data.review
    fill_rules(form.rules, data.draw)


def _posted(form: QuizSettingsForm, quiz: Quiz) -> QuizData:
    """The quiz's settings as posted (its course stays)."""
    values = {name: getattr(form, name).data for name in FIELDS}
    values["title"] = form_text(values["title"])
    return replace(
        quiz_data_of(quiz),
        **values,
        review=form.review_policy.data,
        draw=form.draw_rules(),
    )


def _contest_round(quiz: Quiz) -> ContestRound | None:
    return db.session.scalar(
        select(ContestRound).where(ContestRound.quiz_id == quiz.id)
    )


@bp.route("/quizzes/<code>/settings", methods=["GET", "POST"])
def quiz_settings(code: str):
    quiz = owned_quiz(current_user, code)
    round_ = _contest_round(quiz)
    if round_ is not None:  # a contest round is set in its contest's editor
        return redirect(
            url_for(
                "authoring.contest_round",
                code=round_.contest.code,
                round_code=round_.code,
            )
        )
    form = _form(quiz)
    problems = []
    if request.method == "GET":
        _fill(form, quiz)
    elif form.validate_on_submit():
        data = _posted(form, quiz)
        problems = service.draw_problems(data.draw, current_user, quiz)
        try:
            if problems:
                raise DomainError(_("Chưa lưu: xem các lỗi bên dưới."))
            changed = service.apply(quiz, current_user, data, form.base.data)
        except DomainError as error:
            refused(error, form, quiz.content_hash)
        else:
            db.session.commit()
            flash(
                _("Đã lưu cấu hình. Lượt làm bài bắt đầu từ bây giờ dùng cấu hình mới.")
                if changed
                else _("Không có gì thay đổi."),
                "success" if changed else "info",
            )
            return redirect(url_for("authoring.quiz_settings", code=code))
    return render_template(
        "authoring/quizzes/settings.html",
        quiz=quiz,
        form=form,
        problems=problems,
        preview_form=EmptyForm(),
    )


@bp.post("/quizzes/<code>/preview")
def quiz_preview(code: str):
    """Run the real attempt flow as the trainer, recording nothing: a fresh preview
    attempt each time (the previous preview is deleted)."""
    quiz = owned_quiz(current_user, code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not windows.results_visible(quiz) and windows.is_targeted(current_user, quiz):
        # a preview shows the right answers: not to a participant before the close
        flash(
            _(
                "Bạn là người dự thi của đợt thi này: chỉ xem thử được sau khi đợt "
                "thi kết thúc."
            ),
            "error",
        )
        return redirect(url_for("authoring.quiz_stats", code=quiz.code))
    if quizzes.open_attempt(current_user, quiz) is not None:
        # one open attempt per user and quiz: the preview would have none to take
        flash(
            _(
                "Bạn đang có một lượt làm bài thật chưa nộp ở bài kiểm tra này; hãy "
                "nộp bài đó trước khi xem thử."
            ),
            "error",
        )
        return redirect(url_for("authoring.quiz_settings", code=code))
    try:
        quizzes.discard_previews(current_user, quiz)
        attempt = quizzes.start_attempt(current_user, quiz, preview=True)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("authoring.quiz_settings", code=code))
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
