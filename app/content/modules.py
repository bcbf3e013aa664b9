"""Course content files -> dataclasses, with every problem located by file and line.

Pure functions; no Flask, no database. Layout: <root>/<course folder>/course.md plus
module files "NN-slug.md" and an optional images/ folder. `load_content` never
raises on bad content: it returns what it could parse and a list of Problems.
"""

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from app.markdown import markdown_problems, prose_lines, slugify

from .problems import Problem

COURSE_FILE = "course.md"


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
    meta: dict
    key_lines: dict[str, int]  # front-matter key -> file line
    body: str
    body_line: int

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


def _read(file: Path, path: str, problems: list[Problem]) -> _Source | None:
    """Decode and split `file`; on failure add a Problem and return None."""
    text = _decode(file, path, problems)
    if text is None:
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    end = _front_matter_end(lines)
    if end is None:
        problems.append(Problem(path, 1, "thiếu front matter YAML (--- … ---)"))
        return None
    meta = _parse_yaml("\n".join(lines[1:end]), path, problems)
    if meta is None:
        return None
    body = "\n".join(lines[end + 1 :])
    return _Source(file, path, meta, _key_lines(lines[1:end]), body, end + 2)


def _decode(file: Path, path: str, problems: list[Problem]) -> str | None:
    """The file's text in NFC without a BOM, or None after adding a Problem."""
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as error:
        problems.append(Problem(path, 1, f"không đọc được tệp: {error.strerror}"))
        return None
    except UnicodeDecodeError as error:
        message = f"tệp không phải UTF-8 (byte lỗi ở vị trí {error.start})"
        problems.append(Problem(path, 1, message))
        return None
    return unicodedata.normalize("NFC", text.removeprefix("\ufeff"))


def _front_matter_end(lines: list[str]) -> int | None:
    """Index of the closing "---" line, or None if there is no front matter."""
    if lines[0].rstrip() != "---":
        return None
    return next((i for i, ln in enumerate(lines[1:], 1) if ln.rstrip() == "---"), None)


def _parse_yaml(text: str, path: str, problems: list[Problem]) -> dict | None:
    try:
        meta = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1: 1-based, +1: "---"
        reason = getattr(error, "problem", None) or str(error)
        message = f"front matter không phải YAML hợp lệ: {reason}"
        problems.append(Problem(path, line, message))
        return None
    if not isinstance(meta, dict):
        message = "front matter phải là một bảng “khóa: giá trị” (mapping)"
        problems.append(Problem(path, 2, message))
        return None
    return meta


def _key_lines(front: list[str]) -> dict[str, int]:
    """File line of each top-level key; `front` starts at file line 2."""
    found: dict[str, int] = {}
    for i, line in enumerate(front):
        key = re.match(r"^([^\s:#][^:]*?)\s*:", line)
        if key:
            found.setdefault(key.group(1).strip("'\""), i + 2)
    return found


# --- schema ---------------------------------------------------------------------------

_Check = Callable[[str, object], str | None]  # (key, value) -> message or None


