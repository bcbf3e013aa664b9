"""A quiz's settings edited in the browser: checked as the quiz file is (the banks
must hold enough active questions for the draw), then hashed as its file would be,
so `flask content export` and `sync` see the change. Operations flush."""

from dataclasses import dataclass, replace

from sqlalchemy import select

from app import audit
from app.accounts.models import User
from app.errors import InvalidInput
from app.extensions import db
from app.quizzes.models import Question, QuestionBank, Quiz
from app.quizzes.questions import REVIEW_POLICIES, DrawRule
from app.quizzes.sync import set_quiz
from app.quizzes.transfer import quiz_data_of
from app.timeutil import utcnow

from .scope import scoped


@dataclass
class Settings:
    title: str
    time_limit_minutes: int
    pass_percent: int
    attempts_allowed: int
    questions_per_page: int
    shuffle_questions: bool
    shuffle_options: bool
    review_policy: str
    partial_credit: bool
    draw_rules: list[dict]  # {"count", "bank", "tag"}


def settings_of(quiz: Quiz) -> Settings:
    return Settings(
        quiz.title,
        quiz.time_limit_seconds // 60,
        quiz.pass_percent,
        quiz.attempts_allowed,
        quiz.questions_per_page,
        quiz.shuffle_questions,
        quiz.shuffle_options,
        quiz.review_policy,
        quiz.partial_credit,
        [dict(r) for r in quiz.draw_rules],
    )


def banks_for(user: User) -> list[QuestionBank]:
    return list(
        db.session.scalars(scoped(QuestionBank, user).order_by(QuestionBank.code))
    )


def _active_pool() -> list[tuple[int, str, str, list[str]]]:
    """(question id, code, bank code, tags) of every active question."""
    rows = db.session.execute(
        select(
            Question.id, Question.code, QuestionBank.code, Question.current_version_id
        )
        .join(QuestionBank, QuestionBank.id == Question.bank_id)
        .where(Question.active.is_(True), Question.current_version_id.is_not(None))
    ).all()
    from app.quizzes.models import QuestionVersion

    tags = dict(
        db.session.execute(
            select(QuestionVersion.id, QuestionVersion.tags).where(
                QuestionVersion.id.in_([r[3] for r in rows])
            )
        ).all()
    )
    return [(r[0], r[1], r[2], list(tags.get(r[3]) or [])) for r in rows]


def draw_problems(rules: list[dict]) -> list[str]:
    """Why the banks cannot serve these draw rules (messages naming the rule);
    [] when every rule, and all of them together, can be drawn."""
    if not rules:
        return ["Cần ít nhất một quy tắc rút câu hỏi."]
    pool = _active_pool()
    problems, taken = [], set()
    for number, rule in enumerate(rules, start=1):
        count, bank, tag = rule.get("count"), rule.get("bank"), rule.get("tag")
        label = f"Quy tắc {number}"
        if not isinstance(count, int) or count < 1:
            problems.append(f"{label}: số câu phải từ 1 trở lên.")
            continue
        if bool(bank) == bool(tag):
            problems.append(
                f"{label}: chọn một ngân hàng hoặc ghi một thẻ (không cả hai)."
            )
            continue
        if bank:
            matching = [q for q in pool if q[2] == bank]
            where = f"ngân hàng {bank}"
        else:
            matching = [q for q in pool if tag in q[3]]
            where = f"thẻ “{tag}”"
        if not matching:
            problems.append(f"{label}: {where} không có câu hỏi nào đang dùng.")
            continue
        free = [q for q in matching if q[0] not in taken]
        if count > len(free):
            problems.append(
                f"{label}: cần {count} câu từ {where} nhưng chỉ còn {len(free)} câu "
                f"đang dùng (có {len(matching)}, trừ các câu quy tắc trước đã rút)."
            )
            continue
        taken.update(q[0] for q in free[:count])
    return problems


def apply(quiz: Quiz, user: User, settings: Settings) -> list[str]:
    """Save `settings` on `quiz`; the names of the fields that changed. Raises
    InvalidInput, changing nothing, when the draw cannot be served."""
    if settings.review_policy not in REVIEW_POLICIES:
        raise InvalidInput("Chế độ xem lại không hợp lệ.")
    problems = draw_problems(settings.draw_rules)
    if problems:
        raise InvalidInput(" ".join(problems))
    before = settings_of(quiz)
    changed = [
        name
        for name in Settings.__dataclass_fields__
        if getattr(before, name) != getattr(settings, name)
    ]
    if not changed:
        return []
    current = quiz_data_of(quiz)
    set_quiz(
        quiz,
        replace(
            current,
            title=settings.title,
            time_limit_minutes=settings.time_limit_minutes,
            pass_percent=settings.pass_percent,
            attempts_allowed=settings.attempts_allowed,
            questions_per_page=settings.questions_per_page,
            shuffle_questions=settings.shuffle_questions,
            shuffle_options=settings.shuffle_options,
            review=settings.review_policy,
            partial_credit=settings.partial_credit,
            draw=tuple(
                DrawRule(r["count"], r.get("bank"), r.get("tag"))
                for r in settings.draw_rules
            ),
        ),
    )
    quiz.origin, quiz.updated_at, quiz.updated_by_id = "browser", utcnow(), user.id
    audit.record("quiz.settings_changed", actor=user, target=quiz, fields=changed)
    db.session.flush()
    return changed
