"""Module files written back from the database (`flask content export`), in the
format the loader reads (README, "Course content"). Pure: text in, text out."""

import json

from .loader import ModuleFile


def quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def module_text(module: ModuleFile) -> str:
    """The whole file of `module`: front matter, then the body exactly as stored
    (the loader reads everything after the closing `---` as the body)."""
    lines = [
        "---",
        f"code: {module.code}",
        f"course: {module.course}",
        f"title: {quoted(module.title)}",
        f"order: {module.order}",
        f"minutes: {module.minutes}",
    ]
    for key, items in (("objectives", module.objectives), ("sources", module.sources)):
        if items:
            lines.append(f"{key}:")
            lines += [f"  - {quoted(item)}" for item in items]
        else:
            lines.append(f"{key}: []")
    lines.append("---")
    return "\n".join(lines) + "\n" + module.body
