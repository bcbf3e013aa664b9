"""The schema of a bank file's front matter and of a question's metadata lines
(app.content.banks; README, "Bank files"). Messages are lazy: read in the reader's
language."""

from collections import Counter

from app.errors import lazy_gettext as _l
from app.quizzes.models import QuestionBank
from app.quizzes.questions import QUESTION_TYPES

from .exclusive import check_exclusive
from .frontmatter import (
    Message,
    Schema,
    bounded,
    check_boolean,
    check_code,
    check_text,
    slug,
)


def _question_type(key: str, value: object) -> Message | None:
    if value in QUESTION_TYPES:
        return None
    return _l(
        "loại câu hỏi không hợp lệ: “%(value)s” (%(types)s)",
        value=value,
        types=", ".join(QUESTION_TYPES),
    )


def _source(key: str, value: object) -> Message | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return MISSING_SOURCE
    if isinstance(value, str):
        return None
    return _l("“%(key)s” phải là chuỗi: “%(value)s”", key=key, value=value)


def bad_tags(tags: str) -> Message:
    return _l("thẻ chỉ gồm chữ thường không dấu, chữ số và “-”: %(tags)s", tags=tags)


def check_tags(key: str, value: object) -> Message | None:
    if not isinstance(value, list):
        return _l(
            "“%(key)s” phải là danh sách thẻ, ví dụ [phap-ly, muc-dich]: “%(value)s”",
            key=key,
            value=value,
        )
    bad = [str(tag) for tag in value if slug(tag) is None]
    if bad:
        return bad_tags(", ".join(bad))
    repeated = [tag for tag, n in Counter(map(slug, value)).items() if n > 1]
    if repeated:
        return _l("thẻ lặp lại: %(tags)s", tags=", ".join(repeated))
    return None


MISSING_SOURCE = _l("thiếu nguồn (source)")
BANK_SCHEMA = Schema(
    {
        "code": bounded(check_code, QuestionBank.code),
        "title": bounded(check_text, QuestionBank.title),
        "course": bounded(check_text, QuestionBank.course_code),
        "module": bounded(check_text, QuestionBank.module_code),
        "exclusive": check_exclusive,
    },
    required=("code", "title"),
)
QUESTION_SCHEMA = Schema(
    {
        "type": _question_type,
        "tags": check_tags,
        "source": _source,
        "answer": check_boolean,
        "feedback_true": check_text,
        "feedback_false": check_text,
    },
    required=("type", "source"),
    missing={
        "type": _l("thiếu loại câu hỏi (type: single, multiple hoặc truefalse)"),
        "source": MISSING_SOURCE,
    },
)
