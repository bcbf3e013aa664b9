"""Question banks in the browser: list, create, edit (a new version per change),
retire, preview as a learner, upload (GIFT, Aiken, Word) and GIFT export.

Questions are reached through their bank, and banks through the trainer's scope.
Operations flush, never commit.
"""

import re
from dataclasses import dataclass, field, replace

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import Unit, User
from app.audit import services as audit
from app.errors import Conflict, InvalidInput, NotFound, lazy_join
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.quizzes.models import Question, QuestionBank
from app.quizzes.presenters import unanswered_question_html
from app.quizzes.questions import (
    MULTIPLE,
    NO_EXPLANATION,
    NO_SOURCE,
    QuestionData,
    option_html,
    plain_weights,
    question_problems,
)
from app.uploads import max_bytes
from app.vntext import fold

from .aiken import parse_aiken
from .frontmatter import CODE
from .gift import parse_gift
from .moodle_xml import parse_moodle_xml
from .ownership import get_owned, owner_units
from .problems import CODE_MAX, ConversionError
from .sync_quizzes import codes_in_other_banks, upsert_question, version_fields
from .sync_rules import SyncResult
from .word import parse_word

FORMATS = {
    "gift": "GIFT (Moodle)",
    "moodle-xml": "Moodle XML",
    "aiken": "Aiken",
    "word": "Word (.docx)",
}


def get_bank(user: User, code: str) -> QuestionBank:
    return get_owned(QuestionBank, user, code=code)


