"""The prizes of a round, drawn from its ranking (ContestRound.prizes gives the number
of each level: {"nhat": 1, "nhi": 2, "ba": 3, "khuyen_khich": 10}).

The levels make a row of places, highest first (nhất, nhì, nhì, ba, …). Going down
the ranking, skipping people who cannot win (no right answer at all; with
Contest.one_prize_per_contest, anyone who won a prize in the latest ranking of an
earlier round — a person wins at most one prize per round in any case, having one
entry), each group of tied entries (the same rank) takes the level of the first
free place, and uses as many places as it has members:

- when all those places are of that level, every member gets it (two tied for
  the two giải nhì both get it);
- when they are not — the tie crosses the boundary of its level (three tied for
  the two giải nhì, two tied for the one giải nhất) or the last place — nobody
  of the group is given a prize: they are stored as pending at that level (level
  "cho_xet:<level>") for the Hội đồng Thi đua – Khen thưởng to decide among them
  the places they take, so that no level ever has more prizes than configured
  (two tied for the one giải nhất take the nhất and a nhì: the next person gets
  the other nhì, if there is one); drawing goes on after them, and stops when
  the places run out.

A pending entry is not a prize won: it does not keep its person from later rounds'
prizes. Prizes are stored with the ranking version they were drawn from.
"""

from dataclasses import dataclass, field

from flask_babel import force_locale
from sqlalchemy import select

from app.errors import lazy_gettext as _l
from app.extensions import db

from .lookup import latest
from .models import PRIZE_LEVELS, ContestRound, Prize, Ranking, RankingEntry
from .sync import current_rounds

PENDING = "cho_xet:"
LEVEL_LABELS = {
    "nhat": _l("Giải Nhất"),
    "nhi": _l("Giải Nhì"),
    "ba": _l("Giải Ba"),
    "khuyen_khich": _l("Giải Khuyến khích"),
}


def level_label(level: str) -> str:
    """“Giải Ba”, or “Đồng hạng, chờ Hội đồng xét (Giải Ba)” for a pending one."""
    if level.startswith(PENDING):
        base = LEVEL_LABELS.get(level.removeprefix(PENDING), level)
        return str(_l("Đồng hạng, chờ Hội đồng xét (%(level)s)", level=base))
    return str(LEVEL_LABELS.get(level, level))


def places(config: dict | None) -> list[str]:
    """The row of places of a round's prize configuration, highest first; unknown
    levels and counts that are not positive whole numbers are ignored."""
    config = config or {}
    row = []
    for level in PRIZE_LEVELS:
        count = config.get(level, 0)
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            row.extend([level] * count)
    return row


@dataclass
class Candidate:
    entry_id: int | None  # known once the entries are stored
    user_id: int
    rank: int
    right_answers: int


@dataclass
class Draw:
    awards: list[tuple[Candidate, str]] = field(default_factory=list)
    pending: list[tuple[Candidate, str]] = field(default_factory=list)


def draw(
    entries: list[Candidate], slots: list[str], excluded: set[int] = frozenset()
) -> Draw:
    """The prizes for `entries` (in rank order) under the rule above; pure."""
    result = Draw()
    eligible = [e for e in entries if e.user_id not in excluded and e.right_answers > 0]
    position, index = 0, 0
    while index < len(eligible) and position < len(slots):
        end = index + 1
        while end < len(eligible) and eligible[end].rank == eligible[index].rank:
            end += 1
        group, level = eligible[index:end], slots[position]
        taken = slots[position : position + len(group)]
        if len(taken) == len(group) and taken[-1] == level:
            result.awards.extend((e, level) for e in group)
        else:  # across its level's last place: the council decides
            result.pending.extend((e, level) for e in group)
        position += len(group)
        index = end
    return result


def award(ranking: Ranking, round_: ContestRound, ranked: list[dict]) -> Draw:
    """Draw and store the prizes of a round's new ranking from its entries' rows
    in rank order (`ranked`: user_id, rank, right_answers); one bulk insert, the
    caller commits. Only the head of the ranking is read: the places, the people
    skipped and the rest of the last tie."""
    slots = places(round_.prizes)
    if not slots:
        return Draw()
    result = _draw_head(round_, slots, ranked)
    chosen = _levels(result)
    if not chosen:
        return result
    ids = dict(
        db.session.execute(
            select(RankingEntry.user_id, RankingEntry.id).where(
                RankingEntry.ranking_id == ranking.id,
                RankingEntry.user_id.in_([e.user_id for e, _ in chosen]),
            )
        ).all()
    )
    for e, _ in chosen:
        e.entry_id = ids[e.user_id]
    db.session.execute(
        Prize.__table__.insert(),
        [
            {
                "ranking_id": ranking.id,
                "entry_id": e.entry_id,
                "user_id": e.user_id,
                "level": level,
            }
            for e, level in chosen
        ],
    )
    return result


