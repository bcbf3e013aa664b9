"""Turn uploaded tables into rows for the account services."""

from app.tabular import read_table, require_columns

from .units import UnitRow

UNIT_COLUMNS = {
    "code": "code",
    "ma": "code",
    "ma don vi": "code",
    "name": "name",
    "ten": "name",
    "ten don vi": "name",
    "parent code": "parent_code",
    "parent": "parent_code",
    "ma don vi cha": "parent_code",
    "ma cap tren": "parent_code",
    "ma don vi cap tren": "parent_code",
    "kind": "kind",
    "loai": "kind",
    "loai don vi": "kind",
}
UNIT_LABELS = {
    "code": "code (mã đơn vị)",
    "name": "name (tên)",
    "parent_code": "parent code (mã đơn vị cấp trên)",
    "kind": "kind (loại)",
}


def read_unit_rows(data: bytes, filename: str) -> list[UnitRow]:
    """Rows of a units file (code, name, parent code, kind).

    Raises TableError when the file is unreadable or lacks a column.
    """
    table = read_table(data, filename, UNIT_COLUMNS)
    require_columns(table, ["code", "name", "parent_code", "kind"], UNIT_LABELS)
    return [
        UnitRow(
            line=row.line,
            code=row.values.get("code", ""),
            name=row.values.get("name", ""),
            parent_code=row.values.get("parent_code", ""),
            kind=row.values.get("kind", "") or "agency",
        )
        for row in table.rows
    ]
