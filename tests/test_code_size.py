"""The core made simple: no module of app/ over MAX_MODULE_LINES lines, no function
or method over MAX_FUNCTION_LINES lines of body (from its first statement after the
docstring to its last line; a nested function counts in its parent's body and on
its own). A function that resists a split is named in ALLOWED with the reason."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50
# "path/under/app.py:qualified.name" -> why it stays longer
ALLOWED: dict[str, str] = {}


def _modules() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(APP).as_posix()


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The lines of `function`'s body, its docstring left out (0 when it has none
    but the docstring)."""
    body = function.body
    if ast.get_docstring(function, clean=False) is not None:
        body = body[1:]
    if not body:
        return 0
    return function.end_lineno - body[0].lineno + 1


def long_functions(tree: ast.AST) -> list[tuple[str, int]]:
    """(qualified name, body lines) of each function of `tree` over the limit."""
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                if body_lines(child) > MAX_FUNCTION_LINES:
                    found.append((name, body_lines(child)))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def test_no_module_is_over_the_limit():
    long = {
        _name(path): count
        for path in _modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines()))
        > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_over_the_limit():
    long = {
        f"{_name(path)}:{name}": count
        for path in _modules()
        for name, count in long_functions(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert {k: v for k, v in long.items() if k not in ALLOWED} == {}
    assert sorted(k for k in ALLOWED if k not in long) == []  # no stale excuse


def test_the_function_checker_counts_the_body_without_the_docstring():
    source = (
        "def f():\n"
        '    """Doc\n    string."""\n'
        + "    x = 1\n" * MAX_FUNCTION_LINES
        + "class C:\n    def g(self):\n"
        + "        y = 2\n" * (MAX_FUNCTION_LINES + 1)
    )
    assert long_functions(ast.parse(source)) == [("C.g", MAX_FUNCTION_LINES + 1)]
