"""Sending the outbox: batches, an LRS down (nothing lost, the next run resumes),
ids it already has, `flask xapi send|status` and the job xapi.send."""

from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import FINISHED
from app.xapi import sender
from app.xapi.jobs import KIND
from tests.xapi.helpers import PUBLIC, free_port, learn, outbox


def test_sends_in_batches_and_marks_sent(ctx, tmp_path, lrs):
    learn(tmp_path)
    result = sender.send_pending()
    assert result.sent == 7 and result.error is None
    assert [m for m, _ in lrs.requests] == ["POST", "POST", "POST"]  # 3 + 3 + 1
    assert {v for _, v in lrs.requests} == {"1.0.3"}
    assert set(lrs.stored) == {r.id for r in outbox()}
    assert all(r.sent_at is not None and r.attempts == 1 for r in outbox())
    assert sender.send_pending().sent == 0  # nothing twice


def test_lrs_down_loses_nothing_and_sending_resumes(app, ctx, tmp_path, lrs):
    learn(tmp_path)
    app.config["XAPI_LRS_URL"] = f"http://127.0.0.1:{free_port()}/xAPI"  # refused
    result = sender.send_pending()
    assert result.sent == 0 and "ConnectionError" in result.error
    db.session.expire_all()
    rows = outbox()
    assert len(rows) == 7 and all(r.sent_at is None for r in rows)
    assert rows[0].attempts == 1 and "ConnectionError" in rows[0].last_error
    assert rows[-1].attempts == 0  # the run stopped at the first batch

    app.config["XAPI_LRS_URL"] = lrs.url
    lrs.down = True  # up, but failing: 503
    result = sender.send_pending()
    assert result.sent == 0 and "503" in result.error
    assert sender.backlog_count() == 7

    lrs.down = False
    assert sender.send_pending().sent == 7
    assert sender.backlog_count() == 0 and len(lrs.stored) == 7


def test_an_lrs_address_that_redirects_sends_nothing_and_keeps_all(ctx, tmp_path, lrs):
    """A redirect (an http address behind https, a moved LRS) is never followed:
    requests would send the POST again as a GET, which an LRS answers 200 with
    what it stores, and the batch would be marked sent, never delivered."""
    learn(tmp_path)
    for status in (301, 302, 303, 307, 308):
        lrs.redirect, lrs.requests = status, []
        result = sender.send_pending()
        assert result.sent == 0 and f"HTTP {status}" in result.error
        assert "/moved/xAPI" in result.error  # says where it was sent
        assert [m for m, _ in lrs.requests] == ["POST"]  # not followed
        assert sender.backlog_count() == 7 and lrs.stored == {}
    lrs.redirect = None
    assert sender.send_pending().sent == 7 and len(lrs.stored) == 7


def test_an_answer_that_is_not_the_statements_ids_keeps_all(ctx, tmp_path, lrs):
    """A 200 to the POST that is not the list of the batch's ids (a web page, a
    catch-all site at the LRS's address) is not an LRS having taken them."""
    learn(tmp_path)
    lrs.not_an_lrs = True
    result = sender.send_pending()
    assert result.sent == 0 and "ids" in result.error
    assert sender.backlog_count() == 7
    lrs.not_an_lrs = False
    assert sender.send_pending().sent == 7


def test_a_list_short_of_ids_the_lrs_does_not_have_keeps_all(ctx, tmp_path, lrs):
    """A 200 to the POST listing fewer ids than sent is an LRS leaving out what
    it had already (Ralph): each id left out is asked for; one it does not have
    means it took nothing, as a site that is no LRS."""
    learn(tmp_path)
    lrs.lists_none = True  # answers 200 [] and stores nothing
    result = sender.send_pending()
    assert result.sent == 0 and "does not have" in result.error
    assert sender.backlog_count() == 7 and lrs.stored == {}
    asked = {path.split("statementId=")[-1] for m, path in lrs.requests if m == "GET"}
    assert asked and asked <= {row.id for row in outbox()}
    lrs.lists_none = False
    assert sender.send_pending().sent == 7


def test_statements_the_lrs_already_has_count_as_sent(ctx, tmp_path, lrs):
    learn(tmp_path)
    first = outbox()[0]
    lrs.stored[first.id] = first.payload  # taken before, its answer lost
    result = sender.send_pending()
    assert result.sent == 7 and not result.rejected
    assert sender.backlog_count() == 0 and len(lrs.stored) == 7


def test_another_statement_under_its_id_is_a_rejection_not_sent(ctx, tmp_path, lrs):
    """409: the LRS holds a DIFFERENT statement under that id (the same one it
    takes again): this one never got in, so it stays unsent with the answer."""
    learn(tmp_path)
    first = outbox()[0]
    lrs.stored[first.id] = {**first.payload, "timestamp": "2020-01-01T00:00:00Z"}
    result = sender.send_pending()
    assert result.sent == 6 and result.rejected == [first.id]
    assert ("PUT", "1.0.3") in lrs.requests  # the batch with it, one by one
    db.session.expire_all()
    kept = db.session.get(type(first), first.id)
    assert kept.sent_at is None and kept.last_error.startswith("HTTP 409")
    assert sender.backlog_count() == 1


