"""The bodies of module and course files: unsupported Markdown, and links and images
that point nowhere (a module file, a heading in it, a file under images/)."""

import re
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from app.errors import lazy_gettext as _l
from app.markdown import prose_lines, slugify

from .problems import Problem, syntax_problems


class Folder(Protocol):
    """A course folder, as far as its links are concerned."""

    directory: Path
    module_names: set[str]  # every *.md but course.md

    def anchors(self, filename: str) -> set[str] | None:
        """Heading anchors of a module file, None if it could not be read."""


_LINK = re.compile(  # [text](target "title") or ![alt](target); one level of (…)
    r"(!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?"
    r"(?:\s+[\"'(][^)]*)?\)"
)
_HEADING = re.compile(r"^#{2,6}(?!#)\s*(.*?)[\s#]*$")
_ATTR_ID = re.compile(r"\{:?[^}]*?#([\w-]+)[^}]*\}\s*$")
_ATTR_LIST = re.compile(r"\s*\{:?[^}]*\}\s*$")
_INLINE_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
URL_SCHEMES = {"http", "https", "mailto"}


def body_problems(body: str, first: int, path: str, folder: Folder) -> list[Problem]:
    """Unsupported Markdown, then broken links, in a body starting at file line
    `first` of a file in `folder`."""
    found = syntax_problems(body, first, path)
    return found + _link_problems(body, first, path, folder)


def _link_problems(body: str, first: int, path: str, folder: Folder) -> list[Problem]:
    found = []
    for number, line in prose_lines(body):
        for bang, target in _LINK.findall(line):
            message = _link_problem(target, bang == "!", folder)
            if message:
                found.append(Problem(path, first + number - 1, message))
    return found


def _link_problem(target: str, is_image: bool, folder: Folder):
    """Why a link or image `target` in `folder` is broken (a lazy message, read in
    the reader's language), or None if it is fine."""
    url = urlsplit(target)
    if url.scheme and url.scheme.lower() not in URL_SCHEMES:
        return _l("liên kết dùng giao thức không được phép: %(target)s", target=target)
    if url.scheme or url.netloc or target.startswith(("/", "#")):
        return None
    path = unquote(url.path)
    if is_image or not path.endswith(".md"):
        if not path.startswith("images/"):
            return _l(
                "tệp ảnh và tệp đính kèm phải nằm trong thư mục images/: %(target)s",
                target=target,
            )
        if not _is_file_in(folder.directory, path):
            if is_image:
                return _l("thiếu hình ảnh: %(target)s", target=target)
            return _l("thiếu tệp: %(target)s", target=target)
        return None
    if not path.endswith(".md"):
        exists = _is_file_in(folder.directory, path)
        return (
            None
            if exists
            else _l("liên kết tới tệp không tồn tại: %(target)s", target=target)
        )
    if path not in folder.module_names:
        return _l("liên kết tới học phần không tồn tại: %(target)s", target=target)
    anchors = folder.anchors(path)
    fragment = unquote(url.fragment)
    if fragment and anchors is not None and fragment not in anchors:
        return _l(
            "không có mục #%(fragment)s trong %(path)s", fragment=fragment, path=path
        )
    return None


def _is_file_in(directory: Path, path: str) -> bool:
    file = (directory / path).resolve()
    return file.is_file() and file.is_relative_to(directory.resolve())


def anchors(body: str) -> set[str]:
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
