"""The database keeps a ranking's versions and prizes unique whatever the races: a
whole contest's ranking (round_id NULL) has one row per version, a person one prize
per ranking."""

import pytest
from sqlalchemy.exc import IntegrityError

from app.contests.models import Prize, Ranking, RankingEntry
from app.extensions import db
from tests.contests.rank_helpers import make_contest, people
from tests.factories import make_tree


def test_a_contest_ranking_version_and_a_prize_per_person_are_unique(app):
    with app.app_context():
        tree = make_tree()
        contest = make_contest([tree["P"]])
        db.session.add(Ranking(contest_id=contest.id, round_id=None, version=1))
        db.session.commit()
        db.session.add(Ranking(contest_id=contest.id, round_id=None, version=1))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        ranking = db.session.scalars(db.select(Ranking)).one()
        (person,) = people(tree, 1)
        entry = RankingEntry(
            ranking_id=ranking.id,
            rank=1,
            user_id=person.id,
            unit_id=person.unit_id,
            right_answers=5,
            time_used_seconds=60.0,
            full_name=person.full_name,
            name_sort=person.name_sort,
            unit_name=person.unit.name,
        )
        db.session.add(entry)
        db.session.flush()
        for level in ("nhat", "nhi"):
            db.session.add(
                Prize(
                    ranking_id=ranking.id,
                    entry_id=entry.id,
                    user_id=person.id,
                    level=level,
                )
            )
        with pytest.raises(IntegrityError):
            db.session.commit()
