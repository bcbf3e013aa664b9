"""A bank's questions are read for export in a set number of queries (not one per
question's current version)."""

from sqlalchemy import select

from app.content.sync_quizzes import sync_quizzes
from app.content.transfer import bank_questions
from app.extensions import db
from app.quizzes.models import QuestionBank
from app.quizzes.questions import BankData
from tests.query_count import counted
from tests.quizzes.helpers import single


def _exported(code: str, count: int) -> tuple[int, list[str]]:
    sync_quizzes(
        [
            BankData(
                code, code, questions=[single(f"{code}-{i:02}") for i in range(count)]
            )
        ],
        [],
    )
    db.session.commit()
    db.session.expire_all()
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == code))
    with counted() as sent:
        questions = bank_questions(bank)
    return len(sent), [q.code for q in questions]


def test_export_reads_a_bank_in_as_many_queries_for_many_questions_as_for_few(ctx):
    few, codes = _exported("SMALL", 2)
    many, more = _exported("LARGE", 30)
    assert codes == ["SMALL-00", "SMALL-01"] and len(more) == 30
    assert more == sorted(more)
    assert many == few <= 2
