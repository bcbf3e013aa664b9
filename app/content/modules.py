"""Course content files -> dataclasses, with every problem located by file and line.

Pure functions; no database, and no Flask but its lazy messages. Layout:
<root>/<course folder>/course.md plus module files "NN-slug.md" and an optional
images/ folder. `load_content` never raises on bad content: it returns what it could
parse and a list of Problems.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.courses.models import Course, Module, ModuleVersion
from app.errors import lazy_gettext as _l

from .frontmatter import (
    Mapping,
    Message,
    Schema,
    bounded,
    check_integer,
    check_text,
    check_texts,
    read_front_matter,
)
from .links import anchors, body_problems
from .problems import Problem
from .textfile import read_text

COURSE_FILE = "course.md"
# (lowest, highest) of a module's and a course's whole numbers: the same for their
# files and the browser's module form, and well inside the database's integers.
MODULE_ORDER = (1, 999)  # its place in the course (the file name's "NN-" prefix)
MODULE_MINUTES = (1, 600)  # reading time
COURSE_PERIODS = (1, 1000)  # số tiết the course counts for


@dataclass
class ModuleFile:
    code: str
    course: str
    title: str
    order: int
    minutes: int
    objectives: list[str]
    sources: list[str]
    body: str  # Markdown after the front matter, NFC, "\n" line ends
    body_line: int  # 1-based line in the file where `body` starts
    path: str  # as in Problem.path
    filename: str  # "03-giao-tiep-ung-xu.md"
    folder: str  # the course folder's name


@dataclass
class CourseFile:
    code: str
    title: str
    description: str
    audience: str
    periods: int
    body: str
    body_line: int
    path: str
    folder: str
    modules: list[ModuleFile] = field(default_factory=list)  # sorted by order


@dataclass
class ContentSet:
    courses: list[CourseFile]
    problems: list[Problem]  # sorted by path, then line

    @property
    def ok(self) -> bool:
        return not self.problems


def content_hash(module: ModuleFile) -> str:
    """SHA-256 hex of the module's content; path and body_line do not count."""
    keys = ("code", "course", "title", "order", "minutes", "objectives", "sources")
    return _hash(module, keys + ("body", "filename"))


def course_hash(course: CourseFile) -> str:
    """SHA-256 hex of the course's own fields and body (not its modules)."""
    return _hash(
        course, ("code", "title", "description", "audience", "periods", "body")
    )


