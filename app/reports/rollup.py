"""The tree of a day and the successor and scope rules of the reports: they live in
app.accounts.rollup (one home, shared with the reward candidates, app.rewards)."""

from app.accounts.rollup import (
    AT_TIME,
    ATTRIBUTIONS,
    ROLLED_UP,
    Place,
    Structure,
    today,
)

__all__ = ["AT_TIME", "ATTRIBUTIONS", "ROLLED_UP", "Place", "Structure", "today"]
