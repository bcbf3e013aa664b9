"""The ceiling of the public contest page (bench/contest.py): a plain Flask app on
the same database that answers GET /contests/<code> with the contest's
participation counts per top unit, computed by one grouped query at most once a
minute per worker (an in-process cache, as the budget allows) and rendered by
Jinja into a small page. No sign-in, CSRF, translations, security headers or
url_for.

Configured by the environment: BENCH_DATABASE_URL. Serve with
gunicorn bench.contest_bare:app
"""

import gc
import os
import time

from flask import Flask, abort, render_template_string
from sqlalchemy import create_engine, text

CACHE_SECONDS = 60
PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>{{ title }}</title></head><body><main><h1>{{ title }}</h1>
<table><thead><tr><th>Đơn vị</th><th>Số người dự thi</th></tr></thead><tbody>
{% for name, count in rows %}
<tr><th>{{ name }}</th><td>{{ count }}</td></tr>{% endfor %}
</tbody></table></main></body></html>"""
COUNTS = text(
    """
    SELECT top.name, COUNT(DISTINCT a.user_id)
    FROM contest c
    JOIN contest_round r ON r.contest_id = c.id
    JOIN attempt a ON a.quiz_id = r.quiz_id AND a.preview = :no
    JOIN "user" u ON u.id = a.user_id
    JOIN unit un ON un.id = u.unit_id
    JOIN contest_target t ON t.contest_id = c.id
    JOIN unit root ON root.id = t.unit_id
    JOIN unit top ON top.parent_id = root.id
        AND substr(un.path, 1, length(top.path)) = top.path
    WHERE c.code = :code
    GROUP BY top.name
    ORDER BY top.name
    """
)


def create_app(url: str) -> Flask:
    app = Flask(__name__)
    engine = create_engine(url)
    cache: dict[str, tuple[float, str]] = {}

    @app.get("/contests/<code>")
    def contest(code: str):
        hit = cache.get(code)
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        with engine.connect() as connection:
            title = connection.scalar(
                text("SELECT title FROM contest WHERE code = :code"), {"code": code}
            )
            if title is None:
                abort(404)
            rows = connection.execute(COUNTS, {"code": code, "no": False}).all()
        page = render_template_string(PAGE, title=title, rows=rows)
        cache[code] = (time.monotonic(), page)
        return page

    @app.get("/")
    def index():
        return "ok"

    return app


app = create_app(os.environ.get("BENCH_DATABASE_URL", "sqlite://"))
gc.freeze()  # the same server setup: wsgi.py freezes what it built
