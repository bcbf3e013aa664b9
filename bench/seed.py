"""Build the benchmark's database: the app's schema (from its models), the real
content of courses/ and quizzes/ synced as `flask content sync` does, a unit with
N cadres who can sign in, and for each an open attempt of the final quiz.

On SQLite the database is a new file (WAL, set by the app's engine hooks); on
PostgreSQL the database named by the URL is emptied first: every table in it is
dropped, then the schema is built again.

The final quiz is set to show all its questions on one page, so that
GET /attempts/<id>?page=1 is "the attempt page with 30 questions" of the budget.

This is the one module of bench/ that imports the app's content modules (loader,
sync, URL builders): update the imports in `_sync_content` when they move.
"""

import secrets
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUIZ_CODE = "VHCV-FINAL-2026"
PASSWORD = "Bench@2026-pass"


@dataclass
class Cadre:
    username: str
    password: str
    attempt_id: int
    slots: int  # questions in the attempt (positions 1..slots)


@dataclass
class Seeded:
    url: str  # the SQLAlchemy URL both apps are given
    secret_key: str
    quiz_id: int
    questions: int
    cadres: list[Cadre]


def sqlite_url(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'app.sqlite3'}"


def seed(url: str, cadres: int = 50) -> Seeded:
    """Build the database at `url` (emptied first) and fill it; return what the
    load needs."""
    from app import create_app
    from app.extensions import db

    secret_key = secrets.token_hex(32)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": secret_key,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        }
    )
    with app.app_context():
        _empty(db.engine)
        db.create_all()
        _sync_content()
        db.session.commit()
        quiz_id, questions, made = _cadres_with_attempts(cadres)
        db.session.remove()
        db.engine.dispose()
    return Seeded(url, secret_key, quiz_id, questions, made)


def _empty(engine) -> None:
    """Drop every table the database holds (a new SQLite file holds none)."""
    from sqlalchemy import MetaData

    existing = MetaData()
    with engine.begin() as connection:
        existing.reflect(connection)
        existing.drop_all(connection)


def _sync_content() -> None:
    """Load courses/ and quizzes/ and sync them into the database."""
    from app.content.load import load_all
    from app.content.sync_courses import sync_content, url_builders
    from app.content.sync_quizzes import sync_quizzes

    content = load_all(REPO / "courses", REPO / "quizzes")
    if content.problems:
        raise SystemExit(
            "content has problems:\n" + "\n".join(map(str, content.problems))
        )
    sync_content(content.courses, *url_builders())
    sync_quizzes(content.quizzes.banks, content.quizzes.quizzes)


def _cadres_with_attempts(count: int) -> tuple[int, int, list[Cadre]]:
    """A unit of `count` learners, each with an open attempt of the final quiz shown
    on one page: (quiz id, questions per attempt, the cadres)."""
    from app.accounts import services, units
    from app.extensions import db
    from app.quizzes.attempts import get_quiz, start_attempt

    quiz = get_quiz(QUIZ_CODE)
    quiz.questions_per_page = quiz.question_count  # all 30 on one page
    unit = units.create_unit("BENCH", "Đơn vị đo hiệu năng", "agency")
    made = []
    for number in range(1, count + 1):
        user = services.create_user(
            username=f"bench{number:03d}",
            full_name=f"Nguyễn Văn Đo {number}",
            unit=unit,
            password=PASSWORD,
            employee_code=f"BENCH{number:05d}",
            must_change_password=False,
        )
        attempt = start_attempt(user, quiz, modules_read=True)
        made.append(Cadre(user.username, PASSWORD, attempt.id, len(attempt.slots)))
    db.session.commit()
    return quiz.id, quiz.question_count, made
