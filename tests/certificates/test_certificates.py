"""Issuing on completion, serials, the snapshot, revocation and reissue."""

import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.certificates import services
from app.courses import services as courses
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.records import services as records
from app.records.models import Certificate
from app.timeutil import to_vn, utcnow
from tests.certificates.helpers import (
    certificates_of,
    complete,
    pass_quiz,
    record,
    user,
)
from tests.factories import make_user
from tests.records.helpers import make_campaign, read_all


def test_completion_issues_a_certificate_in_the_same_transaction(ctx, tmp_path):
    make_campaign(tmp_path)
    now = utcnow()
    person = user("in1")
    read_all(person, now)
    pass_quiz(person, now)
    # not committed yet: the certificate is in the completing transaction
    cert = db.session.scalar(select(Certificate))
    year = to_vn(cert.issued_at).year
    assert cert.serial == f"VHCV-{year}-000001" and (cert.year, cert.number) == (
        year,
        1,
    )
    rec = record("in1")
    assert cert.record_id == rec.id and rec.status == "completed"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Certificate.id))) == 0
    assert record("in1").status != "completed"


def test_the_snapshot_holds_the_values_at_completion(ctx, tmp_path):
    _, tree = make_campaign(tmp_path)
    cert = complete("in1", utcnow())
    rec = record("in1")
    assert cert.full_name == unicodedata.normalize("NFC", "Nguyễn Văn An")
    assert cert.unit_name == tree["D1A"].name
    course = courses.get_course("T")
    assert (cert.course_title, cert.periods) == (course.title, course.periods)
    assert cert.campaign_title == "Bồi dưỡng năm 2026"
    assert cert.score_percent == rec.best_percent == 100.0
    assert cert.passed_at == rec.completed_at
    assert cert.issuing_body == "SỞ NỘI VỤ"
    assert cert.parent_body == "ỦY BAN NHÂN DÂN TỈNH AN GIANG"
    assert len(cert.code) >= 22  # token_urlsafe(16): 128 random bits
    # later changes to the cadre or unit leave the snapshot alone
    user("in1").full_name = "Tên Khác"
    tree["D1A"].name = "Đơn vị mới"
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Certificate, cert.id)
    assert (again.full_name, again.unit_name) == ("Nguyễn Văn An", "Tổ Đào tạo")
    for field in ("full_name", "unit_name", "course_title", "campaign_title"):
        text = getattr(again, field)
        assert unicodedata.is_normalized("NFC", text)


def test_snapshot_for_matches_the_pdf_contract(ctx, tmp_path, app):
    make_campaign(tmp_path)
    cert = complete("in1", utcnow())
    snap = services.snapshot_for(cert)
    assert snap.serial == cert.serial
    assert snap.verify_url == f"http://127.0.0.1:5000/verify/{cert.code}"
    assert snap.issuer.signer_title == "PHÓ GIÁM ĐỐC"
    assert snap.issuer.signer_name == ""
    assert snap.periods == cert.periods >= 1


def test_second_completion_gets_the_next_serial(ctx, tmp_path):
    make_campaign(tmp_path)
    now = utcnow()
    first = complete("in1", now)
    second = complete("in2", now + timedelta(minutes=1))
    assert first.number + 1 == second.number == 2
    assert second.serial.endswith("-000002")
    assert first.code != second.code


def test_a_record_gets_one_certificate_only(ctx, tmp_path):
    make_campaign(tmp_path)
    now = utcnow()
    complete("in1", now)
    records.refresh_record(record("in1"), now)  # completed already: no new event
    assert len(certificates_of("in1")) == 1
    with pytest.raises(Conflict):
        services.issue_certificate(record("in1"))
    assert len(certificates_of("in1")) == 1


def test_an_unfinished_record_gets_no_certificate(ctx, tmp_path):
    make_campaign(tmp_path)
    read_all(user("in1"), utcnow())
    db.session.commit()
    assert certificates_of("in1") == []
    with pytest.raises(Conflict):
        services.issue_certificate(record("in1"))


def test_next_serial_counts_per_year_without_gaps(ctx):
    assert [services.next_serial(2030) for _ in range(3)] == [1, 2, 3]
    assert services.next_serial(2031) == 1
    db.session.commit()
    services.next_serial(2030)
    db.session.rollback()  # a rolled-back issue gives its number back
    assert services.next_serial(2030) == 4


def test_revoke_needs_a_reason_and_is_audited(ctx, tmp_path):
    make_campaign(tmp_path)
    cert = complete("in1", utcnow())
    with pytest.raises(InvalidInput):
        services.revoke(cert, "   ", None)
    actor = make_user("hr", cert.user.unit, roles=[("hr", cert.user.unit)])
    services.revoke(cert, "Gian lận khi làm bài", actor)
    db.session.commit()
    assert not cert.is_valid and cert.revoke_reason == "Gian lận khi làm bài"
    assert cert.revoked_by_id == actor.id
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "certificate.revoked")
    )
    assert event.actor_id == actor.id and event.target_id == str(cert.id)
    assert event.detail["reason"] == "Gian lận khi làm bài"
    with pytest.raises(Conflict):
        services.revoke(cert, "lần nữa", actor)


def test_reissue_gives_a_new_serial_and_code_and_revokes_the_old(ctx, tmp_path):
    make_campaign(tmp_path)
    old = complete("in1", utcnow())
    new = services.reissue(old, None)
    db.session.commit()
    assert new.serial != old.serial and new.code != old.code
    assert new.number == old.number + 1 and new.replaces_id == old.id
    assert old.revoke_reason == services.REISSUE_REASON and new.is_valid
    assert record("in1").certificates == [old, new]
    # a revoked certificate with a valid successor cannot be reissued again
    with pytest.raises(Conflict):
        services.reissue(old, None)


def test_issue_missing_skips_records_with_any_certificate(ctx, tmp_path):
    campaign, _ = make_campaign(tmp_path)
    cert = complete("in1", utcnow())
    db.session.delete(cert)
    db.session.commit()
    assert services.issue_missing(campaign) == 1
    db.session.commit()
    assert services.issue_missing(campaign) == 0
    services.revoke(certificates_of("in1")[0], "Sai", None)
    assert services.issue_missing(campaign) == 0
