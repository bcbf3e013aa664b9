"""Item statistics of a quiz, on the page and as CSV; of a sealed quiz, only once
its windows have closed (quizzes.windows.results_visible): until then they would
show how each question was answered and which option is right."""

from flask import Response, current_app, render_template
from flask_babel import force_locale
from flask_login import current_user

from app.content.ownership import owned_quiz
from app.downloads import chosen_separator, content_disposition, remember_separator
from app.errors import TimeExpired
from app.errors import lazy_gettext as _l
from app.quizzes import statistics
from app.quizzes.windows import results_open_at, results_visible
from app.security import not_from_other_sites
from app.timeutil import utcnow

from ..question_forms import TYPE_LABELS
from .blueprint import bp

SEALED = _l("Bài thi được niêm phong: thống kê chỉ có sau khi vòng thi kết thúc.")


@bp.get("/quizzes/<code>/statistics")
def quiz_stats(code: str):
    quiz = owned_quiz(current_user, code)
    visible = results_visible(quiz, utcnow())
    return render_template(
        "authoring/quizzes/statistics.html",
        quiz=quiz,
        sealed=not visible,
        results_at=results_open_at(quiz) if not visible else None,
        items=statistics.item_statistics(quiz) if visible else [],
        attempts=statistics.attempt_count(quiz),
        labels=statistics.FLAG_LABELS,
        thresholds=statistics,
        csv_sep=chosen_separator(),
    )


@bp.get("/quizzes/<code>/statistics.csv")
@not_from_other_sites
def quiz_stats_csv(code: str):
    quiz = owned_quiz(current_user, code)
    if not results_visible(quiz, utcnow()):
        raise TimeExpired(SEALED)
    sep = chosen_separator()  # asked for, or remembered from any CSV download
    items = statistics.item_statistics(quiz)
    # Vietnamese like its header, whatever the screen language
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = statistics.csv_text(items, sep, TYPE_LABELS)
    response = Response(
        text,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": content_disposition(f"thong-ke-{quiz.code}.csv"),
        },
    )
    return remember_separator(response, sep)