def test_a_statement_rejected_again_and_again_is_set_aside(runner, ctx, tmp_path, lrs):
    """After MAX_REJECTIONS runs it no longer heads the backlog (each run's first
    batch would be refused and sent again one by one): set aside, counted by
    `xapi status` with its error, put back by `xapi send --retry-failed`."""
    learn(tmp_path)
    bad = outbox()[0]
    lrs.invalid.add(bad.id)
    assert sender.send_pending().sent == 6
    for run in range(2, sender.MAX_REJECTIONS + 1):
        result = sender.send_pending()
        assert result.rejected == [bad.id], run
    assert result.failed == 1 and sender.backlog_count() == 0
    lrs.requests.clear()
    assert sender.send_pending().rejected == [] and lrs.requests == []
    status = runner.invoke(args=["xapi", "status"])
    assert status.exit_code == 0, status.output
    assert "Chờ gửi: 0" in status.output
    assert "Bị gác lại (LRS từ chối 5 lần): 1; lỗi gần nhất: HTTP 400" in (
        status.output
    )
    lrs.invalid.clear()
    sent = runner.invoke(args=["xapi", "send", "--retry-failed"])
    assert sent.exit_code == 0, sent.output
    assert "Đã đưa 1 bản ghi trở lại hàng chờ." in sent.output
    assert "Đã gửi 1 bản ghi; còn 0 chờ gửi." in sent.output
    assert bad.id in lrs.stored


def test_cli_needs_the_public_url_outside_tests(app, runner, ctx, tmp_path):
    learn(tmp_path)
    app.config.update(TESTING=False, DEBUG=False, VHCV_PUBLIC_URL="")
    try:
        for command in ("send", "status"):
            result = runner.invoke(args=["xapi", command])
            assert result.exit_code != 0
            assert "Chưa đặt VHCV_PUBLIC_URL" in result.output
    finally:
        app.config.update(TESTING=True, VHCV_PUBLIC_URL=PUBLIC)
    assert sender.backlog_count() == 7  # nothing sent


def test_cli_send_and_status(runner, ctx, tmp_path, lrs):
    learn(tmp_path)
    status = runner.invoke(args=["xapi", "status"])
    assert status.exit_code == 0 and "Chờ gửi: 7" in status.output
    sent = runner.invoke(args=["xapi", "send", "--batch", "5"])
    assert sent.exit_code == 0, sent.output
    assert "Đã gửi 7 bản ghi; còn 0 chờ gửi." in sent.output
    status = runner.invoke(args=["xapi", "status"])
    assert "Chờ gửi: 0" in status.output and "Đã gửi: 7" in status.output


def test_cli_reports_an_lrs_down(app, runner, ctx, tmp_path):
    learn(tmp_path)
    app.config["XAPI_LRS_URL"] = f"http://127.0.0.1:{free_port()}/xAPI"
    result = runner.invoke(args=["xapi", "send"])
    assert result.exit_code != 0 and "LRS không nhận" in result.output
    status = runner.invoke(args=["xapi", "status"])
    assert "Chờ gửi: 7" in status.output and "Lỗi (3): ConnectionError" in status.output


def test_cli_send_needs_an_lrs(app, runner, ctx):
    app.config["XAPI_LRS_URL"] = ""
    result = runner.invoke(args=["xapi", "send"])
    assert result.exit_code != 0 and "XAPI_LRS_URL" in result.output


def test_the_job_worker_sends(ctx, tmp_path, lrs):
    learn(tmp_path)
    job = jobs.submit(KIND, "xAPI", None, {})  # JOBS_RUNNER inline in the tests
    db.session.refresh(job)
    assert job.state == FINISHED and "7" in job.message
    assert len(lrs.stored) == 7 and sender.backlog_count() == 0


def test_a_statement_the_lrs_rejects_waits_with_its_error(ctx, tmp_path, lrs):
    """The others of its batch are sent one at a time; it stays unsent with the
    LRS's answer (for `flask xapi status`), and is tried again by the next run."""
    learn(tmp_path)
    bad = outbox()[1]
    lrs.invalid.add(bad.id)
    result = sender.send_pending()
    assert result.sent == 6 and result.rejected == [bad.id] and result.error is None
    db.session.expire_all()
    assert sender.backlog_count() == 1
    kept = db.session.get(type(bad), bad.id)
    assert kept.sent_at is None and kept.attempts == 1
    assert kept.last_error.startswith("HTTP 400")
    assert set(lrs.stored) == {r.id for r in outbox()} - {bad.id}
    lrs.invalid.clear()
    assert sender.send_pending().sent == 1 and sender.backlog_count() == 0
