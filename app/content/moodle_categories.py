"""Moodle question categories, as GIFT `$CATEGORY:` lines and Moodle XML category
questions name them ("$course$/top/Văn hóa công vụ/Học phần 2").

VHCV imports a file into one bank. A file with a single category is that bank's
content: the category is dropped. A file with several categories keeps them as
tags: the categories the file's questions are in share a path (at least
"$course$/top"), the bank's; each question gets the tag of the rest of its
category's path, its segments slugified and joined ("Sở A/Học phần 2" ->
"so-a-hoc-phan-2"; "…/top/Học phần 2" beside "…/top/Học phần 1" -> "hoc-phan-2"),
and none when its category is that shared path itself. Two different categories
that would give one tag, or a tag longer than a quiz's draw rule takes, are
problems of the file: categories are never merged nor cut.

Each question also keeps its category's whole path as a label (Question.category,
not content: QuestionData.category), and export writes the questions that have one
under it, as Moodle named it. The others (a bank written by hand, or imported
before the path was kept) go under `$course$/top/<bank title>`; those of a bank not
synced from a file whose tags divide them into categories unambiguously (see
`category_groups`) under one subcategory per such tag.
"""

import re
from dataclasses import dataclass, replace

from app.errors import lazy_gettext as _l
from app.markdown import slugify
from app.quizzes.questions import QuestionData

from .frontmatter import SLUG

TAG_MAX = 60  # the longest tag a quiz's draw rule takes (authoring.quiz_forms)
_SLASH = "\ue010"  # Moodle writes a "/" inside a category name as "//"
_CONTEXT = re.compile(r"\$\w+\$")  # $course$, $system$, $module$, $coursecategory$


@dataclass(frozen=True)
class Category:
    """A category as a file names it, and the line that names it."""

    path: str
    line: int


def category_path(bank_title: str) -> str:
    """The Moodle category a bank is exported as."""
    return "$course$/top/" + bank_title.replace("/", "//")


def segments(path: str) -> tuple[str, ...]:
    """The names along a category path, blank ones left out ("A//B" is one name,
    "A/B")."""
    names = (
        s.replace(_SLASH, "/").strip() for s in path.replace("//", _SLASH).split("/")
    )
    return tuple(name for name in names if name)


def _below_top(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names after the path's context ("$course$") and its "top"."""
    if names and _CONTEXT.fullmatch(names[0]):
        names = names[1:]
    return names[1:] if names[:1] == ("top",) else names


def category_tags(paths: list[str]) -> dict[str, str]:
    """Each path's tag: below the part all `paths` share, its names slugified and
    joined with "-"; "" for the shared path itself, and for every path when there
    are fewer than two different ones."""
    below = {path: _below_top(segments(path)) for path in paths}
    if len(set(map(segments, paths))) < 2:
        return dict.fromkeys(paths, "")
    shared = 0
    names = list(below.values())
    while all(len(n) > shared and n[shared] == names[0][shared] for n in names):
        shared += 1
    return {
        path: "-".join(slugify(name) for name in rest[shared:])
        for path, rest in below.items()
    }


def with_category_tags(
    questions: list[tuple[QuestionData, Category | None]], problems: list
) -> list[QuestionData]:
    """The questions, each (question, its category or None); when the file has
    several categories, each question gains its category's tag. Categories that
    would merge, or whose tag is too long, are added to `problems`."""
    first: dict[tuple[str, ...], Category] = {}
    for _, category in questions:
        if category is not None:
            first.setdefault(segments(category.path), category)
    tags = category_tags([c.path for c in first.values()])
    _check(list(first.values()), tags, problems)
    tagged = []
    for question, category in questions:
        tag = tags[first[segments(category.path)].path] if category else ""
        if tag and tag not in question.tags:
            question = replace(question, tags=(*question.tags, tag))
        if category is not None:
            question = replace(question, category=category.path)
        tagged.append(question)
    return tagged


def stored_groups(
    questions: list[QuestionData], path: str | None
) -> list[tuple[str | None, list[QuestionData]]]:
    """The questions under the category each was imported from (`path`, the
    bank's, for one without), the categories in the order they first come; with
    no `path`, those without one come first (before any category line)."""
    groups: dict[str | None, list[QuestionData]] = {}
    if path is None and not all(q.category for q in questions):
        groups[None] = []
    for question in questions:
        groups.setdefault(question.category or path, []).append(question)
    return list(groups.items())


def _check(categories: list[Category], tags: dict[str, str], problems: list) -> None:
    """Add a problem for a category whose tag is another's, or too long."""
    owner: dict[str, Category] = {}
    for category in categories:
        tag = tags[category.path]
        other = owner.setdefault(tag, category)
        if other is not category:
            problems.append(
                _l(
                    "dòng %(line)s: danh mục «%(path)s» và danh mục «%(other)s» (dòng "
                    "%(value)s) cho cùng một thẻ «%(tag)s», hai danh mục khác nhau "
                    "sẽ bị gộp; hãy đổi tên một trong hai trong Moodle rồi xuất lại",
                    line=category.line,
                    path=category.path,
                    other=other.path,
                    value=other.line,
                    tag=tag,
                )
            )
        elif len(tag) > TAG_MAX:
            problems.append(
                _l(
                    "dòng %(line)s: danh mục «%(path)s» cho thẻ «%(tag)s» dài "
                    "%(length)s ký tự (tối đa %(limit)s); hãy rút gọn tên danh mục "
                    "trong Moodle rồi xuất lại",
                    line=category.line,
                    path=category.path,
                    tag=tag,
                    length=len(tag),
                    limit=TAG_MAX,
                )
            )


def category_groups(
    questions: list[QuestionData], path: str
) -> list[tuple[str, list[QuestionData]]]:
    """The categories to export an imported bank's questions under (`path` is the
    bank's), each with its questions, in the order they first come.

    An import adds a question's category tag after its other tags, so the
    candidates are the questions' last tags. They are the categories only when
    that is unambiguous: each a tag (so it reads back as itself), no question
    carrying two of them, and at least two of them; then a question goes to
    `path/<its candidate>`, one without tags to `path`. Otherwise every question
    is in `path`. Tags say nothing more: questions of one category, each with
    its own Moodle tag, would still be written as several.
    """
    last = {q.tags[-1] for q in questions if q.tags}
    if len(last) < 2 or not all(SLUG.match(tag) for tag in last):
        return [(path, list(questions))]
    groups: dict[str, list[QuestionData]] = {}
    for question in questions:
        own = [tag for tag in question.tags if tag in last]
        if len(own) > 1:
            return [(path, list(questions))]
        key = f"{path}/{own[0]}" if own else path
        groups.setdefault(key, []).append(question)
    return list(groups.items())
