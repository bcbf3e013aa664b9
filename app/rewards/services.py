"""The rewards' public door: who may set the rules, the rules themselves, and
nominations (đề nghị khen thưởng) going up the tree.

Scope: an HR officer acts on its units' subtrees (administrators on everything).
It sees the nominations made in its subtree — a department's nominations are seen by
the province, never by a sibling department — may add its own for candidates in its
scope, and may withdraw those it sees; a nomination made above or beside its scope
is NotFound to it, exactly like one that does not exist. Every write is audited;
writes flush, the view or command commits.
"""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import Unit, User
from app.accounts.permissions import scope_paths
from app.accounts.report_access import ReportAccess
from app.accounts.rollup import ATTRIBUTIONS, today
from app.accounts.scope import path_ids
from app.audit import services as audit
from app.errors import Conflict, NotAllowed, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.records.asof import AsOf
from app.records.models import Campaign
from app.timeutil import utcnow

from . import candidates, periods
from .models import COLLECTIVE, INDIVIDUAL, Nomination, RewardPeriod, RewardRule
from .reading import Reading, structure_on

ROLE = "hr"
MAX_NOTE = 1000
MAX_ACHIEVEMENT = 1000


def scope_of(
    viewer: User, unit: Unit | None = None, day: date | None = None
) -> list[str] | None:
    """The viewer's subtrees, or only `unit`'s when given: a unit the viewer may
    open as in the reports (ReportAccess: a former unit too, when all that its
    lists count lies in the viewer's scope), NotFound otherwise. `day`: the day
    of the lists that follow (their Structure, read once: reading.structure_on)."""
    paths = scope_paths(viewer, ROLE)
    if unit is None:
        return paths
    ReportAccess(structure_on(day), paths).unit(unit.id)
    return [unit.path]


def candidate_lists(
    target: Campaign | RewardPeriod, paths: list[str] | None, as_of: AsOf | None = None
):
    """(collectives, individuals) of a campaign or a period within `paths`, as of
    `as_of`'s day and attributed as it says (default: today, at the time)."""
    reading = Reading.of(as_of)
    return (
        _collectives(target, paths, reading),
        _individuals(target, paths, None, reading),
    )


def _collectives(target, paths, reading: Reading) -> list:
    if isinstance(target, Campaign):
        return candidates.collective_candidates(target, paths, reading=reading)
    return periods.collective_candidates(target, paths, reading)


def _individuals(target, paths, user_id, reading: Reading) -> list:
    if isinstance(target, Campaign):
        return candidates.individual_candidates(
            target, paths, user_id=user_id, reading=reading
        )
    return periods.individual_candidates(target, paths, user_id, reading)


def people_in_scope(paths: list[str] | None) -> int:
    """How many cadres and units the subtrees `paths` hold now (every one when
    None): a cheap measure of how long the candidate lists of the scope can be,
    to decide before building them whether their workbook is a background job."""
    cadres = select(func.count(User.id)).join(Unit, Unit.id == User.unit_id)
    units = select(func.count(Unit.id))
    if paths is not None:
        cadres = cadres.where(Unit.in_subtrees(paths))
        units = units.where(Unit.in_subtrees(paths))
    return db.session.scalar(cadres) + db.session.scalar(units)


def can_set_rules(user: User) -> bool:
    """Administrators, and HR officers of a top unit (the province)."""
    if user.has_role("admin"):
        return True
    return any(unit.parent_id is None for unit in user.role_units(ROLE))


def set_rule(campaign: Campaign, actor: User, **values: int) -> RewardRule:
    """Store the campaign's rule (keys: the RewardRule percent/minimum columns),
    audited with the old and new values. Raises NotAllowed for anyone but the
    province. Flushes."""
    if not can_set_rules(actor):
        raise NotAllowed(_l("Chỉ cấp tỉnh đặt tiêu chí xét khen thưởng."))
    rule = db.session.scalar(
        select(RewardRule).where(RewardRule.campaign_id == campaign.id)
    )
    if rule is None:
        rule = RewardRule(campaign_id=campaign.id)
        db.session.add(rule)
        db.session.flush()
    old = {key: getattr(rule, key) for key in values}
    for key, value in values.items():
        setattr(rule, key, value)
    rule.updated_at, rule.updated_by_id = utcnow(), actor.id
    audit.record(
        "reward.rule_set", actor=actor, target=campaign, old=old, new=dict(values)
    )
    db.session.flush()
    return rule


