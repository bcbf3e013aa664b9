"""Which units a viewer may open in the reports (the dashboard, the ranking, the
list of cadres, the exports, the annual report) and in the reward candidates
(app.rewards: `?unit=ID`, `--unit`): one rule, for the unit asked for and for the
links to the units a report lists.

An officer's reports count the records of every unit, past or present, that rolls
up into its scope today (app.accounts.rollup: `Structure.scope`). It may open a
unit — alive or ended — when that unit is among them and so is every unit a report
of it counts (`Structure.scope_of`: what rolls up into its subtree today, or, for a
unit that has ended, on its last day). So the HR officer of "An Giang (mới)" opens
former Kiên Giang and its former districts and communes, the officer of a commune
opens the former units merged into it, and nobody opens a former unit part of
whose records went elsewhere, nor one outside its scope (NotFound, worded as for a
unit that does not exist). For a unit alive today that comes to the plain rule:
it lies in one of the officer's subtrees. Administrators open every unit.
"""

from datetime import date

from app.accounts.models import Unit, User
from app.accounts.permissions import scope_paths
from app.accounts.rollup import Structure, today
from app.accounts.scope import ancestor_paths, in_any_subtree
from app.errors import NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db

ROLE = "hr"
NOT_IN_SCOPE = _l("Không tìm thấy đơn vị này trong phạm vi của bạn.")


class ReportAccess:
    """The rule above for one viewer (its scope `roots`, None for an
    administrator) over one Structure; a unit alive today is a subtree test, a
    former one a few set look-ups after a pass over the units per distinct last
    day. The Structure (every unit's history) is read only when a former unit is
    asked for, unless the caller has one already."""

    def __init__(self, structure: Structure | None, roots: list[str] | None) -> None:
        self._structure = structure
        self.roots = roots
        self._scope: set[int] | None = None
        self._covering: dict[date, set[str]] = {}

    @classmethod
    def of(cls, viewer: User, structure: Structure | None = None) -> "ReportAccess":
        return cls(structure, scope_paths(viewer, ROLE))

    @property
    def structure(self) -> Structure:
        if self._structure is None:
            self._structure = Structure.on(today())
        return self._structure

    @property
    def scope(self) -> set[int]:
        """The units whose records the viewer's reports count (not for an
        administrator, who has no limit)."""
        if self._scope is None:
            found: set[int] = set()
            for root in self.roots or []:
                found |= self.structure.scope(root)
            self._scope = found
        return self._scope

    def may_open(self, unit_id: int) -> bool:
        structure = self.structure
        path = structure.today_paths.get(unit_id)
        if path is None:
            return False  # no such unit
        if self.roots is None:
            return True
        last = structure.last_day(unit_id)
        if last is None:  # alive: what rolls up into it is its own
            return in_any_subtree(path, self.roots)
        if unit_id not in self.scope:
            return False
        # what a report of the ended unit counts (Structure.scope_of): what rolled
        # up into its subtree on its last day
        return path not in self._outside_on(last)

    def _outside_on(self, day: date) -> set[str]:
        """The paths of every unit (today's) containing the unit that some record
        outside the viewer's scope rolled up to on `day`: a report of one of them,
        as of its last day `day`, would count records the viewer may not see."""
        if day not in self._covering:
            structure, scope, covering = self.structure, self.scope, set()
            for unit_id in structure.places:
                if unit_id in scope:
                    continue
                path = structure.today_paths.get(structure.successor(unit_id, day))
                covering.update(ancestor_paths(path or ""))
            self._covering[day] = covering
        return self._covering[day]

    def unit(self, unit_id: int) -> Unit:
        """The unit `unit_id` if the viewer may open it; NotFound otherwise (a
        unit active today by its path alone, a former one by may_open)."""
        unit = db.session.get(Unit, unit_id)
        if unit is not None and unit.active:
            allowed = self.roots is None or in_any_subtree(unit.path, self.roots)
        else:
            allowed = unit is not None and self.may_open(unit_id)
        if not allowed:
            raise NotFound(NOT_IN_SCOPE)
        return unit