def _is_text(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _text(key: str, value: object) -> str | None:
    return None if _is_text(value) else f"“{key}” phải là chuỗi không rỗng"


def _integer(low: int, high: int | None = None) -> _Check:
    def check(key: str, value: object) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
        if ok and (high is None or value <= high):
            return None
        if high is None:
            return f"“{key}” phải là số nguyên ≥ {low}"
        return f"“{key}” phải là số nguyên từ {low} đến {high}"

    return check


def _texts(key: str, value: object) -> str | None:
    if isinstance(value, list) and value and all(map(_is_text, value)):
        return None
    return f"“{key}” phải là danh sách không rỗng các chuỗi không rỗng"


def _sources(key: str, value: object) -> str | None:
    return "thiếu nguồn (sources)" if value in (None, []) else _texts(key, value)


MODULE_SCHEMA: dict[str, _Check] = {
    "code": _text,
    "course": _text,
    "title": _text,
    "order": _integer(1),
    "minutes": _integer(1, 600),
    "objectives": _texts,
    "sources": _sources,
}
COURSE_SCHEMA: dict[str, _Check] = {
    "code": _text,
    "title": _text,
    "description": _text,
    "audience": _text,
    "periods": _integer(1),
}


def _schema_problems(source: _Source, schema: dict[str, _Check]) -> list[Problem]:
    found = []
    for key, check in schema.items():
        if key not in source.meta:
            found.append(Problem(source.path, 1, f"thiếu khóa “{key}”"))
        elif message := check(key, source.meta[key]):
            found.append(Problem(source.path, source.line_of(key), message))
    for key in [key for key in source.meta if key not in schema]:
        line = source.line_of(str(key))
        found.append(Problem(source.path, line, f"khóa không hợp lệ: {key}"))
    return found


def _module(source: _Source, problems: list[Problem]) -> ModuleFile | None:
    found = _schema_problems(source, MODULE_SCHEMA)
    problems += found
    if found:
        return None
    module = ModuleFile(
        **source.meta,
        body=source.body,
        body_line=source.body_line,
        path=source.path,
        filename=source.file.name,
        folder=source.file.parent.name,
    )
    prefix = re.match(r"^(\d+)-", module.filename)
    if not prefix or int(prefix.group(1)) != module.order:
        message = f"tiền tố tên tệp (NN) khác thứ tự (order) {module.order}"
        problems.append(Problem(source.path, source.line_of("order"), message))
    return module


def _course(source: _Source, problems: list[Problem]) -> CourseFile | None:
    found = _schema_problems(source, COURSE_SCHEMA)
    problems += found
    if found:
        return None
    return CourseFile(
        **source.meta,
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
        return None if source is None else _anchors(source.body)


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
        for source in folder.sources:
            problems += _syntax_problems(source) + _link_problems(source, folder)
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
        courses, "code", "mã khóa học “{value}” trùng với {other.path}"
    )
    problems += _duplicates(
        modules, "code", "mã học phần “{value}” trùng với {other.path}"
    )
    for folder in folders:
        order = "thứ tự {value} trùng với {other.file.name}"
        problems += _duplicates(folder.modules, "order", order)


def _duplicates(
    entries: list[tuple[object, _Source]], key: str, template: str
) -> list[Problem]:
    """Problems for every entry whose `key` repeats an earlier one's."""
    seen: dict[object, _Source] = {}
    found = []
    for item, source in entries:
        value = getattr(item, key)
        if value in seen:
            message = template.format(value=value, other=seen[value])
            found.append(Problem(source.path, source.line_of(key), message))
        else:
            seen[value] = source
    return found


def _check_membership(folder: _Folder, problems: list[Problem]) -> None:
    """Each module must belong to the course.md of its own folder."""
    if folder.has_course_file and folder.course is None:
        return  # course.md is broken and already reported; do not pile on
    code = folder.course[0].code if folder.course else None
    where = f"course.md ở đây có mã “{code}”" if code else "thư mục không có course.md"
    for module, source in folder.modules:
        if module.course != code:
            message = f"học phần thuộc khóa “{module.course}” không tồn tại ({where})"
            problems.append(Problem(source.path, source.line_of("course"), message))


def _assemble(folder: _Folder, bad: set[str]) -> CourseFile | None:
    """The folder's course with its problem-free modules, or None if it has problems."""
    if folder.course is None or folder.course[1].path in bad:
        return None
    course = folder.course[0]
    modules = [module for module, source in folder.modules if source.path not in bad]
    course.modules = sorted(modules, key=lambda module: module.order)
    return course


# --- bodies: syntax and links ---------------------------------------------------------

_LINK = re.compile(  # [text](target "title") or ![alt](target); one level of (…)
    r"(!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?"
    r"(?:\s+[\"'(][^)]*)?\)"
)
_HEADING = re.compile(r"^#{2,6}(?!#)\s*(.*?)[\s#]*$")
_ATTR_ID = re.compile(r"\{:?[^}]*?#([\w-]+)[^}]*\}\s*$")
_ATTR_LIST = re.compile(r"\s*\{:?[^}]*\}\s*$")
_INLINE_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
URL_SCHEMES = {"http", "https", "mailto"}


def _syntax_problems(source: _Source) -> list[Problem]:
    return [
        Problem(source.path, source.body_line + line - 1, message)
        for line, message in markdown_problems(source.body)
    ]


def _link_problems(source: _Source, folder: _Folder) -> list[Problem]:
    found = []
    for number, line in prose_lines(source.body):
        for bang, target in _LINK.findall(line):
            message = _link_problem(target, bang == "!", folder)
            if message:
                line_number = source.body_line + number - 1
                found.append(Problem(source.path, line_number, message))
    return found


def _link_problem(target: str, is_image: bool, folder: _Folder) -> str | None:
    """Why a link or image `target` in `folder` is broken, or None if it is fine."""
    url = urlsplit(target)
    if url.scheme and url.scheme.lower() not in URL_SCHEMES:
        return f"liên kết dùng giao thức không được phép: {target}"
    if url.scheme or url.netloc or target.startswith(("/", "#")):
        return None
    path = unquote(url.path)
    if is_image or not path.endswith(".md"):
        if not path.startswith("images/"):
            return f"tệp ảnh và tệp đính kèm phải nằm trong thư mục images/: {target}"
        if not _is_file_in(folder.directory, path):
            return f"thiếu hình ảnh: {target}" if is_image else f"thiếu tệp: {target}"
        return None
    if not path.endswith(".md"):
        exists = _is_file_in(folder.directory, path)
        return None if exists else f"liên kết tới tệp không tồn tại: {target}"
    if path not in folder.module_names:
        return f"liên kết tới học phần không tồn tại: {target}"
    anchors = folder.anchors(path)
    fragment = unquote(url.fragment)
    if fragment and anchors is not None and fragment not in anchors:
        return f"không có mục #{fragment} trong {path}"
    return None


def _is_file_in(directory: Path, path: str) -> bool:
    file = (directory / path).resolve()
    return file.is_file() and file.is_relative_to(directory.resolve())


def _anchors(body: str) -> set[str]:
    """The ids Python-Markdown's toc gives the headings of `body`, roughly."""
    anchors: set[str] = set()
    for _, line in prose_lines(body):
        heading = _HEADING.match(line)
        if heading:
            anchors.add(_anchor(heading.group(1), anchors))
    return anchors


def _anchor(title: str, taken: set[str]) -> str:
    custom = _ATTR_ID.search(title)
    if custom:
        return custom.group(1)
    slug = slugify(_INLINE_LINK.sub(r"\1", _ATTR_LIST.sub("", title)))
    candidate, n = slug, 0
    while candidate in taken:
        n += 1
        candidate = f"{slug}_{n}"
    return candidate
