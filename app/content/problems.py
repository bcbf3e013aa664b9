"""How content problems are reported: a Problem per file line, or a whole converted
file refused with its reasons (ConversionError)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str  # relative to the content root's parent: "courses/<folder>/<file>"
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ConversionError(ValueError):
    """Nothing was imported; `problems` are 'line N: message' strings (1-based lines of
    the input)."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join([self.message, *self.problems])
