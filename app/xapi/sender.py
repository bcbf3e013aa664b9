"""Sending the outbox to the LRS: the oldest unsent statements first, in batches
POSTed as a JSON list (XAPI_BATCH_SIZE), each batch marked sent in a commit of its
own once the LRS has taken it.

When the LRS cannot be reached or answers with an error of its own (5xx, a
timeout, a refused connection), the run stops and keeps everything: the
statements stay in the outbox with the error and are sent by the next run. A
batch the LRS refuses (4xx: one statement it rejects) is sent again one statement
at a time with PUT ?statementId=. An LRS answers a statement it already has, the
same (sent before, its answer lost), as taken (200/204): sent; and 409 only when a
DIFFERENT statement has that id: this one never got in, so 409 is a rejection like
any 4xx. A rejected statement is left with its error (shown by `flask xapi
status`), skipped for the rest of the run, and after MAX_REJECTIONS runs set aside
(failed) so that it no longer heads every batch; `flask xapi send --retry-failed`
puts it back."""

import logging
from dataclasses import dataclass, field

import requests
from flask import current_app
from sqlalchemy import case, func, literal, select, update

from app.database import reading_only
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

from .models import XapiStatement
from .statements import VERSION

log = logging.getLogger(__name__)

MAX_REJECTIONS = 5  # refusals by the LRS before a statement is set aside


class LrsUnavailable(Exception):
    """The LRS did not take the batch for a reason of its own: try again later."""


@dataclass
class SendResult:
    sent: int = 0
    rejected: list[str] = field(default_factory=list)  # ids the LRS refused
    failed: int = 0  # of them, set aside by this run (MAX_REJECTIONS reached)
    error: str | None = None  # why the run stopped early (the LRS unavailable)


def endpoint(config=None) -> str:
    config = config if config is not None else current_app.config
    return config["XAPI_LRS_URL"].strip().rstrip("/") + "/statements"


def _session(config) -> requests.Session:
    http = requests.Session()
    http.headers["X-Experience-API-Version"] = VERSION
    if config.get("XAPI_LRS_USERNAME"):
        http.auth = (config["XAPI_LRS_USERNAME"], config.get("XAPI_LRS_PASSWORD") or "")
    return http


def waiting():
    """The statements still to send: neither sent nor set aside."""
    return XapiStatement.sent_at.is_(None) & XapiStatement.failed_at.is_(None)


def set_aside():
    """The statements set aside after MAX_REJECTIONS refusals."""
    return XapiStatement.sent_at.is_(None) & XapiStatement.failed_at.is_not(None)


def backlog_query(skip=()):
    query = select(XapiStatement).where(waiting())
    if skip:
        query = query.where(XapiStatement.id.not_in(list(skip)))
    return query.order_by(XapiStatement.created_at, XapiStatement.id)


def backlog_count() -> int:
    return db.session.scalar(select(func.count()).where(waiting()))


