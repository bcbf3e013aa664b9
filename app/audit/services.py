from app.extensions import db

from .models import AuditEvent


def record(action: str, actor=None, target=None, **detail) -> AuditEvent:
    """Add an audit row to the session (flushed by the caller's commit).

    `actor` and `target` are model instances (or a proxy of one, such as
    `current_user`: its `__class__` is the model's) or None; `detail` must be
    JSON-serialisable.
    """
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=target.__class__.__name__.lower() if target is not None else None,
        target_id=str(target.id) if target is not None else None,
        detail=detail,
    )
    db.session.add(event)
    return event
