"""Build the benchmark's database: the app's schema in an SQLite file (WAL), the real
content of courses/ and quizzes/ synced as `flask content sync` does, a unit with
N cadres who can sign in, and for each an open attempt of the final quiz.

The final quiz is set to show all its questions on one page, so that
GET /attempts/<id>?page=1 is "the attempt page with 30 questions" of the budget.
"""

import secrets
from dataclasses import asdict, dataclass
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
    db_path: str
    secret_key: str
    quiz_id: int
    questions: int
    cadres: list[Cadre]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Seeded":
        return cls(**{**data, "cadres": [Cadre(**c) for c in data["cadres"]]})


def seed(workdir: Path, cadres: int = 50) -> Seeded:
    """Create `workdir`/app.sqlite3 and fill it; return what the load needs."""
    from app import create_app
    from app.accounts import services, units
    from app.content.load import load_all
    from app.content.sync_courses import sync_content, url_builders
    from app.content.sync_quizzes import sync_quizzes
    from app.extensions import db
    from app.quizzes.attempts import get_quiz, start_attempt

    db_path = workdir / "app.sqlite3"
    secret_key = secrets.token_hex(32)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SECRET_KEY": secret_key,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        }
    )
    with app.app_context():
        db.create_all()
        content = load_all(REPO / "courses", REPO / "quizzes")
        if content.problems:
            raise SystemExit(
                "content has problems:\n" + "\n".join(map(str, content.problems))
            )
        sync_content(content.courses, *url_builders())
        sync_quizzes(content.quizzes.banks, content.quizzes.quizzes)
        db.session.commit()

        quiz = get_quiz(QUIZ_CODE)
        quiz.questions_per_page = quiz.question_count  # all 30 on one page
        unit = units.create_unit("BENCH", "Đơn vị đo hiệu năng", "agency")
        made = []
        for number in range(1, cadres + 1):
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
        questions = quiz.question_count
        quiz_id = quiz.id
        db.session.remove()
        db.engine.dispose()
    return Seeded(str(db_path), secret_key, quiz_id, questions, made)