def retry_failed() -> int:
    """Put the statements set aside back in the backlog, their refusals counted
    afresh (after the LRS or the data was put right); how many. Flushes only."""
    result = db.session.execute(
        update(XapiStatement)
        .where(set_aside())
        .values(failed_at=None, rejections=0)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def send_pending(batch_size: int | None = None, step=None) -> SendResult:
    """Send every unsent statement; commits after each batch. `step(done, total)`
    hears how far it got. No transaction is open while the LRS answers: each batch
    is read in a read-only one (on SQLite a CLI or job transaction would otherwise
    hold the one write lock through the POST, and every save waited or failed),
    and marked in a short one of its own."""
    config = current_app.config
    batch_size = batch_size or config["XAPI_BATCH_SIZE"]
    if not (config.get("XAPI_LRS_URL") or "").strip():
        return SendResult(error="XAPI_LRS_URL is not set")
    url, timeout = endpoint(config), config["XAPI_TIMEOUT_SECONDS"]
    result, total = SendResult(), backlog_count()
    with _session(config) as http:
        while True:
            with reading_only():
                query = backlog_query(result.rejected).limit(batch_size)
                batch = [(r.id, r.payload) for r in db.session.scalars(query)]
            if not batch:
                break
            try:
                errors = _send_batch(http, url, timeout, batch)
            except LrsUnavailable as error:
                _mark([i for i, _ in batch], str(error))
                result.error = str(error)
                log.warning("xAPI: LRS unavailable, %d kept: %s", len(batch), error)
                break
            _mark([i for i, _ in batch if i not in errors])
            for statement_id, error in errors.items():
                result.failed += _mark([statement_id], error, rejected=True)
            result.sent += len(batch) - len(errors)
            result.rejected += list(errors)
            if step is not None:
                step(result.sent, total)
    return result


def _post(http, method: str, url: str, timeout, **kwargs) -> requests.Response:
    """`method` the statements to the LRS at `url` (or GET one: its 404 is "no
    such statement", not a wrong address). A redirect is not followed (a POST
    followed by requests becomes a GET, which an LRS answers 200 with what it
    stores): the LRS is not at that address, as when it is down."""
    try:
        response = http.request(
            method, url, timeout=timeout, allow_redirects=False, **kwargs
        )
    except requests.RequestException as error:
        raise LrsUnavailable(f"{type(error).__name__}: {error}"[:1000]) from None
    if response.is_redirect:
        where = response.headers.get("Location", "")[:500]
        raise LrsUnavailable(
            f"HTTP {response.status_code}: redirected to {where}; set XAPI_LRS_URL "
            "to the address the LRS answers at"
        )
    unavailable = (401, 403, 429) if method == "GET" else (401, 403, 404, 429)
    if response.status_code >= 500 or response.status_code in unavailable:
        # Not about the statements: the LRS, its address or its credentials.
        raise LrsUnavailable(f"HTTP {response.status_code}: {response.text[:500]}")
    return response


def _send_batch(http, url, timeout, batch) -> dict[str, str]:
    """POST `batch` [(id, statement)]; the ids the LRS refused, with its answer."""
    response = _post(http, "POST", url, timeout, json=[p for _, p in batch])
    if response.status_code == 204:
        return {}
    if response.status_code == 200:
        _check_ids(http, url, timeout, response, [i for i, _ in batch])
        return {}
    # A 4xx (409 included): one by one, to find which it refuses.
    errors = {}
    for statement_id, payload in batch:
        one = _post(
            http,
            "PUT",
            url,
            timeout,
            params={"statementId": statement_id},
            json=payload,
        )
        if one.status_code not in (200, 204):  # 409: another statement has its id
            errors[statement_id] = f"HTTP {one.status_code}: {one.text[:500]}"
    return errors


def _check_ids(http, url, timeout, response: requests.Response, ids: list[str]):
    """An LRS answers a POST of statements 200 with the list of the ids it stored
    (xAPI 1.0.3, 2.1.2). Ralph lists only those it did not have already (a batch
    sent again after its answer was lost): an id of the batch missing from the
    list is asked for (GET ?statementId=) and counts as taken when the LRS has it.
    Any other answer (a web page, a catch-all site at that address, ids of no
    statement sent) is not an LRS that took them."""
    try:
        taken = response.json()
    except ValueError:
        taken = None
    if not isinstance(taken, list) or not set(map(str, taken)) <= set(ids):
        raise LrsUnavailable(
            "HTTP 200 without the statements' ids: is XAPI_LRS_URL an LRS? "
            + response.text[:300]
        )
    for statement_id in sorted(set(ids) - set(map(str, taken))):
        held = _post(http, "GET", url, timeout, params={"statementId": statement_id})
        if held.status_code != 200 or statement_id not in held.text:
            raise LrsUnavailable(
                f"HTTP 200 without the id {statement_id}, which the LRS does not "
                "have: is XAPI_LRS_URL an LRS?"
            )


def _mark(ids: list[str], error: str | None = None, rejected: bool = False) -> int:
    """One more try of the statements `ids`: sent (no `error`) or not; `rejected`
    by the LRS, one more refusal, and set aside at MAX_REJECTIONS; committed. How
    many were set aside."""
    if not ids:
        return 0
    values = {"attempts": XapiStatement.attempts + 1, "last_error": error}
    if error is None:
        values["sent_at"] = utcnow()
    if rejected:
        values["rejections"] = XapiStatement.rejections + 1
        values["failed_at"] = case(
            (
                XapiStatement.rejections + 1 >= MAX_REJECTIONS,
                literal(utcnow(), UTCDateTime()),
            ),
            else_=None,
        )
    db.session.execute(
        update(XapiStatement).where(XapiStatement.id.in_(ids)).values(**values)
    )
    failed = 0
    if rejected:
        failed = db.session.scalar(
            select(func.count()).where(XapiStatement.id.in_(ids), set_aside())
        )
    db.session.commit()
    return failed
