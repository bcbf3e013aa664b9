"""The learning flow the xAPI tests tell, and a small in-process LRS (a real HTTP
server of the standard library on 127.0.0.1) for the sender's tests without Ralph."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.quizzes import attempts
from app.timeutil import utcnow
from app.xapi.models import XapiStatement
from tests.records.helpers import make_campaign, read_all

PUBLIC = "https://vhcv.example.gov.vn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def pass_quiz(person, now):
    attempt = attempts.start_attempt(person, attempts.get_quiz("Q"), now)
    for slot in attempt.slots:
        right = [
            i
            for i, k in enumerate(slot.option_order)
            if any(o["key"] == k and o["correct"] for o in slot.version.options)
        ]
        attempts.save_answer(attempt, slot.position, right, now)
    attempts.finalise(attempt, now + timedelta(minutes=5))
    return attempt


def learn(tmp_path):
    """Campaign C2026; cadre in1 reads the course's 3 modules and passes quiz Q
    (completing the campaign, which issues a certificate); committed."""
    make_campaign(tmp_path)
    now = utcnow()
    person = user("in1")
    read_all(person, now)
    attempt = pass_quiz(person, now)
    db.session.commit()
    return person, attempt


def outbox() -> list[XapiStatement]:
    return list(
        db.session.scalars(select(XapiStatement).order_by(XapiStatement.created_at))
    )


class TinyLrs:
    """POST a list, PUT ?statementId=, as Ralph answers them: a statement it has
    already, the same, is taken again (204, or left out of a POST's list of the
    ids it stored; nothing stored twice; GET ?statementId= finds it); 409 only
    when a DIFFERENT statement has its id. `down = True` answers 503; a statement
    of `invalid`, 400; `while_answering()` runs before each answer, the sender
    waiting. `redirect` (a status, 301/302/303/307/308) sends every request to
    another address, which answers a GET with the list of what it stores (as an
    http address behind an https one); `not_an_lrs` answers 200 and a page;
    `lists_none` answers a POST 200 [] and keeps nothing."""

    def __init__(self):
        self.stored: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.down = False
        self.while_answering = None  # called before each answer (tests of the sender)
        self.invalid: set[str] = set()  # ids of statements it rejects (400)
        self.redirect: int | None = None
        self.not_an_lrs = False
        self.lists_none = False  # answers a POST 200 [] and stores nothing
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body=None):
                if lrs.while_answering is not None:
                    lrs.while_answering()
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _elsewhere(self):
                if lrs.not_an_lrs:
                    page = "<html>Trang chủ</html>".encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return True
                if lrs.redirect is None or self.path.startswith("/moved"):
                    return False
                self.send_response(lrs.redirect)
                self.send_header("Location", "/moved" + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True

            def do_GET(self):
                lrs.requests.append(("GET", self.path))
                if self._elsewhere():
                    return None
                asked = parse_qs(urlparse(self.path).query).get("statementId")
                if asked:
                    held = lrs.stored.get(asked[0])
                    return self._answer(200, held) if held else self._answer(404)
                return self._answer(200, {"statements": list(lrs.stored.values())})

            def _body(self):
                return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

            def do_POST(self):
                lrs.requests.append(("POST", self.headers["X-Experience-API-Version"]))
                body = self._body()
                if self._elsewhere():
                    return None
                if lrs.down:
                    return self._answer(503, {"detail": "down"})
                if any(s["id"] in lrs.invalid for s in body):
                    return self._answer(400, {"detail": "invalid"})
                if any(lrs.conflicts(s["id"], s) for s in body):
                    return self._answer(409, {"detail": "exists"})
                if lrs.lists_none:
                    return self._answer(200, [])
                new = [s["id"] for s in body if s["id"] not in lrs.stored]
                lrs.stored.update({s["id"]: s for s in body})
                # Ralph lists only the statements it did not have (204 when none)
                return self._answer(200, new) if new else self._answer(204)

            def do_PUT(self):
                lrs.requests.append(("PUT", self.headers["X-Experience-API-Version"]))
                body = self._body()
                if self._elsewhere():
                    return None
                sid = parse_qs(urlparse(self.path).query)["statementId"][0]
                if sid in lrs.invalid:
                    return self._answer(400, {"detail": "invalid"})
                if lrs.conflicts(sid, body):
                    return self._answer(409, {"detail": "exists"})
                lrs.stored[sid] = body
                return self._answer(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/xAPI"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def conflicts(self, statement_id: str, statement: dict) -> bool:
        """Another statement is stored under `statement_id` (the same is none)."""
        stored = self.stored.get(statement_id)
        return stored is not None and stored != statement

    def close(self):
        self.server.shutdown()
        self.server.server_close()
