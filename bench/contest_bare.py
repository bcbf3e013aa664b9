"""The ceiling of the public contest page (bench/contest.py, part 2): a plain Flask
app on the same database that answers GET /contests/<code> as the app's page does
for an anonymous visitor, the way any page of this stack can — and nothing of the
app's own.

  app            reads the page's *data* at most once a minute per worker (a
                 per-process dict with a timestamp): the contest (title,
                 organiser, description, rules, target units), its rounds (window,
                 time limit, questions, attempts, prizes per level and, for a
                 closed round, the latest ranking's summary, prize list, top 10
                 and results per unit as kept with it) and the participation
                 counts of the running round per top unit, with plain SQL;
                 then renders per request, with Jinja, the same markup as the
                 real page (templates/bare_contest.html: the base layout,
                 header, footer and scripts included; numbers formatted by
                 Babel's `vi` locale, as the app's page does).
  whole_page_app the same, but it keeps the *rendered* page for the minute (a
                 whole-page cache, which the app may not use): printed by the bench
                 for information only.

No sign-in, CSRF (a stand-in token of the same length), translations (the words
are written in Vietnamese), url_for, security headers or rate limits.

Configured by the environment: BENCH_DATABASE_URL (and VHCV_ORG_NAME, as the app).
Serve with: gunicorn bench.contest_bare:app (or :whole_page_app)
"""

import gc
import importlib.util
import os
import sys
import time
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import Flask, abort, render_template
from sqlalchemy import JSON, DateTime, bindparam, create_engine, text

CACHE_SECONDS = 60
TOP_PLACES = 10
RETIRED_NUMBER = 100_000  # rounds numbered from here on are retired (app.contests)
PRIZE_LEVELS = ("nhat", "nhi", "ba", "khuyen_khich")
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CSRF_STAND_IN = "bare-" + "0" * 86  # as long as the app's signed CSRF token
REPO = Path(__file__).resolve().parent.parent

CONTEST = text(
    "SELECT id, code, title, organiser, description_html, rules_html FROM contest "
    "WHERE code = :code AND active = :yes"
)
TARGETS = text(
    "SELECT u.id, u.name FROM contest_target t JOIN unit u ON u.id = t.unit_id "
    "WHERE t.contest_id = :contest ORDER BY t.id"
)
ROUNDS = text(
    """
    SELECT r.number, r.code, r.title, r.prizes, q.id AS quiz_id, q.opens_at,
           q.closes_at, q.time_limit_seconds, q.attempts_allowed, q.draw_rules
    FROM contest_round r JOIN quiz q ON q.id = r.quiz_id
    WHERE r.contest_id = :contest AND r.number < :retired
    ORDER BY r.number
    """
).columns(prizes=JSON, draw_rules=JSON, opens_at=DateTime, closes_at=DateTime)
RANKINGS = text(
    "SELECT r.id, r.version, r.participants, r.question_count, r.perfect_count, "
    "c.code AS round_code FROM ranking r JOIN contest_round c ON c.id = r.round_id "
    "WHERE r.contest_id = :contest ORDER BY r.version"
)
# {unit code: "Name — Parent name"} for the units whose name another unit also has.
LABELS = text(
    """
    SELECT u.code, u.name, p.name FROM unit u LEFT JOIN unit p ON p.id = u.parent_id
    WHERE u.name IN (SELECT name FROM unit GROUP BY name HAVING COUNT(id) > 1)
    """
)
TOP = text(
    """
    SELECT e.ranking_id, e.rank, u.full_name AS name, un.name AS unit, un.code,
           e.right_answers, e.prediction, e.time_used_seconds, e.tied
    FROM ranking_entry e JOIN "user" u ON u.id = e.user_id
    JOIN unit un ON un.id = e.unit_id
    WHERE e.ranking_id IN :ids AND e.rank <= :top
    ORDER BY e.ranking_id, e.rank, u.name_sort
    """
).bindparams(bindparam("ids", expanding=True))
PRIZES = text(
    """
    SELECT p.ranking_id, p.level, u.full_name AS name, un.name AS unit, un.code,
           e.rank, e.right_answers
    FROM prize p JOIN ranking_entry e ON e.id = p.entry_id
    JOIN "user" u ON u.id = p.user_id JOIN unit un ON un.id = e.unit_id
    WHERE p.ranking_id IN :ids
    ORDER BY e.rank, u.name_sort
    """
).bindparams(bindparam("ids", expanding=True))
# The results per unit kept with each ranking (the app's RankingUnit rows).
UNITS = text(
    """
    SELECT ranking_id, label, participants, cadres, right_sum, perfect
    FROM ranking_unit WHERE ranking_id IN :ids ORDER BY position
    """
).bindparams(bindparam("ids", expanding=True))
# The rows of the counts: the target units and their children.
GROUPS = text(
    "SELECT id, name, code, path FROM unit WHERE active = :yes "
    "AND (id IN :targets OR parent_id IN :targets)"
).bindparams(bindparam("targets", expanding=True))
COUNTS = text(
    """
    SELECT un.path, COUNT(DISTINCT a.user_id)
    FROM attempt a JOIN "user" u ON u.id = a.user_id JOIN unit un ON un.id = u.unit_id
    WHERE a.quiz_id = :quiz AND a.preview = :no
    GROUP BY un.path
    """
)


