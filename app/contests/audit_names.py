"""How the audit log names a contest and a ranking (app.audit.targets)."""

from sqlalchemy import select

from app.audit import targets
from app.errors import lazy_gettext as _l
from app.extensions import db

from .models import Contest, ContestRound, Ranking


def ranking_names(ids: set[int]) -> dict[int, str]:
    """“Cuộc thi … (CT) · CT-1, phiên bản 2”: the contest, the round, the version."""
    query = (
        select(Ranking.id, Ranking.version, Contest.title, Contest.code, ContestRound)
        .join(Contest, Contest.id == Ranking.contest_id)
        .outerjoin(ContestRound, ContestRound.id == Ranking.round_id)
        .where(Ranking.id.in_(ids))
    )
    names = {}
    for ranking_id, version, title, code, round_ in db.session.execute(query):
        what = round_.code if round_ is not None else _l("toàn cuộc thi")
        names[ranking_id] = str(
            _l(
                "%(contest)s · %(what)s, phiên bản %(n)d",
                contest=f"{title} ({code})",
                what=what,
                n=version,
            )
        )
    return names


targets.register("contest", _l("Cuộc thi"), targets.rows(Contest, targets.titled))
targets.register("ranking", _l("Bảng xếp hạng cuộc thi"), ranking_names)
