"""What syncing modules, questions and quizzes has in common: the tally of what
changed, and the three-way rule between a file, the database and the hash they
last agreed on (README, "Editing in the browser and the files")."""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.numbers import count
from app.timeutil import format_vn_date


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    # Newer in the browser than in an unchanged file: kept, to be exported.
    kept: list[str] = field(default_factory=list)
    # "path:line: message" for items changed both in the browser and in the file.
    conflicts: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{count(len(self.created))} tạo mới, {count(len(self.updated))} cập "
            f"nhật, {count(len(self.unchanged))} không đổi, "
            f"{count(len(self.retired))} ngừng dùng"
        )
        if self.kept:
            text += f", {count(len(self.kept))} giữ bản mới hơn trên trình duyệt"
        return text


# The three-way rule between a file, the database and their last meeting point.
SAME, TAKE_FILE, KEEP_BROWSER, CONFLICT = "same", "file", "browser", "conflict"


def three_way(
    file_hash: str,
    current_hash: str,
    synced_hash: str,
    edited_here: bool = False,
    prefer_files: bool = False,
) -> str:
    """How sync treats an item: SAME (nothing to do), TAKE_FILE (only the file
    changed since the last sync or export), KEEP_BROWSER (only the database changed:
    a browser edit not yet exported) or CONFLICT (both changed, differently; with
    `prefer_files`, TAKE_FILE instead). `edited_here`: the current version was made
    in the browser (or imported); with no sync base at all, a file of the same code
    is then a conflict too."""
    if file_hash == current_hash:
        return SAME
    if synced_hash and current_hash == synced_hash:
        return TAKE_FILE
    if synced_hash and file_hash == synced_hash:
        return KEEP_BROWSER
    if not synced_hash and not edited_here:
        return TAKE_FILE
    return TAKE_FILE if prefer_files else CONFLICT


def conflict_message(path: str, line: int, what: str, edited_at, version=None) -> str:
    """`path:line: …` for an item edited in the browser and in its file."""
    when = format_vn_date(edited_at, with_time=True) if edited_at else "?"
    which = f"phiên bản {version}, " if version else ""
    return (
        f"{path}:{line}: xung đột: {what} đã được sửa trên trình duyệt "
        f"({which}lúc {when}) và tệp cũng đã đổi từ lần đồng bộ trước"
    )


def settle(
    result: SyncResult,
    item,
    digest: str,
    prefer_files: bool,
    at: tuple[str, int],
    noun: str,
    version=None,
    current_hash: str | None = None,
) -> str:
    """The three-way rule for `item` (a module, question, quiz or contest, with
    `version` its current version where it has versions) against its file's
    `digest`; a CONFLICT goes into `result.conflicts` (at `at`, path and line, as
    "`noun` code"), a KEEP_BROWSER into `result.kept`. `current_hash`: the database's
    side when it is not the stored content_hash of the version (or of the item)."""
    made = item if version is None else version
    rule = three_way(
        digest,
        made.content_hash if current_hash is None else current_hash,
        item.synced_hash,
        edited_here=made.origin != "file",
        prefer_files=prefer_files,
    )
    if rule == CONFLICT:
        edited_at = item.updated_at if version is None else version.created_at
        number = None if version is None else version.number
        result.conflicts.append(
            conflict_message(*at, f"{noun} {item.code}", edited_at, number)
        )
    elif rule == KEEP_BROWSER:
        result.kept.append(item.code)
    return rule


def upsert_by_code(model, code: str, digest: str, result: SyncResult):
    """The `model` row with `code` (created when missing) and whether it needs
    writing: False when its stored `content_hash` already equals `digest`. The code
    goes into `result` as created, updated or unchanged."""
    row = db.session.scalar(select(model).where(model.code == code))
    if row is not None and row.content_hash == digest:
        result.unchanged.append(code)
        return row, False
    if row is None:
        row = model(code=code)
        db.session.add(row)
        result.created.append(code)
    else:
        result.updated.append(code)
    return row, True


def next_version_number(version_model, parent_column, parent_id: int) -> int:
    """1 + the highest version number of a module or question (1 for the first)."""
    last = db.session.scalar(
        select(version_model.number)
        .where(parent_column == parent_id)
        .order_by(version_model.number.desc())
        .limit(1)
    )
    return (last or 0) + 1