def _draw_head(round_: ContestRound, slots: list[str], ranked: list[dict]) -> Draw:
    excluded = earlier_winners(round_)
    head = min(len(ranked), len(slots) + len(excluded))
    while 0 < head < len(ranked) and ranked[head]["rank"] == ranked[head - 1]["rank"]:
        head += 1
    entries = [
        Candidate(None, row["user_id"], row["rank"], row["right_answers"])
        for row in ranked[:head]
    ]
    return draw(entries, slots, excluded)


def _levels(result: Draw) -> list[tuple[Candidate, str]]:
    """The stored levels of a draw: prizes, then ties left to the council."""
    return [(e, level) for e, level in result.awards] + [
        (e, PENDING + level) for e, level in result.pending
    ]


def outdated(ranking: Ranking, round_: ContestRound) -> bool:
    """True when the prizes stored with this round's `ranking` are not what the rule
    draws today: the round's prize counts were edited since (they may be after it
    closed), or, with one prize per contest, an earlier round ranked since (a
    correction, or ranked after this one) changed who had already won. Ranking
    this round again (a correction, with its reason) draws them anew."""
    slots = places(round_.prizes)
    entry = RankingEntry
    order = (entry.rank, entry.user_id)  # the order the entries were drawn in
    query = select(entry.user_id, entry.rank, entry.right_answers).where(
        entry.ranking_id == ranking.id
    )
    reach = len(slots) + len(earlier_winners(round_))
    cutoff = db.session.scalar(
        select(entry.rank)
        .where(entry.ranking_id == ranking.id)
        .order_by(*order)
        .offset(reach)
        .limit(1)
    )
    if cutoff is not None:  # the head of the ranking and the rest of its last tie
        query = query.where(entry.rank <= cutoff)
    ranked = [row._asdict() for row in db.session.execute(query.order_by(*order))]
    fresh = {
        (e.user_id, level) for e, level in _levels(_draw_head(round_, slots, ranked))
    }
    stored = set(
        db.session.execute(
            select(Prize.user_id, Prize.level).where(Prize.ranking_id == ranking.id)
        ).tuples()
    )
    return fresh != stored


def earlier_winners(round_: ContestRound) -> set[int]:
    """With one prize per contest: who won a prize (not a pending one) in the
    latest ranking of an earlier round of the contest (its current rounds, as the
    ranking reads them: a retired round's winners do not count); else nobody."""
    contest = round_.contest
    if not contest.one_prize_per_contest:
        return set()
    winners: set[int] = set()
    for earlier in current_rounds(contest):
        if earlier.number >= round_.number:
            continue
        ranking = latest(contest, earlier)
        if ranking is not None:
            winners |= set(
                db.session.scalars(
                    select(Prize.user_id).where(
                        Prize.ranking_id == ranking.id,
                        Prize.level.not_like(PENDING + "%"),
                    )
                )
            )
    return winners


@dataclass
class PrizeRow:
    rank: int
    full_name: str
    unit_name: str
    right_answers: int
    prediction: int | None
    time_used_seconds: float
    submitted_at: object
    level: str

    @property
    def pending(self) -> bool:
        return self.level.startswith(PENDING)

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def paper_label(self) -> str:
        """The label printed on the official papers (the prize list, the
        announcement): Vietnamese, whatever the screen's language."""
        with force_locale("vi"):
            return level_label(self.level)


def prize_list(ranking: Ranking) -> list[PrizeRow]:
    """The prizes of a ranking version with their people (the names kept when it
    was ranked), in rank order (pending entries last within their rank)."""
    query = (
        select(
            RankingEntry.rank,
            RankingEntry.full_name,
            RankingEntry.unit_name,
            RankingEntry.right_answers,
            RankingEntry.prediction,
            RankingEntry.time_used_seconds,
            RankingEntry.submitted_at,
            Prize.level,
        )
        .join(RankingEntry, RankingEntry.id == Prize.entry_id)
        .where(Prize.ranking_id == ranking.id)
        .order_by(
            RankingEntry.rank,
            Prize.level.like(PENDING + "%"),
            RankingEntry.name_sort,
        )
    )
    return [PrizeRow(*row) for row in db.session.execute(query)]
