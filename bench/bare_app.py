"""The ceilings: a plain Flask app, served under the same gunicorn settings as the
real app, on the same database, doing the work any signed-in page of this stack
does and nothing of the app's own.

  POST /login   sign-in as the app's: the user read through the ORM, its password
                hash checked, `login_user` (Flask-Login) puts "<id>:<session
                version>" in Flask's signed session cookie, made permanent.
  POST /autosave/<id>
                the autosave ceiling: parses the same form as the app's autosave
                (t, position, choice…), checks the signed token `t`
                (itsdangerous URLSafeSerializer; a list [attempt id, user id,
                session version] whose attempt id is the URL's), writes one row
                (an upsert into bench_answer through SQLAlchemy Core on the
                Engine, in its own transaction: BEGIN IMMEDIATE on SQLite) and
                answers a small JSON.
  GET  /attempts/<id>?page=1
                the page ceiling: Flask-Login loads the user and its roles from
                the session cookie through the ORM (one query, as the app's
                loader), one Core query reads the attempt's questions (its slots
                joined to their question versions, in the attempt's order, with
                what the bare autosave saved), and Jinja renders the same markup
                as the real attempt page (templates/bare_attempt.html), with a
                signed autosave token of its own. No CSRF, translations, rate
                limits or url_for.

Configured by the environment (bench.run sets it): BENCH_DATABASE_URL (the seeded
database; `bare_db.prepare` made bench_answer in it) and SECRET_KEY.
Serve with: gunicorn bench.bare_app:app
"""

import gc
import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, abort, jsonify, redirect, render_template, request, session
from flask_login import LoginManager, current_user, login_required, login_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from bench.bare_db import PAGE, UPSERT, User, configure, db

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TOKEN_SALT = "vhcv.bench.autosave"


def create_app(database_url: str, secret_key: str) -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    app.config.update(
        SECRET_KEY=secret_key,
        SQLALCHEMY_DATABASE_URI=database_url,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=28800,
    )
    db.init_app(app)
    configure(app)
    logins = LoginManager(app)
    logins.session_protection = "basic"  # as the app's
    logins.user_loader(load_user)
    app.jinja_env.filters["vn_datetime"] = vn_datetime
    app.jinja_env.filters["vn_time"] = vn_time
    signer = URLSafeSerializer(secret_key, salt=TOKEN_SALT)
    app.add_url_rule("/login", view_func=sign_in, methods=["POST"])
    app.add_url_rule(
        "/autosave/<int:attempt_id>",
        view_func=lambda attempt_id: autosave(signer, attempt_id),
        endpoint="autosave",
        methods=["POST"],
    )
    app.add_url_rule(
        "/attempts/<int:attempt_id>",
        view_func=login_required(lambda attempt_id: page(signer, attempt_id)),
        endpoint="page",
    )
    return app


def load_user(session_id: str) -> User | None:
    """The app's loader: "<id>:<session version>", the roles in the same query."""
    try:
        user_id, version = (int(p) for p in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id, options=[joinedload(User.roles)])
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def vn_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite gives back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def vn_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).strftime("%H:%M")


def sign_in():
    form = request.form
    user = db.session.scalar(select(User).where(User.username == form["username"]))
    if user is None or not check_password_hash(
        user.password_hash or "", form["password"]
    ):
        abort(401)
    session.permanent = True
    login_user(user)
    return redirect("/")


def autosave(signer: URLSafeSerializer, attempt_id: int):
    form = request.form
    position = form.get("position", type=int) or 0
    choice = form.getlist("choice", type=int)
    try:
        data = signer.loads(form.get("t", ""))
    except BadSignature:
        abort(404)
    if (
        not isinstance(data, list)
        or len(data) != 3
        or not all(type(v) is int for v in data)
        or data[0] != attempt_id
    ):
        abort(404)
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        connection.execute(
            UPSERT,
            {
                "attempt_id": attempt_id,
                "position": position,
                "choice": choice,
                "saved_at": now,
            },
        )
    return jsonify(saved=True, position=position, saved_at=now.isoformat())


def page(signer: URLSafeSerializer, attempt_id: int):
    user = current_user
    rows = db.session.execute(
        PAGE, {"attempt_id": attempt_id, "user_id": user.id}
    ).all()
    if not rows:
        abort(404)
    head = rows[0]
    deadline = head.deadline_at
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)
    left = (deadline - datetime.now(UTC)).total_seconds()
    return render_template(
        "bare_attempt.html",
        title=head.title,
        user=user,
        url=f"/attempts/{attempt_id}",
        autosave_url=f"/autosave/{attempt_id}?lang=vi",
        deadline=deadline,
        remaining=max(0, int(left)),
        questions=[_question(row) for row in rows],
        token=signer.dumps([attempt_id, user.id, user.session_version]),
        attempt_id=attempt_id,
        served_at=int(datetime.now(UTC).timestamp() * 1000),
        csrf_token="bare-" + "0" * 86,  # stands in for the signed CSRF token
    )


def _question(row) -> dict:
    html = {o["key"]: o["html"] for o in row.options}
    chosen = set(row.choice or ())
    return {
        "position": row.position,
        "multiple": row.type == "multiple",
        "stem_html": row.stem_html,
        "choices": [
            (index, html[key], index in chosen)
            for index, key in enumerate(row.option_order)
        ],
        "saved_at": row.saved_at if chosen else None,
        "shown": ",".join(str(index) for index in sorted(chosen)),
    }


if os.environ.get("BENCH_DATABASE_URL"):
    app = create_app(os.environ["BENCH_DATABASE_URL"], os.environ["SECRET_KEY"])
    gc.freeze()  # the same server setup: wsgi.py freezes what it built