def nominating_unit(actor: User, subject: Unit) -> Unit:
    """The unit a nomination of `subject` by `actor` is made in: the narrowest of
    its HR units above the subject (a former unit: above the unit it went into,
    candidates.rolled_today); for an administrator without one, the top unit of
    the subject's tree."""
    successor_id = candidates.rolled_today().get(subject.id)
    if successor_id is not None:
        subject = db.session.get(Unit, successor_id)
    mine = [u for u in actor.role_units(ROLE) if subject.in_subtree(u.path)]
    if mine:
        return max(mine, key=lambda u: u.depth)
    root_id = path_ids(subject.path)[0]
    return db.session.get(Unit, root_id)


def _is_candidate(
    actor: User, target: Campaign | RewardPeriod, kind: str, unit: Unit, user_id
) -> bool:
    """Whether `unit` (and the cadre `user_id`) is a candidate of today's lists,
    at the time or rolled up (the page offers both)."""
    paths = scope_of(actor)
    for attribution in ATTRIBUTIONS:
        reading = Reading.of(AsOf(today(), attribution))
        if kind == COLLECTIVE:  # a unit of today (_check_subject): its own subtree
            rows = _collectives(target, [unit.path], reading)
        else:
            rows = _individuals(target, paths, user_id, reading)
        if any(row.unit.id == unit.id for row in rows):
            return True
    return False


def _check_subject(actor: User, kind: str, unit: Unit, user: User | None) -> None:
    """NotFound unless `unit` counts in the actor's scope as the lists count it
    (candidates.counts_in: a former unit whose line ends there does); NotAllowed
    for a malformed nomination, or a collective one of a unit that has ended by
    today: its records are its successor's, nominated from the rolled-up list."""
    if not candidates.counts_in(unit.id, scope_of(actor)):
        raise NotFound(_l("Không tìm thấy đơn vị này trong phạm vi của bạn."))
    if kind not in (COLLECTIVE, INDIVIDUAL) or (kind == INDIVIDUAL) != bool(user):
        raise NotAllowed(_l("Đề nghị không hợp lệ."))
    if kind == COLLECTIVE and (not unit.active or Reading.of().view(unit.id).ended):
        raise NotAllowed(
            _l(
                "Đơn vị này đã kết thúc: hãy đề nghị đơn vị kế thừa từ danh sách "
                "cộng dồn vào đơn vị kế thừa."
            )
        )


def nominate(
    actor: User,
    target: Campaign | RewardPeriod,
    kind: str,
    unit: Unit,
    user: User | None = None,
    achievement: str = "",
    note: str = "",
) -> Nomination:
    """Nominate the collective `unit`, or the cadre `user` (with `unit` the unit it
    earned the achievement in), for `target`. Raises NotFound outside the actor's
    scope, NotAllowed when the subject does not meet the rule, Conflict when it is
    nominated already. Flushes."""
    _check_subject(actor, kind, unit, user)
    user_id = user.id if user is not None else None
    if not _is_candidate(actor, target, kind, unit, user_id):
        raise NotAllowed(_l("Không đủ tiêu chí xét khen thưởng của đợt này."))
    campaign_id = target.id if isinstance(target, Campaign) else None
    period_id = target.id if isinstance(target, RewardPeriod) else None
    key = Nomination.key_for(campaign_id, period_id, kind, unit.id, user_id)
    units, users = nominated_subjects(target)
    if (user_id in users) if user_id else (unit.id in units):
        raise _already_nominated()
    nomination = Nomination(
        campaign_id=campaign_id,
        period_id=period_id,
        kind=kind,
        unit_id=unit.id,
        user_id=user_id,
        achievement=achievement.strip()[:MAX_ACHIEVEMENT],
        note=note.strip()[:MAX_NOTE],
        nominated_by_id=actor.id,
        nominating_unit_id=nominating_unit(actor, unit).id,
        active_key=key,
    )
    try:  # another officer's nomination of the same subject in the meantime
        with db.session.begin_nested():
            db.session.add(nomination)
    except IntegrityError:
        raise _already_nominated() from None
    audit.record(
        "reward.nominated",
        actor=actor,
        target=nomination,
        target_code=target.code,
        kind=kind,
        unit=unit.code,
        user=user.username if user is not None else None,
    )
    return nomination


