"""Moodle question categories, as GIFT `$CATEGORY:` lines and Moodle XML category
questions name them ("$course$/top/Văn hóa công vụ/Học phần 2").

VHCV imports a file into one bank. A file with a single category is that bank's
content: the category is dropped. A file with several categories keeps them as
tags: each question gets the tag of its category's last segment, slugified
("hoc-phan-2"), so a quiz can still draw by category. Export writes a bank as
the one category `$course$/top/<bank title>`.
"""

from dataclasses import replace

from app.markdown import slugify
from app.quizzes.questions import QuestionData

_SLASH = "\ue010"  # Moodle writes a "/" inside a category name as "//"


def category_path(bank_title: str) -> str:
    """The Moodle category a bank is exported as."""
    return "$course$/top/" + bank_title.replace("/", "//")


def category_tag(path: str) -> str:
    """The tag of a category path: its last segment, slugified."""
    segments = path.strip().replace("//", _SLASH).split("/")
    last = next((s for s in reversed(segments) if s.strip()), path)
    return slugify(last.replace(_SLASH, "/").strip())


def with_category_tags(
    questions: list[tuple[QuestionData, str | None]],
) -> list[QuestionData]:
    """The questions, each (question, its category path or None); when the file
    has several categories, each question gains its category's tag."""
    paths = {path.strip() for _, path in questions if path}
    if len(paths) < 2:
        return [question for question, _ in questions]
    tagged = []
    for question, path in questions:
        if path:
            tag = category_tag(path)
            if tag not in question.tags:
                question = replace(question, tags=(*question.tags, tag))
        tagged.append(question)
    return tagged
