"""Cadre import: read a CSV/XLSX list of cadres, plan it, then apply it all or nothing.

`parse_cadre_file` (bytes → rows; no database; `reading`) → `plan_import` (reads the
database, writes nothing: one action and its messages per row; `planning`, with the
row checks in `checking`) → `apply_import` (creates and updates in the session,
flushes; the caller commits once; `applying`). Re-importing the same file plans every
row as "unchanged". Names typed in the legacy TCVN3 or VNI encodings are converted by
`app.legacy_text` (through the table reader, `app.tabular`) and every conversion is
kept on its row so the preview can show "original → converted"; an uncertain one is a
warning that needs explicit acceptance, never a silent guess.
"""

from .applying import AUDITED_CONVERSIONS, apply_import
from .checking import CREATE, ERROR, UNCHANGED, UPDATE, PlannedRow
from .planning import ImportPlan, plan_import
from .reading import (
    COLUMNS,
    LABELS,
    TEXT_FIELDS,
    CadreRow,
    CadreRows,
    TextFix,
    parse_cadre_file,
    too_big_message,
)

__all__ = [
    "AUDITED_CONVERSIONS",
    "COLUMNS",
    "CREATE",
    "ERROR",
    "LABELS",
    "TEXT_FIELDS",
    "UNCHANGED",
    "UPDATE",
    "CadreRow",
    "CadreRows",
    "ImportPlan",
    "PlannedRow",
    "TextFix",
    "apply_import",
    "parse_cadre_file",
    "plan_import",
    "too_big_message",
]
