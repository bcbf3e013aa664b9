"""The admin's page of one unit, with its forms: as a GET shows them, or with the
one form that was refused, as typed and with its problems beside its fields."""

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.signals import unit_campaign_asked

from .. import asof, history
from .. import units as unit_services
from ..forms import (
    DatedForm,
    UnitMergeForm,
    UnitMoveForm,
    UnitRecodeForm,
    UnitRenameForm,
    UnitRestructureForm,
)
from ..models import Unit, UnitEvent, UnitVersion, User


def cadre_counts(units: list[Unit]) -> dict[int, int]:
    """Cadres in each unit's subtree, in one grouped query."""
    if not units:
        return {}
    head, member = aliased(Unit), aliased(Unit)
    rows = db.session.execute(
        select(head.id, func.count(User.id))
        .join(member, member.in_subtree(head.path))
        .join(User, User.unit_id == member.id)
        .where(head.id.in_([u.id for u in units]))
        .group_by(head.id)
    )
    counts = dict.fromkeys((u.id for u in units), 0)
    counts.update({unit_id: count for unit_id, count in rows})
    return counts


def _forms(unit: Unit, refused: dict) -> dict:
    """The page's forms, empty (not filled from the post being answered), but for
    the `refused` one(s), given by their name in the template. A refused merge or
    split (restructure_merge, restructure_split) is shown in its own box only."""
    forms = {
        "rename_form": UnitRenameForm(formdata=None, name=unit.name),
        "move_form": UnitMoveForm(formdata=None),
        "merge_form": UnitMergeForm(formdata=None),
        "recode_form": UnitRecodeForm(formdata=None),
        "dissolve_form": DatedForm(formdata=None),
        "restructure_merge": UnitRestructureForm(formdata=None),
        "restructure_split": UnitRestructureForm(formdata=None),
    }
    forms.update(refused)
    return forms


def unit_page(unit: Unit, **refused):
    """The page of `unit`; `refused`: a form shown again as it was posted."""
    versions = db.session.scalars(
        select(UnitVersion)
        .where(UnitVersion.unit_id == unit.id)
        .order_by(UnitVersion.valid_from.desc(), UnitVersion.id.desc())
    ).all()
    last = asof.on_last_day(unit)
    return render_template(
        "accounts/unit.html",
        unit=unit,
        events=db.session.scalars(
            select(UnitEvent)
            .where(UnitEvent.unit_id == unit.id)
            .order_by(UnitEvent.at.desc())
        ).all(),
        versions=versions,
        successions=history.successions_of(unit),
        current=history.unit_as_of(unit.id, history.vn_today()),
        today=history.vn_today(),
        parents=dict(
            db.session.execute(
                select(Unit.id, Unit.name).where(
                    Unit.id.in_(sorted({v.parent_id for v in versions if v.parent_id}))
                )
            ).all()
        ),
        # an ended unit: the units above it on its last day, linked as of then
        ancestors=last.ancestors if last else unit_services.ancestors_of(unit),
        children=unit_services.children_of(unit),
        # an ended unit: its cadres of its last day (LastDay.cadres), not today's
        cadre_count=None if last else cadre_counts([unit])[unit.id],
        last=last,
        last_campaign=_campaign_on(unit, last.day) if last else None,
        **_forms(unit, refused),
    )


def _campaign_on(unit: Unit, day) -> str | None:
    """The code of the campaign of `unit`'s reports of `day`, as the records
    domain answers (app.signals.unit_campaign_asked); None: the dashboard's
    default."""
    answers = [code for _r, code in unit_campaign_asked.send(unit, day=day) if code]
    return answers[0] if answers else None
