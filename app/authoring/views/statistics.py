"""Item statistics of a quiz, on the page and as CSV."""

from flask import Response, render_template
from flask_login import current_user

from app.content.ownership import owned_quiz
from app.quizzes import statistics

from .blueprint import bp


@bp.get("/quizzes/<code>/statistics")
def quiz_stats(code: str):
    quiz = owned_quiz(current_user, code)
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
    quiz = owned_quiz(current_user, code)
    return Response(
        statistics.csv_text(statistics.item_statistics(quiz)),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="thong-ke-{quiz.code}.csv"',
        },
    )
