"""The audit log read for people: Vietnamese names of the actions, the names of
the actors and targets instead of their ids, the details in words
(app.reports.audit_details), checked filters, and the CSV of a filtered log.

Here rather than in app.audit: it joins the events with users, units, campaigns,
content, and app.audit sits below all of them. Reports read any domain's rows.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app import downloads
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.downloads import csv_cell
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.timeutil import format_vn_date, vn_day_end, vn_day_start
from app.vntext import fold

from .audit_details import detail_items as detail_items  # the page reads them here
from .audit_details import detail_names as detail_names
from .audit_details import detail_text
from .audit_targets import TARGET_LABELS as TARGET_LABELS  # the page reads them here
from .audit_targets import target_names as target_names
from .audit_targets import target_text

# Every action recorded by audit.record( in app/ (grep it when adding one).
ACTION_LABELS = {
    "api_token.issued": _l("Cấp khóa API"),
    "api_token.revoked": _l("Thu hồi khóa API"),
    "cadres.imported": _l("Nhập danh sách cán bộ"),
    "accommodation.granted": _l("Cho thêm thời gian, lượt làm bài"),
    "accommodation.removed": _l("Bỏ điều chỉnh thời gian, lượt làm bài"),
    "campaign.created": _l("Tạo đợt bồi dưỡng"),
    "campaign.updated": _l("Sửa đợt bồi dưỡng"),
    "campaign.closed": _l("Đóng đợt bồi dưỡng"),
    "campaign.unit_window": _l("Đặt thời gian làm bài riêng của đơn vị"),
    "campaign.unit_window_removed": _l("Bỏ thời gian làm bài riêng của đơn vị"),
    "reminder.created": _l("Gửi nhắc nhở"),
    "campaign.modules_required": _l("Cập nhật học phần bắt buộc của đợt"),
    "certificate.reissued": _l("Cấp lại giấy chứng nhận"),
    "certificate.revoked": _l("Thu hồi giấy chứng nhận"),
    "certificates.exported": _l("Tải giấy chứng nhận (ZIP)"),
    "contests.prizes_exported": _l("Tải danh sách giải cuộc thi (XLSX)"),
    "contests.ranked": _l("Xếp hạng cuộc thi"),
    "contests.ranking_corrected": _l("Xếp hạng lại cuộc thi (đính chính)"),
    "content.draft_discarded": _l("Hủy bản nháp học phần"),
    "content.imported": _l("Nhập câu hỏi từ tệp (dòng lệnh)"),
    "content.module_created": _l("Tạo học phần"),
    "content.published": _l("Đăng học phần"),
    "question.restored": _l("Dùng lại câu hỏi"),
    "question.retired": _l("Ngừng dùng câu hỏi"),
    "question.saved": _l("Lưu câu hỏi"),
    "questions.bank_created": _l("Tạo ngân hàng câu hỏi"),
    "questions.imported": _l("Nhập câu hỏi từ tệp"),
    "quiz.settings_changed": _l("Đổi cấu hình bài kiểm tra"),
    "contest.changed": _l("Sửa cuộc thi"),
    "contest.round_changed": _l("Sửa đợt thi"),
    "report.exported": _l("Tải báo cáo, danh sách"),
    "reward.exported": _l("Tải danh sách khen thưởng"),
    "reward.nominated": _l("Đề nghị khen thưởng"),
    "reward.period_saved": _l("Lưu đợt sơ kết, tổng kết"),
    "reward.rule_set": _l("Đặt tiêu chí xét khen thưởng"),
    "reward.withdrawn": _l("Rút đề nghị khen thưởng"),
    "unit.created": _l("Tạo đơn vị"),
    "unit.renamed": _l("Đổi tên đơn vị"),
    "unit.moved": _l("Chuyển đơn vị sang đơn vị cấp trên khác"),
    "unit.merged": _l("Sáp nhập đơn vị"),
    "unit.divided": _l("Chia tách đơn vị"),
    "unit.dissolved": _l("Giải thể đơn vị"),
    "unit.recoded": _l("Đổi mã hành chính của đơn vị"),
    "unit.kind": _l("Đổi loại đơn vị"),
    "units.applied_due": _l("Áp dụng các thay đổi cơ cấu đến ngày hiệu lực"),
    "user.activated": _l("Mở lại tài khoản"),
    "user.created": _l("Tạo tài khoản"),
    "user.deactivated": _l("Khóa tài khoản"),
    "user.moved": _l("Chuyển cán bộ sang đơn vị khác"),
    "user.reassigned": _l("Ghi thay đổi công tác của cán bộ từ một ngày sau"),
    "user.password_reset": _l("Đặt lại mật khẩu"),
    "user.password_set": _l("Đặt mật khẩu"),
}
CSV_HEADER = (
    "Thời gian",
    "Người thực hiện",
    "Thao tác",
    "Mã thao tác",
    "Đối tượng",
    "Chi tiết",
)


def action_label(code: str) -> str:
    """The action's Vietnamese name (the code itself for one not in the list)."""
    label = ACTION_LABELS.get(code)
    if label is None and code.startswith("unit."):
        label = _l("Đơn vị: %(what)s", what=code.removeprefix("unit."))
    return str(label) if label is not None else code


