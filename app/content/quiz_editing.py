"""A quiz's settings edited in the browser: checked as the quiz file is (the banks
must hold enough active questions for the draw), then hashed as its file would be,
so `flask content export` and `sync` see the change. Operations flush."""

from dataclasses import fields

from sqlalchemy import select

from app.accounts.models import User
from app.audit import services as audit
from app.errors import InvalidInput, Stale, lazy_join
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.quizzes.drawing import drawable_banks, tag_drawable
from app.quizzes.models import Question, QuestionBank, QuestionVersion, Quiz
from app.quizzes.questions import REVIEW_POLICIES, DrawRule, QuizData
from app.timeutil import utcnow

from .bank_schema import bad_tags
from .frontmatter import slug
from .ownership import scoped
from .sync_quizzes import set_quiz
from .transfer import quiz_data_of


def banks_for(user: User) -> list[QuestionBank]:
    return list(
        db.session.scalars(scoped(QuestionBank, user).order_by(QuestionBank.code))
    )


def _active_pool(quiz: Quiz) -> tuple[list[tuple[int, str, list[str]]], dict]:
    """(question id, bank code, tags a tag rule may draw it by) of every active
    question in a bank `quiz` may draw from (quizzes.drawing.drawable_banks; the
    tags only in a bank of the owner itself, drawing.tag_drawable): the draw is
    checked, and explained, against exactly what the draw will take from; and
    {question id: its exclusive group} (one attempt never holds two questions of a
    group)."""
    rows = db.session.execute(
        select(
            QuestionBank.code,
            QuestionBank.exclusive,
            Question.code,
            QuestionVersion.question_id,
            QuestionVersion.tags,
            tag_drawable(quiz.owner_unit_id),
        )
        .join(Question, Question.bank_id == QuestionBank.id)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.active.is_(True), drawable_banks(quiz.owner_unit_id))
    ).all()
    groups = {}
    for bank, exclusive, code, question_id, _, _ in rows:
        for index, group in enumerate(exclusive or []):
            if code in group:
                groups[question_id] = (bank, index)
    pool = [
        (question_id, bank, list(tags or []) if taggable else [])
        for bank, _, _, question_id, tags, taggable in rows
    ]
    return pool, groups


def _distinct(ids: set[int], groups: dict) -> int:
    """How many of `ids` one attempt can hold: an exclusive group counts once."""
    return len({groups.get(q, q) for q in ids})


def draw_problems(rules: tuple[DrawRule, ...], user: User, quiz: Quiz) -> list:
    """Why these draw rules of `quiz` could fail for some learner (lazy messages
    naming the rule, read in the reader's language); [] when every draw succeeds
    whatever the random picks.

    Rules are drawn in order, each avoiding what earlier rules took, at random; so
    rule i is safe only if its matching questions outnumber its count plus, for each
    earlier rule j, as many as j could take from their overlap (the worst case).
    Only the banks the quiz may draw from count (inside its owner's subtree), and a
    bank the user may not author is refused."""
    if not rules:
        return [_l("Cần ít nhất một quy tắc rút câu hỏi.")]
    pool, groups = _active_pool(quiz)
    drawable = set(
        db.session.scalars(
            select(QuestionBank.code).where(drawable_banks(quiz.owner_unit_id))
        )
    )
    in_scope = {bank.code for bank in banks_for(user)} & drawable
    problems, earlier = [], []  # earlier: (matching ids, count) of the rules above
    for number, rule in enumerate(rules, start=1):
        problem = _rule_problem(rule, in_scope)
        if problem:
            problems.append(_of_rule(number, problem))
            continue
        if rule.bank:
            matching = {q for q, b, _ in pool if b == rule.bank}
            where = _l("ngân hàng %(bank)s", bank=rule.bank)
        else:
            matching = {q for q, _, tags in pool if rule.tag in tags}
            where = _l("thẻ “%(tag)s”", tag=rule.tag)
        if not matching:
            problem = _l("%(where)s không có câu hỏi nào đang dùng.", where=where)
            problems.append(_of_rule(number, problem))
            continue
        taken = sum(min(n, _distinct(matching & ids, groups)) for ids, n in earlier)
        if rule.count > _distinct(matching, groups) - taken:
            problem = _shortfall(rule.count, where, matching, taken, groups)
            problems.append(_of_rule(number, problem))
        earlier.append((matching, rule.count))
    return problems


def _of_rule(number: int, problem):
    return _l("Quy tắc %(number)s: %(problem)s", number=number, problem=problem)


def _rule_problem(rule: DrawRule, in_scope: set[str]):
    """What is wrong with the rule itself, before any question is counted."""
    if not isinstance(rule.count, int) or rule.count < 1:
        return _l("số câu phải từ 1 trở lên.")
    if bool(rule.bank) == bool(rule.tag):
        return _l("chọn một ngân hàng hoặc ghi một thẻ (không cả hai).")
    if rule.tag and slug(rule.tag) is None:  # as a quiz file's rule is checked
        return bad_tags(rule.tag)
    if rule.bank and rule.bank not in in_scope:
        return _l(
            "không có ngân hàng “%(bank)s” trong phạm vi của bạn và của đơn vị sở "
            "hữu bài kiểm tra.",
            bank=rule.bank,
        )
    return None


def _shortfall(count: int, where, matching: set[int], taken: int, groups: dict):
    detail = (
        _l(", các quy tắc trước có thể đã rút %(taken)s câu trong số đó", taken=taken)
        if taken
        else ""
    )
    distinct = _distinct(matching, groups)
    together = (
        _l(
            "; các câu không rút chung với nhau chỉ tính một, còn %(distinct)s",
            distinct=distinct,
        )
        if distinct < len(matching)
        else ""
    )
    return _l(
        "cần %(count)s câu từ %(where)s nhưng chỉ chắc chắn còn %(left)s (có "
        "%(active)s câu đang dùng%(together)s%(detail)s).",
        count=count,
        where=where,
        left=distinct - taken,
        active=len(matching),
        together=together,
        detail=detail,
    )


STALE = _l(
    "Cấu hình này đã được lưu ở nơi khác (một thẻ khác, một người khác hoặc đồng "
    "bộ tệp) sau khi bạn mở trang. Chưa lưu: các ô bên dưới vẫn giữ những gì bạn "
    "nhập; bấm “Lưu cấu hình” lần nữa để ghi đè, hoặc mở lại trang để xem cấu hình "
    "mới."
)


def apply(quiz: Quiz, user: User, data: QuizData, base: str | None = None) -> list[str]:
    """Give `quiz` the settings of `data`; the names of the fields that changed.
    Raises InvalidInput, changing nothing, when the draw cannot be served, and
    Stale when `base` (the content hash the editor opened) is no longer the
    quiz's: a change saved since would be overwritten unseen."""
    if data.review not in REVIEW_POLICIES:
        raise InvalidInput(_l("Chế độ xem lại không hợp lệ."))
    problems = draw_problems(data.draw, user, quiz)
    if problems:
        raise InvalidInput(lazy_join(problems))
    before = quiz_data_of(quiz)
    changed = [
        f.name
        for f in fields(QuizData)
        if getattr(before, f.name) != getattr(data, f.name)
    ]
    if not changed:
        return []
    if base and base != quiz.content_hash:
        raise Stale(STALE)
    set_quiz(quiz, data)
    quiz.origin, quiz.updated_at, quiz.updated_by_id = "browser", utcnow(), user.id
    audit.record("quiz.settings_changed", actor=user, target=quiz, fields=changed)
    db.session.flush()
    return changed
