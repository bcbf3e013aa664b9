"""The rates every report shows of a group of records, in one place."""


class Rates:
    """Completion and pass rates, in percent to one decimal (0 for no record), of
    a row that has `total`, `completed` and `passed`."""

    total: int
    completed: int
    passed: int

    @property
    def completion_percent(self) -> float:
        return round(100 * self.completed / self.total, 1) if self.total else 0.0

    @property
    def pass_percent(self) -> float:
        return round(100 * self.passed / self.total, 1) if self.total else 0.0