def get_question(user: User, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(
            _l("Không tìm thấy câu hỏi này trong phạm vi biên soạn của bạn.")
        )
    get_owned(QuestionBank, user, id=question.bank_id)
    return question


def questions_of(bank: QuestionBank) -> list[Question]:
    """The bank's questions with their current versions, in one query (not one per
    question)."""
    return list(
        db.session.scalars(
            select(Question)
            .where(
                Question.bank_id == bank.id, Question.current_version_id.is_not(None)
            )
            .options(selectinload(Question.current_version))
        )
    )


def listing(rows: list[Question], tag: str = "", text: str = "") -> list[Question]:
    """These questions (retired ones last), filtered by a tag and by words of the
    stem or code, ignoring diacritics."""
    if tag:
        rows = [q for q in rows if tag in q.current_version.tags]
    if text.strip():
        words = fold(text).split()
        rows = [
            q
            for q in rows
            if all(w in fold(f"{q.code} {q.current_version.stem_md}") for w in words)
        ]
    return sorted(rows, key=lambda q: (not q.active, q.code))


def tags_of(rows: list[Question]) -> list[str]:
    return sorted({t for q in rows for t in q.current_version.tags})


def create_bank(
    user: User, code: str, title: str, owner: Unit, module_code: str | None = None
) -> QuestionBank:
    code, title = code.strip(), " ".join(title.split())
    check_bank_code(code)
    if owner.id not in {u.id for u in owner_units(user)}:
        raise NotFound(_l("Không tìm thấy đơn vị này trong phạm vi biên soạn của bạn."))
    if db.session.scalar(select(QuestionBank.id).where(QuestionBank.code == code)):
        raise Conflict(_l("Mã ngân hàng “%(code)s” đã có.", code=code))
    bank = QuestionBank(
        code=code,
        title=title,
        origin="browser",
        owner_unit_id=owner.id,
        module_code=module_code or None,
    )
    db.session.add(bank)
    db.session.flush()
    audit.record("questions.bank_created", actor=user, target=bank)
    return bank


def check_bank_code(code: str) -> None:
    """InvalidInput, saying why, for a code no new bank may take (the browser's
    "new bank" and `flask quizzes import-*` into a bank not there yet)."""
    if not CODE.match(code):
        raise InvalidInput(
            _l(
                "Mã ngân hàng chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch "
                "dưới."
            )
        )
    if len(code) > CODE_MAX:
        raise InvalidInput(
            _l(
                "Mã ngân hàng dài quá %(max)s ký tự (%(count)s ký tự).",
                max=CODE_MAX,
                count=len(code),
            )
        )


def next_codes(bank: QuestionBank, count: int) -> list[str]:
    """`count` fresh codes `<bank>-NNN`, after the highest such number in use (in
    any bank: codes are unique), each at most CODE_MAX long. A bank code too long
    to leave room for "-" and the number is cut to fit, so the codes of two banks
    cut alike go on from each other's numbers, never repeating one; past 999 the
    bank part gives way to a digit more, the numbers going on."""
    width, last = 3, 0  # the number is written with at least 3 digits ("-001")
    while True:
        prefix = bank.code[: CODE_MAX - 1 - width]
        pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
        codes = db.session.scalars(
            select(Question.code).where(Question.code.startswith(f"{prefix}-"))
        )
        last = max(last, *(int(m[1]) for c in codes if (m := pattern.match(c))), 0)
        if len(str(last + count)) <= width:
            return [f"{prefix}-{n:03d}" for n in range(last + 1, last + 1 + count)]
        width = len(str(last + count))


def next_code(bank: QuestionBank) -> str:
    return next_codes(bank, 1)[0]


def save_question(
    bank: QuestionBank, user: User, data: QuestionData
) -> tuple[Question, bool]:
    """Create or change a question of `bank`; (question, whether a new version was
    made). Raises InvalidInput listing every problem; changes nothing then."""
    problems = question_problems(data)
    if problems:
        raise InvalidInput(
            _l("Câu hỏi chưa hợp lệ: %(problems)s.", problems=lazy_join(problems, "; "))
        )
    existing = db.session.scalar(select(Question).where(Question.code == data.code))
    if existing is not None and existing.bank_id != bank.id:
        raise Conflict(
            _l("Mã câu hỏi “%(code)s” đã dùng ở ngân hàng khác.", code=data.code)
        )
    result = SyncResult()
    question = upsert_question(bank, data, result, "browser", user.id)
    if existing is not None and not existing.active:
        question.active = False  # editing a retired question does not restore it
    changed = bool(result.created or result.updated)
    if changed:
        audit.record(
            "question.saved",
            actor=user,
            target=question,
            version=question.current_version.number,
        )
    return question, changed


def set_active(question: Question, user: User, active: bool) -> None:
    if question.active != active:
        question.active = active
        audit.record(
            "question.restored" if active else "question.retired",
            actor=user,
            target=question,
        )
        db.session.flush()


def learner_preview(data: QuestionData) -> Markup:
    """The question as the attempt page shows it (same markup and sanitiser), with
    nothing chosen and nothing marking the right option."""
    fields = version_fields(data)
    options = {o["key"]: option_html(data.type, o) for o in fields["options"]}
    return unanswered_question_html(data.type == MULTIPLE, fields["stem_html"], options)


@dataclass
class AnswerView:
    """The trainer's half of a preview: which options are right, and why."""

    options: list[dict]
    explanation_html: str
    source: str
    tags: list[str] = field(default_factory=list)


def answer_view(data: QuestionData) -> AnswerView:
    fields = version_fields(data)
    options = [{**o, "html": option_html(data.type, o)} for o in fields["options"]]
    return AnswerView(options, fields["explanation_html"], data.source, list(data.tags))


# --- uploads ------------------------------------------------------------------------


def guess_format(filename: str) -> str | None:
    name = filename.lower()
    if name.endswith(".docx"):
        return "word"
    if name.endswith(".gift"):
        return "gift"
    if name.endswith(".xml"):
        return "moodle-xml"
    return None


_UNNAMED = "~new"  # code prefix the parsers give questions the file does not name


def parse_upload(data: bytes, fmt: str, bank: QuestionBank) -> list[QuestionData]:
    """The questions of an uploaded file (the browser's upload and `flask quizzes
    import-*` alike); ConversionError with every located problem (nothing is
    imported then). Questions the file does not name by code (all of Aiken and
    Word, GIFT ones without `// [id:…]`, Moodle XML ones without <idnumber>; a
    Moodle name is never a code) get fresh codes of the bank, so an import never
    replaces a question by accident. Weights that are the ones VHCV derives
    (questions.plain_weights) are read as none, so a question exported and
    imported back is the same question, no new version."""
    if fmt == "word":
        parsed = parse_word(data, _UNNAMED)
    elif fmt == "moodle-xml":
        parsed = parse_moodle_xml(data, _UNNAMED, max_bytes())
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ConversionError(
                _l(
                    "Tệp không phải văn bản UTF-8 (byte lỗi ở vị trí %(start)s).",
                    start=error.start,
                ),
                [],
            ) from None
        if fmt == "aiken":
            parsed = parse_aiken(text, _UNNAMED)
        elif fmt == "gift":
            parsed = parse_gift(text, _UNNAMED)
        else:
            raise ConversionError(_l("Định dạng không hỗ trợ: %(fmt)s", fmt=fmt), [])
    unnamed = [q for q in parsed if q.code.startswith(f"{_UNNAMED}-")]
    fresh = iter(next_codes(bank, len(unnamed)))
    return [
        replace(
            q,
            code=next(fresh) if q.code.startswith(f"{_UNNAMED}-") else q.code,
            options=plain_weights(q.options),
        )
        for q in parsed
    ]


def replaced_codes(bank: QuestionBank, questions: list[QuestionData]) -> list[str]:
    """Codes of the file that name questions already in the bank (a new version of
    each will be made)."""
    codes = [q.code for q in questions]
    return list(
        db.session.scalars(
            select(Question.code)
            .where(Question.code.in_(codes), Question.bank_id == bank.id)
            .order_by(Question.code)
        )
    )


def upload_warnings(questions: list[QuestionData]) -> list[str]:
    """What imported questions still lack to be exported to a bank file."""
    return [
        f"{q.code}: {problem}"
        for q in questions
        for problem in question_problems(q)
        if problem is NO_EXPLANATION or problem is NO_SOURCE
    ]


def import_questions(
    bank: QuestionBank, user: User, questions: list[QuestionData], fmt: str, name: str
) -> SyncResult:
    """All the questions into `bank` (a new version for a known, changed code)."""
    if codes_in_other_banks(bank, [q.code for q in questions]):
        raise Conflict(
            _l(
                "Một số mã câu hỏi trong tệp đã dùng ở ngân hàng khác; chưa nhập câu "
                "nào."
            )
        )
    result = SyncResult()
    for question in questions:
        upsert_question(bank, question, result, "import", user.id)
    audit.record(
        "questions.imported",
        actor=user,
        target=bank,
        file=name,
        format=fmt,
        created=len(result.created),
        updated=len(result.updated),
    )
    return result
