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


def _fresh_app(url: str):
    """The app on `url`, its database emptied, the schema built and the content
    synced (committed); and the secret key it was given."""
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
    return app, secret_key


def seed(url: str, cadres: int = 50) -> Seeded:
    """Build the database at `url` (emptied first) and fill it; return what the
    load needs."""
    from app.extensions import db

    app, secret_key = _fresh_app(url)
    with app.app_context():
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


# -- make bench-cluster ---------------------------------------------------------------

CAMPAIGN_CODE = "BENCH-CLUSTER-2026"


@dataclass
class ClusterSeeded:
    url: str
    secret_key: str
    quiz_code: str
    quiz_id: int
    campaign: str
    modules: list[str]  # the course's modules, in reading order
    questions: int  # per attempt
    per_page: int  # questions per attempt page
    draw_rules: list[dict]
    flow: list[str]  # usernames of cadres who start from scratch
    hr: list[tuple[str, int]]  # (username, unit id exported)
    mass: list[str]  # usernames of cadres who have read every module
    password: str


def seed_cluster(
    url: str,
    flow: int,
    mass: int,
    hr: int,
    units: int = 10,
    real_hash: bool = True,
) -> ClusterSeeded:
    """The database of `make bench-cluster` at `url` (emptied first): the real content,
    a province of `units` departments holding `flow` cadres who start from scratch
    (spread evenly), `hr` HR officers (each of one department) and a unit of `mass`
    cadres who have read every module (the mass start); a running campaign for the
    whole province with the final quiz, its pass mark set to 0 so that every
    submitted attempt passes and gets a certificate whatever was ticked.

    With `real_hash` the flow cadres' and officers' password hash is the production
    one (scrypt; computed once and shared, which changes nothing in what a sign-in
    costs); the mass-start cadres sign in before the measured second, with a cheap
    hash."""
    from datetime import timedelta

    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from app.accounts import services
    from app.accounts import units as unit_services
    from app.accounts.models import User
    from app.courses import services as courses
    from app.courses.models import ModuleProgress
    from app.extensions import db
    from app.quizzes.attempts import get_quiz
    from app.records import services as records
    from app.timeutil import utcnow

    app, secret_key = _fresh_app(url)
    with app.app_context():
        quiz = get_quiz(QUIZ_CODE)
        quiz.pass_percent = 0
        root = unit_services.create_unit("BC", "Tỉnh đo hiệu năng", "province")
        departments = [
            unit_services.create_unit(
                f"BC-{n:02d}", f"Sở đo hiệu năng {n}", "department", parent=root
            )
            for n in range(1, units + 1)
        ]
        mass_unit = unit_services.create_unit(
            "BC-MASS", "Đơn vị bắt đầu cùng lúc", "agency", parent=root
        )
        db.session.flush()
        strong = generate_password_hash(PASSWORD) if real_hash else None
        flow_names, hr_names, mass_names = [], [], []

        def add(username, name, unit, code, roles=None):
            user = services.create_user(
                username=username,
                full_name=name,
                unit=unit,
                password=PASSWORD,
                roles=roles,
                employee_code=code,
                must_change_password=False,
            )
            return user

        for number in range(1, flow + 1):
            unit = departments[(number - 1) % units]
            user = add(
                f"bc{number:05d}", f"Trần Thị Học {number}", unit, f"BC{number:06d}"
            )
            if strong:
                user.password_hash = strong
            flow_names.append(user.username)
        for number in range(1, hr + 1):
            unit = departments[(number - 1) % units]
            user = add(
                f"bchr{number:02d}",
                f"Lê Văn Nhân Sự {number}",
                unit,
                f"BCHR{number:04d}",
                roles=[services.RoleSpec("hr", unit), services.RoleSpec("learner")],
            )
            if strong:
                user.password_hash = strong
            hr_names.append((user.username, unit.id))
        for number in range(1, mass + 1):
            user = add(
                f"bcm{number:05d}",
                f"Phạm Văn Bắt Đầu {number}",
                mass_unit,
                f"BCM{number:06d}",
            )
            mass_names.append(user.username)
        db.session.flush()
        course = courses.get_course(quiz.course_code)
        modules = courses.active_modules(course)
        now = utcnow()
        mass_ids = db.session.scalars(
            select(User.id).where(User.username.in_(mass_names))
        ).all()
        if mass_ids:
            db.session.execute(
                insert(ModuleProgress),
                [
                    {
                        "user_id": user_id,
                        "module_id": module.id,
                        "version_id": module.current_version_id,
                        "first_opened_at": now - timedelta(hours=1),
                        "last_seen_at": now - timedelta(minutes=30),
                        "seconds_spent": 1800,
                        "completed_at": now - timedelta(minutes=30),
                    }
                    for user_id in mass_ids
                    for module in modules
                ],
            )
        records.create_campaign(
            CAMPAIGN_CODE,
            "Đợt đo hiệu năng 2026",
            now.year,
            course.code,
            quiz.code,
            now - timedelta(days=1),
            now + timedelta(days=30),
            [root],
        )
        db.session.commit()
        # Fresh planner statistics, as autovacuum keeps them in production (without
        # them PostgreSQL read a module's 3,000 progress rows for each start).
        from bench.reports import analyze

        analyze(db.engine)
        seeded = ClusterSeeded(
            url=url,
            secret_key=secret_key,
            quiz_code=quiz.code,
            quiz_id=quiz.id,
            campaign=CAMPAIGN_CODE,
            modules=[m.code for m in modules],
            questions=quiz.question_count,
            per_page=quiz.questions_per_page,
            draw_rules=list(quiz.draw_rules),
            flow=flow_names,
            hr=hr_names,
            mass=mass_names,
            password=PASSWORD,
        )
        db.session.remove()
        db.engine.dispose()
    return seeded