def _collation():
    """The app's Vietnamese collation key (app/vntext.py, a pure module), loaded from
    its file alone: the app package is not imported. Used once a minute, to order
    the counts' ties as the app's page does."""
    spec = importlib.util.spec_from_file_location(
        "_bench_vntext", REPO / "app" / "vntext.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.text_sort_key


text_sort_key = _collation()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def vn_datetime(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def vn_number(value: float | None, places: int = 0) -> str:
    """As the app's `number` filter on a Vietnamese page: "1.234", "16,36"; "—"
    for None."""
    if value is None:
        return "—"
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(value, format=pattern, locale="vi")


def vn_percent(value: float, places: int = 1) -> str:
    """As the app's `percent` filter on a Vietnamese page: "25,9\u00a0%"."""
    return f"{vn_number(value, places)}\u00a0%"


def mm_ss(seconds: float) -> str:
    """As the app's `duration` (contests.papers): mm:ss, whole seconds."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def read_page(connection, code: str, now: datetime) -> SimpleNamespace | None:
    """The page's data as it stands: the contest, its rounds (with the results of
    the closed ones) and the running round's participation counts."""
    row = connection.execute(CONTEST, {"code": code, "yes": True}).first()
    if row is None:
        return None
    targets = connection.execute(TARGETS, {"contest": row.id}).all()
    rounds = [
        _round(r)
        for r in connection.execute(
            ROUNDS, {"contest": row.id, "retired": RETIRED_NUMBER}
        )
    ]
    labels = _labels(connection)
    closed = {r.code for r in rounds if r.closes_at <= now}
    results = _results(connection, row.id, closed, labels) if closed else {}
    for r in rounds:
        r.results = results.get(r.code)
    running = next((r for r in rounds if r.opens_at <= now < r.closes_at), None)
    counts = None
    if running is not None:
        counts = _counts(connection, running, [t.id for t in targets], labels, now)
    return SimpleNamespace(
        title=row.title,
        organiser=row.organiser,
        description_html=row.description_html,
        rules_html=row.rules_html,
        targets=[t.name for t in targets],
        rounds=rounds,
        participation=counts,
    )


def _round(row) -> SimpleNamespace:
    return SimpleNamespace(
        number=row.number,
        quiz_id=row.quiz_id,
        code=row.code,
        title=row.title,
        opens_at=_aware(row.opens_at),
        closes_at=_aware(row.closes_at),
        time_limit_minutes=row.time_limit_seconds // 60,
        attempts_allowed=row.attempts_allowed,
        question_count=sum(rule["count"] for rule in row.draw_rules),
        prizes=[(level, int(row.prizes.get(level, 0))) for level in PRIZE_LEVELS],
        results=None,
    )


def _results(connection, contest_id: int, closed: set[str], labels) -> dict:
    """The latest ranking of each closed round, by round code: its summary, prize
    list (by level, then rank), first TOP_PLACES places and rows per unit (by
    participation)."""
    latest = {
        r.round_code: SimpleNamespace(**r._asdict(), top=[], prizes=[], units=[])
        for r in connection.execute(RANKINGS, {"contest": contest_id})
        if r.round_code in closed
    }  # by version: the highest wins
    by_id = {r.id: r for r in latest.values()}
    if not by_id:
        return {}
    ids = list(by_id)
    for e in connection.execute(TOP, {"ids": ids, "top": TOP_PLACES}):
        by_id[e.ranking_id].top.append(_placing(e, labels))
    for p in connection.execute(PRIZES, {"ids": ids}):
        by_id[p.ranking_id].prizes.append(_placing(p, labels))
    for u in connection.execute(UNITS, {"ids": ids}):
        by_id[u.ranking_id].units.append(_unit_row(u))
    order = {level: n for n, level in enumerate(PRIZE_LEVELS)}
    for ranking in by_id.values():
        ranking.prizes.sort(key=lambda p: order.get(p.level, 9))
        ranking.units.sort(key=_by_participation)
    return latest


def _unit_row(row) -> SimpleNamespace:
    """A row of the results per unit with its rate (percent, 1 decimal) and mean
    right answers (2 decimals; None without participants), as the app's
    contests.results.UnitResult works them out."""
    found = SimpleNamespace(**row._asdict())
    found.rate = round(100 * row.participants / row.cadres, 1) if row.cadres else 0.0
    found.mean_right = (
        round(row.right_sum / row.participants, 2) if row.participants else None
    )
    return found


def _by_participation(row: SimpleNamespace) -> tuple:
    """The app's order of the rows (contests.results.by_participation): the exact
    participation rate, highest first, then more participants, then the label."""
    rate = Fraction(row.participants, row.cadres) if row.cadres else Fraction(0)
    return -rate, -row.participants, text_sort_key(row.label)


def _labels(connection) -> dict[str, str]:
    """{unit code: "Name — Parent name"} where the name alone is ambiguous."""
    return {
        code: f"{name} — {up}" if up else name
        for code, name, up in connection.execute(LABELS)
    }


def _placing(row, labels: dict[str, str]) -> SimpleNamespace:
    found = row._asdict()
    found["unit"] = labels.get(found.pop("code"), found["unit"])
    return SimpleNamespace(**found)


def _counts(connection, running, target_ids, labels, now) -> SimpleNamespace:
    """Participants of the running round per group (a target unit's child, or the
    target for its own cadres), most first: the app's grouping of one grouped
    query's rows by unit path."""
    groups = connection.execute(GROUPS, {"yes": True, "targets": target_ids}).all()
    deepest_first = sorted(groups, key=lambda g: len(g.path), reverse=True)
    counts = dict.fromkeys((g.id for g in groups), 0)
    for path, count in connection.execute(
        COUNTS, {"quiz": running.quiz_id, "no": False}
    ):
        group = next((g for g in deepest_first if path.startswith(g.path)), None)
        if group is not None:
            counts[group.id] += count
    names = {g.id: labels.get(g.code, g.name) for g in groups}
    units = sorted(
        (
            SimpleNamespace(name=names[i], count=n, own=i in target_ids)
            for i, n in counts.items()
        ),
        key=lambda u: (-u.count, text_sort_key(u.name)),
    )
    for unit in units:  # a target's own cadres, worded as the app's page words them
        if unit.own:
            unit.name = f"{unit.name} (cán bộ trực thuộc)"
    return SimpleNamespace(
        round_code=running.code,
        total=sum(counts.values()),
        units=units,
        counted_at=now,
    )


def create_app(url: str, whole_page: bool = False) -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    app.jinja_env.filters["vn_datetime"] = vn_datetime
    app.jinja_env.filters["vn_number"] = vn_number
    app.jinja_env.filters["vn_percent"] = vn_percent
    app.jinja_env.filters["mm_ss"] = mm_ss
    engine = create_engine(url)
    org_name = os.environ.get("VHCV_ORG_NAME", "Sở Nội vụ")
    cache: dict[str, tuple[float, SimpleNamespace, str | None]] = {}

    def render(page: SimpleNamespace) -> str:
        return render_template(
            "bare_contest.html",
            page=page,
            participation=page.participation,
            now=datetime.now(UTC),
            csrf_token=CSRF_STAND_IN,
            org_name=org_name,
        )

    @app.get("/contests/<code>")
    def contest(code: str):
        hit = cache.get(code)
        if hit is None or time.monotonic() - hit[0] >= CACHE_SECONDS:
            with engine.connect() as connection:
                page = read_page(connection, code, datetime.now(UTC))
            if page is None:
                abort(404)
            hit = (time.monotonic(), page, render(page) if whole_page else None)
            cache[code] = hit
        return hit[2] if whole_page else render(hit[1])

    @app.get("/")
    def index():
        return "ok"

    return app


URL = os.environ.get("BENCH_DATABASE_URL", "sqlite://")
app = create_app(URL)
whole_page_app = create_app(URL, whole_page=True)
gc.freeze()  # the same server setup: wsgi.py freezes what it built