def _hash(item: object, keys: tuple[str, ...]) -> str:
    data = {key: getattr(item, key) for key in keys}
    canonical = json.dumps(
        data, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- reading one file ---------------------------------------------------------------


@dataclass
class _Source:
    """A file split into front matter and body, before the schema is checked."""

    file: Path
    path: str
    meta: Mapping
    body: str
    body_line: int

    def line_of(self, key: str) -> int:
        return self.meta.line_of(key)


def _read(file: Path, path: str, problems: list[Problem]) -> _Source | None:
    """Decode and split `file`; on failure add a Problem and return None."""
    text = read_text(file, path, problems)
    document = read_front_matter(text, path, problems) if text is not None else None
    if document is None or document.meta is None:
        return None
    return _Source(file, path, document.meta, document.body, document.body_line)


# --- schema ---------------------------------------------------------------------------


def _sources(key: str, value: object) -> Message | None:
    if value in (None, []):
        return _l("thiếu nguồn (sources)")
    return check_texts(key, value)


_MODULE_CHECKS = {
    "code": bounded(check_text, Module.code),
    "course": bounded(check_text, Course.code),
    "title": bounded(check_text, ModuleVersion.title),
    "order": check_integer(*MODULE_ORDER),
    "minutes": check_integer(*MODULE_MINUTES),
    "objectives": check_texts,
    "sources": _sources,
}
MODULE_SCHEMA = Schema(_MODULE_CHECKS, tuple(_MODULE_CHECKS))
_COURSE_CHECKS = {
    "code": bounded(check_text, Course.code),
    "title": bounded(check_text, Course.title),
    "description": check_text,
    "audience": check_text,
    "periods": check_integer(*COURSE_PERIODS),
}
COURSE_SCHEMA = Schema(_COURSE_CHECKS, tuple(_COURSE_CHECKS))


def _module(source: _Source, problems: list[Problem]) -> ModuleFile | None:
    found = MODULE_SCHEMA.problems(source.meta, source.path, 1)
    problems += found
    if found:
        return None
    module = ModuleFile(
        **source.meta.data,
        body=source.body,
        body_line=source.body_line,
        path=source.path,
        filename=source.file.name,
        folder=source.file.parent.name,
    )
    prefix = re.match(r"^(\d+)-", module.filename)
    if not prefix or int(prefix.group(1)) != module.order:
        message = _l(
            "tiền tố tên tệp (NN) khác thứ tự (order) %(order)s", order=module.order
        )
        problems.append(Problem(source.path, source.line_of("order"), message))
    return module


def _course(source: _Source, problems: list[Problem]) -> CourseFile | None:
    found = COURSE_SCHEMA.problems(source.meta, source.path, 1)
    problems += found
    if found:
        return None
    return CourseFile(
        **source.meta.data,
        body=source.body,
        body_line=source.body_line,
        path=source.path,
        folder=source.file.parent.name,
    )


# --- folders and cross-file checks ----------------------------------------------------


@dataclass
class _Folder:
    directory: Path
    module_names: set[str] = field(default_factory=set)  # every *.md but course.md
    sources: list[_Source] = field(default_factory=list)  # every file that split
    course: tuple[CourseFile, _Source] | None = None
    modules: list[tuple[ModuleFile, _Source]] = field(default_factory=list)
    has_course_file: bool = False

    def anchors(self, filename: str) -> set[str] | None:
        """Heading anchors of a module file, None if it could not be read."""
        source = next((s for s in self.sources if s.file.name == filename), None)
        return None if source is None else anchors(source.body)


def load_content(root: Path) -> ContentSet:
    """Load every course folder under `root`; files with problems are left out.

    Raises FileNotFoundError only if `root` is not a directory.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"không có thư mục nội dung (content root): {root}")
    problems: list[Problem] = []
    folders = [_read_folder(d, root.parent, problems) for d in _course_dirs(root)]
    _check_duplicates(folders, problems)
    for folder in folders:
        _check_membership(folder, problems)
        for src in folder.sources:
            problems += body_problems(src.body, src.body_line, src.path, folder)
    bad = {problem.path for problem in problems}
    courses = [c for f in folders if (c := _assemble(f, bad)) is not None]
    return ContentSet(courses, sorted(problems, key=lambda p: (p.path, p.line)))


def _course_dirs(root: Path) -> list[Path]:
    return sorted(
        d
        for d in root.iterdir()
        if d.is_dir() and not d.name.startswith((".", "_")) and any(d.glob("*.md"))
    )


def _read_folder(directory: Path, base: Path, problems: list[Problem]) -> _Folder:
    folder = _Folder(directory)
    for file in sorted(f for f in directory.glob("*.md") if f.is_file()):
        source = _read(file, file.relative_to(base).as_posix(), problems)
        if file.name == COURSE_FILE:
            folder.has_course_file = True
        else:
            folder.module_names.add(file.name)
        if source is None:
            continue
        folder.sources.append(source)
        if file.name == COURSE_FILE:
            course = _course(source, problems)
            folder.course = (course, source) if course else None
        elif module := _module(source, problems):
            folder.modules.append((module, source))
    return folder


def _check_duplicates(folders: list[_Folder], problems: list[Problem]) -> None:
    """Repeated course codes, module codes (across courses), orders (per course)."""
    courses = [f.course for f in folders if f.course]
    modules = [entry for f in folders for entry in f.modules]
    problems += _duplicates(
        courses,
        "code",
        lambda value, other: _l(
            "mã khóa học “%(value)s” trùng với %(other)s", value=value, other=other.path
        ),
    )
    problems += _duplicates(
        modules,
        "code",
        lambda value, other: _l(
            "mã học phần “%(value)s” trùng với %(other)s", value=value, other=other.path
        ),
    )
    for folder in folders:
        problems += _duplicates(
            folder.modules,
            "order",
            lambda value, other: _l(
                "thứ tự %(value)s trùng với %(other)s",
                value=value,
                other=other.file.name,
            ),
        )


def _duplicates(
    entries: list[tuple[object, _Source]],
    key: str,
    repeated: Callable[[object, _Source], Message],
) -> list[Problem]:
    """Problems for every entry whose `key` repeats an earlier one's; `repeated`
    says so, given the value and the earlier entry's source."""
    seen: dict[object, _Source] = {}
    found = []
    for item, source in entries:
        value = getattr(item, key)
        if value in seen:
            message = repeated(value, seen[value])
            found.append(Problem(source.path, source.line_of(key), message))
        else:
            seen[value] = source
    return found


def _check_membership(folder: _Folder, problems: list[Problem]) -> None:
    """Each module must belong to the course.md of its own folder."""
    if folder.has_course_file and folder.course is None:
        return  # course.md is broken and already reported; do not pile on
    code = folder.course[0].code if folder.course else None
    where = (
        _l("course.md ở đây có mã “%(code)s”", code=code)
        if code
        else _l("thư mục không có course.md")
    )
    for module, source in folder.modules:
        if module.course != code:
            message = _l(
                "học phần thuộc khóa “%(course)s” không tồn tại (%(where)s)",
                course=module.course,
                where=where,
            )
            problems.append(Problem(source.path, source.line_of("course"), message))


def _assemble(folder: _Folder, bad: set[str]) -> CourseFile | None:
    """The folder's course with its problem-free modules, or None if it has problems."""
    if folder.course is None or folder.course[1].path in bad:
        return None
    course = folder.course[0]
    modules = [module for module, source in folder.modules if source.path not in bad]
    course.modules = sorted(modules, key=lambda module: module.order)
    return course
