"""The window rule has one home, quizzes.windows.Window: a window is open from its
opening instant (included) to its close instant (excluded), a missing end being no
bound. Its SQL forms (window_open_sql, window_closed_sql) say the same at both
instants, whichever end is missing."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import not_, select

from app.extensions import db
from app.quizzes.models import Quiz
from app.quizzes.windows import (
    Window,
    quiz_window,
    window_closed_sql,
    window_open_sql,
)
from tests.quizzes.helpers import make_quiz

OPENS = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
CLOSES = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)
SECOND = timedelta(seconds=1)
# Just before it opens, the opening instant, just before it closes, the close.
INSTANTS = (OPENS - SECOND, OPENS, CLOSES - SECOND, CLOSES)


def test_a_window_opens_at_its_opening_instant_and_closes_at_its_close():
    window = Window(OPENS, CLOSES)
    assert [window.is_open(t) for t in INSTANTS] == [False, True, True, False]
    assert [window.not_yet_open(t) for t in INSTANTS] == [True, False, False, False]
    assert [window.has_closed(t) for t in INSTANTS] == [False, False, False, True]
    unbounded = Window(None, None)
    assert all(unbounded.is_open(t) for t in INSTANTS)


@pytest.mark.parametrize(
    "opens, closes",
    [(OPENS, CLOSES), (None, CLOSES), (OPENS, None), (None, None)],
)
def test_the_sql_forms_agree_with_the_window_at_both_instants(ctx, opens, closes):
    quiz = make_quiz()
    quiz.opens_at, quiz.closes_at = opens, closes
    db.session.commit()

    def picks(condition) -> bool:
        query = select(Quiz.id).where(Quiz.id == quiz.id, condition)
        return db.session.scalar(query) is not None

    window = quiz_window(quiz)
    for t in INSTANTS:
        assert picks(window_open_sql(Quiz.opens_at, Quiz.closes_at, t)) is (
            window.is_open(t)
        ), t
        closed = window_closed_sql(Quiz.closes_at, t)
        assert picks(closed) is window.has_closed(t), t
        assert picks(not_(closed)) is not window.has_closed(t), t
