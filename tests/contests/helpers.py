"""A contest for tests: bank CB (4 questions) in a quizzes/ folder of files, and
contest "ct" (units of tests.factories.make_tree; targets D) with round r1, closed
ten days ago, and round r2, running now (the windows follow the clock)."""

from datetime import timedelta
from pathlib import Path

from app.content.ownership import adopt_unowned
from app.content.quizfiles import load_quizzes
from app.content.sync_quizzes import sync_quizzes
from app.contests.files import ContestContent, load_contests
from app.contests.sync import sync_contests
from app.extensions import db
from app.timeutil import to_vn, utcnow
from tests.factories import make_tree, make_user

BANK = """---
code: CB
title: "Ngân hàng cuộc thi"
---
""" + "".join(
    f"""
## CB-{n}
type: single
source: "Điều {n}"

Câu {n}?

- [x] Đúng
- [ ] Sai

Giải thích: Vì vậy.
"""
    for n in range(1, 5)
)


# "Now" for the files, taken once: a file written again later in a test says the
# same times, whatever minute the clock has reached (a closed round's window may
# not change: app.contests.sync).
_NOW = utcnow()


def moment(days: float) -> str:
    """A file's time `days` from now, Vietnam local, "YYYY-MM-DD HH:MM"."""
    return to_vn(_NOW + timedelta(days=days)).strftime("%Y-%m-%d %H:%M")


def contest_text(**overrides) -> str:
    values = {
        "targets": "[D]",
        "owner": "D",
        "r1_opens": moment(-20),
        "r1_closes": moment(-10),
        "r2_opens": moment(-1),
        "r2_closes": moment(10),
        "r2_prizes": "{nhat: 1, nhi: 1, ba: 1, khuyen_khich: 2}",
        "r2_extra": "",
    }
    values.update(overrides)
    return """code: ct
title: "Cuộc thi thử"
organiser: "Sở Nội vụ"
description: "Giới thiệu **cuộc thi**."
rules: |
  ## Thể lệ

  Xếp hạng theo số câu đúng.
targets: {targets}
owner: {owner}
overall: sum
one_prize_per_contest: false
rounds:
  - code: r1
    title: "Đợt 1"
    opens: "{r1_opens}"
    closes: "{r1_closes}"
    time_limit_minutes: 10
    attempts_allowed: 2
    draw:
      - {{bank: CB, count: 2}}
    prizes: {{nhat: 1, nhi: 1, ba: 1}}
  - code: r2
    title: "Đợt 2"
    opens: "{r2_opens}"
    closes: "{r2_closes}"
    time_limit_minutes: 10
    draw:
      - {{bank: CB, count: 3}}
    prizes: {r2_prizes}
{r2_extra}""".format(**values)


def write_quizzes(root: Path, contest: str | None = None) -> Path:
    """<root>/quizzes with bank CB and, unless None, the contest file ct.yml."""
    quizzes = root / "quizzes"
    (quizzes / "banks").mkdir(parents=True, exist_ok=True)
    (quizzes / "banks" / "cb.md").write_text(BANK, encoding="utf-8")
    (quizzes / "contests").mkdir(exist_ok=True)
    if contest is not None:
        (quizzes / "contests" / "ct.yml").write_text(contest, encoding="utf-8")
    return quizzes


def load(root: Path, text: str) -> ContestContent:
    quizzes = write_quizzes(root, text)
    content = load_quizzes(quizzes)
    return load_contests(quizzes, content.banks, content.bank_paths)


def make_contest(root: Path, **overrides) -> dict:
    """Units, people (`cadre` in D1A, a target; `outsider` in C; `trainer` of D;
    `other` trainer of C), bank CB and contest ct in the database (committed)."""
    tree = make_tree()
    make_user("cadre", tree["D1A"], full_name="Lê Văn Thi")
    make_user("cadre2", tree["D1"], full_name="Trần Thị Hai")
    make_user("outsider", tree["C1"], full_name="Phạm Văn Ngoài")
    make_user("trainer", tree["D"], roles=[("trainer", tree["D"]), ("learner", None)])
    make_user("other", tree["C"], roles=[("trainer", tree["C"])])
    quizzes = write_quizzes(root, contest_text(**overrides))
    content = load_quizzes(quizzes)
    sync_quizzes(content.banks, [])
    adopt_unowned(tree["D"])  # a round draws from banks of its owner's subtree
    contests = load_contests(quizzes, content.banks, content.bank_paths)
    assert not contests.problems, contests.problems
    result = sync_contests(contests.contests)
    db.session.commit()
    return {"tree": {k: u.id for k, u in tree.items()}, "result": result}


def running_contest(bank: str = "B1", targets=("D",), owner: str = "D") -> None:
    """Contest "ct" with one round "r1" running now, drawing one question from
    `bank` (already in the database), straight into the database (no files)."""
    from app.contests.files import DEFAULT_PREDICTION, ContestData, RoundData
    from app.quizzes.questions import DrawRule, QuizData

    quiz = QuizData(
        code="r1",
        title="Đợt 1",
        course=None,
        time_limit_minutes=10,
        pass_percent=100,
        attempts_allowed=1,
        shuffle_questions=True,
        shuffle_options=True,
        questions_per_page=5,
        review="after_close",
        draw=(DrawRule(1, bank),),
    )
    now = utcnow()
    round_data = RoundData(
        "r1",
        "Đợt 1",
        now - timedelta(days=1),
        now + timedelta(days=10),
        quiz,
        DEFAULT_PREDICTION,
        (("nhat", 1), ("nhi", 0), ("ba", 0), ("khuyen_khich", 0)),
    )
    data = ContestData(
        "ct",
        "Cuộc thi thử",
        "Sở Nội vụ",
        "",
        "Thể lệ.",
        tuple(targets),
        owner,
        "sum",
        False,
        (round_data,),
    )
    sync_contests([data])
    db.session.commit()