def nominated_subjects(target: Campaign | RewardPeriod) -> tuple[set, set]:
    """(unit ids, user ids) with an active nomination of `target`, made anywhere:
    a candidate nominated from above shows as nominated below too (and cannot be
    nominated twice). A unit nominated before a merger counts as nominated under
    the unit it went into too (candidates.rolled_today): the lists show today's."""
    rows = db.session.execute(
        select(Nomination.kind, Nomination.unit_id, Nomination.user_id).where(
            _of(target), Nomination.withdrawn_at.is_(None)
        )
    )
    rolled = candidates.rolled_today()
    units, users = set(), set()
    for kind, unit_id, user_id in rows:
        if kind == COLLECTIVE:
            units.update((unit_id, rolled.get(unit_id, unit_id)))
        else:
            users.add(user_id)
    return units, users


def _already_nominated() -> Conflict:
    return Conflict(_l("Đã có đề nghị khen thưởng cho đối tượng này."))


def _of(target: Campaign | RewardPeriod):
    if isinstance(target, Campaign):
        return Nomination.campaign_id == target.id
    return Nomination.period_id == target.id


def visible_nominations(
    viewer: User,
    target: Campaign | RewardPeriod,
    unit: Unit | None = None,
    include_withdrawn: bool = False,
) -> list[Nomination]:
    """Nominations of `target` made in the viewer's scope (or `unit`'s subtree)."""
    return nominations_in(target, scope_of(viewer, unit), include_withdrawn)


def nominations_in(
    target: Campaign | RewardPeriod,
    paths: list[str] | None,
    include_withdrawn: bool = False,
) -> list[Nomination]:
    """Nominations of `target` made in the subtrees `paths` (None: all), or in a
    unit since merged into them (candidates.scope_condition: those made before
    1/7/2025 by a former unit are its successor's), collectives first, then by
    the nominee's unit and name."""
    nominee_unit = aliased(Unit)
    query = (
        select(Nomination)
        .join(nominee_unit, nominee_unit.id == Nomination.unit_id)
        .outerjoin(User, User.id == Nomination.user_id)
        .where(
            _of(target),
            candidates.scope_condition(Nomination.nominating_unit_id, paths),
        )
        .options(
            joinedload(Nomination.unit),
            joinedload(Nomination.user),
            joinedload(Nomination.nominating_unit),
            joinedload(Nomination.nominated_by),
        )
        .order_by(
            Nomination.kind.desc(),  # "unit" before "person"
            nominee_unit.path,
            User.name_sort,
            Nomination.id,
        )
    )
    if not include_withdrawn:
        query = query.where(Nomination.withdrawn_at.is_(None))
    return list(db.session.scalars(query).unique())


def get_visible_nomination(viewer: User, nomination_id: int) -> Nomination:
    """The nomination if it was made in the viewer's scope (or by a unit since
    merged into it: nominations_in); else NotFound."""
    nomination = db.session.scalar(
        select(Nomination).where(
            Nomination.id == nomination_id,
            candidates.scope_condition(Nomination.nominating_unit_id, scope_of(viewer)),
        )
    )
    if nomination is None:
        raise NotFound(_l("Không tìm thấy đề nghị này trong phạm vi của bạn."))
    return nomination


def withdraw(actor: User, nomination: Nomination, reason: str) -> Nomination:
    """Withdraw a nomination seen by `actor`, keeping who, when and why. Raises
    NotFound outside the scope, Conflict when withdrawn already. Flushes."""
    nomination = get_visible_nomination(actor, nomination.id)
    if not nomination.is_active:
        raise Conflict(_l("Đề nghị này đã được rút."))
    reason = reason.strip()[:MAX_NOTE]
    if not reason:
        raise NotAllowed(_l("Cần ghi lý do rút đề nghị."))
    nomination.withdrawn_at = utcnow()
    nomination.withdrawn_by_id = actor.id
    nomination.withdraw_reason = reason
    nomination.active_key = None
    audit.record("reward.withdrawn", actor=actor, target=nomination, reason=reason)
    db.session.flush()
    return nomination
