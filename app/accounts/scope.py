"""The one rule for unit subtrees, in Python and in SQL.

A unit's `path` is "/<root id>/…/<own id>/", so a unit lies in the subtree of the unit
at path P (P itself included) exactly when its path starts with P. Every subtree test
of the application goes through this module, mostly as the hybrid methods
`Unit.in_subtree` and `Unit.in_subtrees`:

- in Python: `str.startswith`;
- in SQL against a string: `LIKE 'P%'` with `%`, `_` and the escape character of P
  escaped (the form the path index serves);
- in SQL against another path column (a join of a unit with its subtree): the first
  characters of the path compared with `=`, which no character of P can widen.

`roots` None means no restriction (an administrator's scope); an empty list means
nothing.
"""

from collections.abc import Iterable

from sqlalchemy import ColumnElement, false, func, or_, true


def in_subtree(path: str, root: str) -> bool:
    """True when the unit at `path` is the unit at `root` or lies below it."""
    return path.startswith(root)


def path_ids(path: str) -> list[int]:
    """The ids of the units on `path`, from the top down to the unit itself."""
    return [int(part) for part in path.strip("/").split("/") if part]


def child_path(parent_path: str | None, unit_id: int) -> str:
    """The path of unit `unit_id` placed under the unit at `parent_path` (None: a
    root)."""
    return f"{parent_path or '/'}{unit_id}/"


def ancestor_paths(path: str) -> list[str]:
    """ "/1/5/9/" → ["/1/", "/1/5/", "/1/5/9/"]: the paths whose subtree holds the
    unit at `path`, from the top down (the unit's own last)."""
    parts = [str(unit_id) for unit_id in path_ids(path)]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def in_any_subtree(path: str, roots: Iterable[str] | None) -> bool:
    """True when `path` lies in the subtree of one of `roots` (any path when None)."""
    if roots is None:
        return True
    return any(in_subtree(path, root) for root in _paths(roots))


def subtree_condition(column, root) -> ColumnElement[bool]:
    """SQL condition: the path `column` lies in the subtree of `root`, a path string
    or a path column (e.g. of an aliased Unit)."""
    if isinstance(root, str):
        return column.startswith(root, autoescape=True)
    if isinstance(root, ColumnElement) or hasattr(root, "__clause_element__"):
        return func.substr(column, 1, func.length(root)) == root
    raise TypeError(f"a unit path is a string or a path column, not {root!r}")


def any_subtree_condition(column, roots: Iterable[str] | None) -> ColumnElement[bool]:
    """SQL condition: the path `column` lies in the subtree of one of `roots`
    (TRUE when `roots` is None, FALSE when it is empty)."""
    if roots is None:
        return true()
    conditions = [subtree_condition(column, root) for root in _paths(roots)]
    return or_(*conditions) if conditions else false()


def _paths(roots: Iterable[str]) -> Iterable[str]:
    if isinstance(roots, str):  # would be read character by character
        raise TypeError(f"a list of unit paths is expected, not the string {roots!r}")
    return roots
