"""The targets of audit events as people read them: the Vietnamese name of each
target type and the target's own name or code ("Cuộc thi: Tìm hiểu văn hóa công
vụ (CT)") instead of "#12", loaded with one query per target type.

A target type recorded by audit.record( is the model's class name in lower case
(app.audit.services); the types are registered in app.audit.targets (those of
the layers below here, and each domain beside the reports its own); one not
registered is shown by its type and id.
"""

from collections.abc import Iterable

from sqlalchemy.orm import selectinload

from app.accounts.models import Unit, User
from app.audit import targets
from app.audit.models import AuditEvent
from app.courses.models import Module
from app.errors import lazy_gettext as _l
from app.quizzes.models import Question, QuestionBank, Quiz
from app.records.models import Campaign, Certificate


def _module_name(module: Module) -> str:
    version = module.current_version
    return f"{version.title} ({module.code})" if version else module.code


# The target types of the layers below the reports; the domains beside them
# (contests, reminders, rewards) register theirs in their own audit_names modules.
for _kind, _label, _loader in (
    ("apitoken", _l("Khóa API"), None),  # named by its event's detail
    ("campaign", _l("Đợt bồi dưỡng"), targets.rows(Campaign, targets.titled)),
    (
        "certificate",
        _l("Giấy chứng nhận"),
        targets.rows(Certificate, lambda c: f"{c.serial} — {c.full_name}"),
    ),
    (
        "module",
        _l("Học phần"),
        targets.rows(Module, _module_name, selectinload(Module.current_version)),
    ),
    ("question", _l("Câu hỏi"), targets.rows(Question, lambda q: q.code)),
    (
        "questionbank",
        _l("Ngân hàng câu hỏi"),
        targets.rows(QuestionBank, targets.titled),
    ),
    ("quiz", _l("Bài kiểm tra"), targets.rows(Quiz, targets.titled)),
    ("unit", _l("Đơn vị"), targets.rows(Unit, lambda u: u.display_name)),
    (
        "user",
        _l("Cán bộ"),
        targets.rows(User, lambda u: f"{u.full_name} ({u.username})"),
    ),
):
    targets.register(_kind, _label, _loader)

TARGET_LABELS = targets.LABELS  # the page's filter reads them here


def target_names(events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    """{(target type, target id): name} for `events`, one query per target type.
    A target gone from the database, or of a type without a name, is left out."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_type in targets.LOADERS and (event.target_id or "").isdigit():
            wanted.setdefault(event.target_type, set()).add(int(event.target_id))
    names = {}
    for kind, ids in wanted.items():
        for target_id, name in targets.LOADERS[kind](ids).items():
            names[(kind, str(target_id))] = name
    return names


def target_text(event: AuditEvent, names: dict) -> str:
    """“Đơn vị: Sở Nội vụ”; the id when the name is unknown."""
    if not event.target_type:
        return ""
    kind = str(targets.LABELS.get(event.target_type, event.target_type))
    name = names.get((event.target_type, event.target_id))
    if name is None and event.target_type == "apitoken":
        name = event.detail.get("name") if isinstance(event.detail, dict) else None
    return f"{kind}: {name or '#' + (event.target_id or '')}"
