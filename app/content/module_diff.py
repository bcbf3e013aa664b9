"""A readable line diff of two module texts (metadata first, then the Markdown)."""

import difflib
from dataclasses import dataclass

from .module_editing import ModuleText


@dataclass
class DiffLine:
    kind: str  # "same", "removed" or "added"
    old_number: int | None
    new_number: int | None
    text: str


@dataclass
class DiffHunk:
    lines: list[DiffLine]


def text_lines(text: ModuleText) -> list[str]:
    """The text as the lines an author reads: its fields, then its body."""
    lines = [f"Tiêu đề: {text.title}", f"Thời gian đọc: {text.minutes} phút"]
    lines += [f"Mục tiêu: {o}" for o in text.objectives]
    lines += [f"Nguồn: {s}" for s in text.sources]
    return [*lines, "—", *text.body.rstrip("\n").split("\n")]


def diff(old: ModuleText, new: ModuleText, context: int = 3) -> list[DiffHunk]:
    """The changed stretches with `context` unchanged lines around each; [] when
    the two texts are the same."""
    a, b = text_lines(old), text_lines(new)
    hunks = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        lines = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [
                    DiffLine("same", i + 1, j + 1, a[i])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            lines += [DiffLine("removed", i + 1, None, a[i]) for i in range(i1, i2)]
            lines += [DiffLine("added", None, j + 1, b[j]) for j in range(j1, j2)]
        hunks.append(DiffHunk(lines))
    return hunks
