"""Item statistics of a quiz, on the page and as CSV."""

from flask import Response, render_template
from flask_login import current_user

from app.quizzes.models import Quiz

from .. import statistics
from ..scope import get_owned
from .blueprint import bp


@bp.get("/quizzes/<code>/statistics")
def quiz_stats(code: str):
    quiz = get_owned(Quiz, current_user, code=code)
    return render_template(
        "authoring/quizzes/statistics.html",
        quiz=quiz,
        items=statistics.item_statistics(quiz),
        attempts=statistics.attempt_count(quiz),
        labels=statistics.FLAG_LABELS,
        thresholds=statistics,
    )


@bp.get("/quizzes/<code>/statistics.csv")
def quiz_stats_csv(code: str):
    quiz = get_owned(Quiz, current_user, code=code)
    return Response(
        statistics.csv_text(statistics.item_statistics(quiz)),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="thong-ke-{quiz.code}.csv"',
        },
    )