@dataclass
class AuditFilters:
    """The filters of the page, as typed, and what they mean once checked."""

    action: str = ""
    actor: str = ""
    since: str = ""
    until: str = ""
    since_day: date | None = None
    until_day: date | None = None
    errors: list[str] = field(default_factory=list)

    def as_args(self) -> dict[str, str]:
        return {
            "action": self.action,
            "actor": self.actor,
            "since": self.since,
            "until": self.until,
        }


# Year 1's first day starts (Vietnam time, UTC+7) before the first UTC time.
FIRST_DAY = date.min + timedelta(days=1)


def _day(value: str, what, errors: list[str]) -> date | None:
    """The day typed (read as FIRST_DAY when earlier), None when empty or bad."""
    try:
        return max(date.fromisoformat(value), FIRST_DAY) if value else None
    except ValueError:
        errors.append(str(_l("%(what)s không phải ngày hợp lệ: bỏ qua.", what=what)))
        return None


def parse_filters(args, known_actions: Iterable[str]) -> AuditFilters:
    """Read ?action=&actor=&since=&until=. An unknown action or a bad date is
    reported in `errors` and not applied (the rest still filters)."""
    f = AuditFilters(
        **{k: (args.get(k) or "").strip()[:100] for k in AuditFilters().as_args()}
    )
    if f.action and f.action not in set(known_actions) | ACTION_LABELS.keys():
        f.errors.append(str(_l("Không có thao tác “%(a)s”: bỏ qua.", a=f.action)))
        f.action = ""
    f.since_day = _day(f.since, _l("Từ ngày"), f.errors)
    f.until_day = _day(f.until, _l("Đến ngày"), f.errors)
    if f.since_day and f.until_day and f.since_day > f.until_day:
        f.errors.append(str(_l("“Từ ngày” sau “Đến ngày”: không có mục nào.")))
    return f


def known_actions() -> list[str]:
    """The actions in the list and those found in the log, by code."""
    found = db.session.scalars(select(AuditEvent.action).distinct())
    return sorted(set(found) | ACTION_LABELS.keys())


def filtered_events(f: AuditFilters):
    """Audit rows, newest first, narrowed by the checked filters. The actor
    matches a username exactly or a part of a full name, without diacritics."""
    query = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.actor:
        query = query.join(User, User.id == AuditEvent.actor_id).where(
            or_(
                User.username == f.actor,
                User.name_search.contains(fold(f.actor), autoescape=True),
            )
        )
    if f.since_day:
        query = query.where(AuditEvent.at >= vn_day_start(f.since_day))
    if f.until_day:
        query = query.where(AuditEvent.at <= vn_day_end(f.until_day))
    return query


def actor_text(event: AuditEvent) -> str:
    if event.actor is None:
        return str(_l("hệ thống"))
    return f"{event.actor.full_name} ({event.actor.username})"


def csv_chunks(
    events: Iterable[AuditEvent], batch: int = 500, sep: str = ","
) -> Iterator[str]:
    """The events as CSV (downloads.csv_chunks: UTF-8 with BOM for Excel), fields
    separated by `sep` ("," or ";"), a chunk per `batch` rows, names resolved a
    batch at a time."""
    return downloads.csv_chunks(CSV_HEADER, _csv_rows(events, batch), sep, batch)


def _csv_rows(events: Iterable[AuditEvent], batch: int) -> Iterator[tuple]:
    chunk: list[AuditEvent] = []
    for event in events:
        chunk.append(event)
        if len(chunk) == batch:
            yield from _csv_batch(chunk)
            chunk = []
    if chunk:
        yield from _csv_batch(chunk)


def _csv_batch(events: list[AuditEvent]) -> Iterator[tuple]:
    names, details = target_names(events), detail_names(events)
    return (
        (
            format_vn_date(e.at, with_time=True),
            csv_cell(actor_text(e)),
            action_label(e.action),
            e.action,
            csv_cell(target_text(e, names)),
            csv_cell(detail_text(e, details)),
        )
        for e in events
    )
