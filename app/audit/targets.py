"""How the audit log names its targets: each domain registers, for the target
types it records (a model's class name in lower case, app.audit.services), the
type's Vietnamese label and a loader that names a page's targets of that type in
one query; and, for an action whose detail lists the fields it changed
(`fields`), the labels of those fields as its form shows them. The log
(app.reports.audit_trail) reads the registry, so that it need not import the
domains above it."""

from collections.abc import Callable

from sqlalchemy import select

from app.extensions import db

# {target id: name} for a set of ids of one type, in one query.
Loader = Callable[[set[int]], dict[int, str]]

LABELS: dict[str, object] = {}  # target type -> its (lazy) Vietnamese label
LOADERS: dict[str, Loader] = {}  # target type -> how its targets are named
FIELD_LABELS: dict[str, dict[str, object]] = {}  # action -> {field: (lazy) label}


def register(kind: str, label, loader: Loader | None = None) -> None:
    """Name the target type `kind` with `label`, its targets with `loader`."""
    LABELS[kind] = label
    if loader is not None:
        LOADERS[kind] = loader


def register_fields(action: str, labels: dict[str, object]) -> None:
    """Name the fields that the detail `fields` of `action` lists."""
    FIELD_LABELS.setdefault(action, {}).update(labels)


def rows(model, name: Callable, *options) -> Loader:
    """A loader of `model` rows by id (one query, `options` loading what `name`
    reads), each named by `name`."""

    def load(ids: set[int]) -> dict[int, str]:
        query = select(model).where(model.id.in_(ids)).options(*options)
        return {row.id: name(row) for row in db.session.scalars(query)}

    return load


def titled(row) -> str:
    """“Title (CODE)”."""
    return f"{row.title} ({row.code})"
