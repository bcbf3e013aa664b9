import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.quizzes.services import get_quiz
from app.records import campaigns as running
from app.records import services as records
from app.records.models import Campaign
from app.timeutil import format_vn_date, utcnow
from tests.factories import make_user
from tests.records.helpers import make_campaign


def test_home_shows_the_campaign_with_progress_and_next_step(
    app, client, auth, tmp_path
):
    with app.app_context():
        make_campaign(tmp_path)
    auth.login("in1")
    page = client.get("/").get_data(as_text=True)
    assert "Bồi dưỡng năm 2026" in page
    assert "0/3 học phần" in page and "Chưa làm" in page
    assert "Bắt đầu học" in page
    assert "còn 29 ngày" in page or "còn 30 ngày" in page
    transcript = client.get("/transcript").get_data(as_text=True)
    assert "Bồi dưỡng năm 2026" in transcript and "Chưa bắt đầu" in transcript
    # a card per row on a phone: the roles keep it a table for screen readers
    assert 'role="table"' in transcript and 'role="cell"' in transcript


def test_admin_creates_a_campaign_and_bad_input_changes_nothing(
    app, client, auth, tmp_path
):
    with app.app_context():
        campaign, tree = make_campaign(tmp_path)
        make_user("adm", tree["P"], roles=[("admin", None)])
        closes = format_vn_date(campaign.closes_at, with_time=True)
    auth.login("adm")
    token = auth.token("/admin/campaigns")
    today = utcnow().date()
    good = {
        "csrf_token": token,
        "code": "C2027",
        "title": "Năm 2027",
        "year": "2027",
        "course_code": "T",
        "quiz_code": "Q",
        "opens_at": f"{today}T08:00",
        "closes_at": f"{today + timedelta(days=10)}T17:00",
        "targets": ["", "Xã C (C)", ""],
    }
    bad_unit = dict(good, code="C-BAD", targets="NOPE")
    page = client.post("/admin/campaigns", data=bad_unit, follow_redirects=True)
    assert "Không tìm thấy đơn vị “NOPE”" in page.get_data(as_text=True)
    no_unit = dict(good, code="C-BAD", targets=["", " "])
    page = client.post("/admin/campaigns", data=no_unit, follow_redirects=True)
    assert "Cần chọn ít nhất một đơn vị." in page.get_data(as_text=True)
    bad_dates = dict(
        good, code="C-BAD2", closes_at=f"{today - timedelta(days=1)}T08:00"
    )
    page = client.post("/admin/campaigns", data=bad_dates, follow_redirects=True)
    assert "Thời điểm đóng phải sau thời điểm mở." in page.get_data(as_text=True)
    garbled = dict(good, code="C-BAD3", opens_at="mai nhé")
    page = client.post("/admin/campaigns", data=garbled, follow_redirects=True)
    assert page.status_code == 200 and "C-BAD3" in page.get_data(as_text=True)
    for code in ("a/b", "C 2027", "C?x=1", "Đợt-1"):  # its page's address: no such
        page = client.post("/admin/campaigns", data=dict(good, code=code))
        assert "Chỉ dùng chữ không dấu, số" in page.get_data(as_text=True), code
    # quiz Q is C2026's, which runs for 30 more days: taking it is refused
    busy = client.post("/admin/campaigns", data=dict(good, code="C-BUSY"))
    said = busy.get_data(as_text=True)
    assert busy.status_code == 200 and 'value="C-BUSY"' in said
    assert (
        f"Bài kiểm tra “Q” đang được dùng cho đợt “Bồi dưỡng năm 2026” (C2026), "
        f"đến {closes} mới kết thúc."
    ) in said
    assert "bản sao của bài với mã riêng" in said
    with app.app_context():
        assert db.session.scalar(select(func.count(Campaign.id))) == 1
        quiz, held = get_quiz("Q"), records.get_campaign("C2026")
        assert (quiz.opens_at, quiz.closes_at) == (held.opens_at, held.closes_at)
        running.close_campaign(held)  # closed now: Q may be reused
        db.session.commit()
    page = client.post("/admin/campaigns", data=good, follow_redirects=True)
    assert "Đã tạo đợt bồi dưỡng Năm 2027." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Campaign.id))) == 2


def test_the_admin_updates_the_required_modules_on_the_campaigns_page(
    app, client, auth, tmp_path
):
    """A module published after the campaign began: the page says what updating
    would do; without the confirmation nothing changes; with it the campaign
    requires it, audited with the administrator's name, and a completed record
    stays completed."""
    from app.audit.models import AuditEvent
    from app.content.modules import load_content
    from app.content.sync_courses import sync_content, url_builders
    from app.records import services as records
    from app.records.models import TrainingRecord
    from tests.courses.content import write_module

    with app.app_context():
        campaign, tree = make_campaign(tmp_path)
        make_user("adm", tree["P"], roles=[("admin", None)])
        before = list(campaign.required_modules)
        in1 = db.session.scalar(select(TrainingRecord).join(TrainingRecord.user))
        in1.status = "completed"
        in1_id = in1.id
        write_module(tmp_path / "khoa-thu", 4, title="Học phần mới")
        sync_content(load_content(tmp_path), *url_builders())
        db.session.commit()
    page_url = "/admin/campaigns/C2026"
    auth.login("adm")
    page = client.get(page_url).get_data(as_text=True)
    assert "Học phần bắt buộc" in page and "yêu cầu thêm:" in page
    token = auth.token(page_url)
    refused = client.post(f"{page_url}/modules", data={"csrf_token": token})
    assert "Cần xác nhận trước khi đổi học phần bắt buộc." in refused.get_data(
        as_text=True
    )
    with app.app_context():
        assert records.get_campaign("C2026").required_modules == before
    done = client.post(
        f"{page_url}/modules",
        data={"csrf_token": token, "confirm": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đợt bồi dưỡng nay yêu cầu thêm:" in done
    assert "Khớp với các học phần khóa học đang có." in done
    with app.app_context():
        assert len(records.get_campaign("C2026").required_modules) == len(before) + 1
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "campaign.modules_required")
        )
        assert event.actor.username == "adm"
        assert db.session.get(TrainingRecord, in1_id).status == "completed"


def test_the_campaigns_page_in_english(app, client, auth, tmp_path):
    """A list's "Tên" column is a name, not a person's given name; the cadre
    categories to target are translated."""
    with app.app_context():
        _, tree = make_campaign(tmp_path)
        make_user("adm", tree["P"], roles=[("admin", None)])
    auth.login("adm")
    client.post(
        "/language",
        data={"language": "en", "csrf_token": auth.token("/admin/campaigns")},
    )
    html = client.get("/admin/campaigns").get_data(as_text=True)
    assert '<th scope="col">Name</th>' in html and "Given name" not in html
    assert "Civil servant" in html and ">Công chức<" not in html
    assert "<h1>Training campaigns</h1>" in html  # a list; one campaign's facts:
    one = client.get("/admin/campaigns/C2026").get_data(as_text=True)
    assert "<dt>Course</dt>" in one and "<dt>Quiz</dt>" in one


def test_a_completed_campaign_on_home_shows_no_reading_left(
    app, client, auth, tmp_path
):
    """A record completed without today's module versions read (an earlier year's
    campaign, a module published since) is not shown as '0/3 học phần' beside
    'Đã hoàn thành'."""
    from app.accounts.models import User
    from app.records.models import COMPLETED, TrainingRecord

    with app.app_context():
        make_campaign(tmp_path)
        record = db.session.scalar(
            select(TrainingRecord).join(User).where(User.username == "in1")
        )
        record.status, record.completed_at = COMPLETED, utcnow()
        db.session.commit()
    auth.login("in1")
    page = client.get("/").get_data(as_text=True)
    assert "Đã hoàn thành ngày" in page and "học phần</span>" not in page


def test_a_year_that_is_no_number_is_said_so(app, client, auth, tmp_path):
    with app.app_context():
        now = utcnow()
        _campaign, tree = make_campaign(
            tmp_path, opens=now - timedelta(days=9), closes=now - timedelta(days=1)
        )
        make_user("adm", tree["P"], roles=[("admin", None)])
    auth.login("adm")
    form = {
        "csrf_token": auth.token("/admin/campaigns"),
        "code": "C2027", "title": "Năm 2027", "course_code": "T", "quiz_code": "Q",
        "opens_at": "2027-03-01T08:00", "closes_at": "2027-10-31T17:00",
        "targets": ["Xã C (C)"],
    }  # fmt: skip
    for year, said in (
        ("hai nghìn", "Cần nhập một số nguyên."),
        ("", "Vui lòng điền trường này."),
        ("1999", "Số phải từ 2000 đến 2100."),
    ):
        page = client.post("/admin/campaigns", data={**form, "year": year})
        text = page.get_data(as_text=True)
        # beside its field, and not flashed again at the top ("Năm: …")
        assert said in re.search(r'id="year-error">([^<]*)</p>', text)[1], year
        assert f"Năm: {said}" not in text and page.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(Campaign.id))) == 1


def test_a_refused_campaign_form_says_each_problem_once(app, client, auth, tmp_path):
    """Each problem beside its field only (not flashed again at the top as
    "Label: problem"), and one line at the top saying the form was not saved."""
    with app.app_context():
        _campaign, tree = make_campaign(tmp_path)
        make_user("adm", tree["P"], roles=[("admin", None)])
    auth.login("adm")
    token = auth.token("/admin/campaigns")
    for url, data in (
        ("/admin/campaigns", {}),
        ("/admin/campaigns/C2026", {"title": "", "opens_at": "x"}),
        ("/admin/campaigns/C2026/windows", {"unit": ""}),
    ):
        text = client.post(url, data={"csrf_token": token, **data}).get_data(True)
        errors = re.findall(r'<p class="error" id="[^"]+">([^<]*)</p>', text)
        assert errors and text.count("Chưa lưu: xem các lỗi bên dưới.") == 1, url
        assert len(re.findall('class="flash flash-error"', text)) == 1, url
        assert "Vui lòng điền trường này." in errors[0], url


def test_the_best_score_is_written_in_the_readers_language(app, client, auth, tmp_path):
    """Home's badge and the transcript write the best score "88 %" (with a
    no-break space) on a Vietnamese page, "88%" on an English one."""
    from app.accounts.models import User
    from app.records.models import TrainingRecord

    with app.app_context():
        make_campaign(tmp_path)
        record = db.session.scalar(
            select(TrainingRecord).join(User).where(User.username == "in1")
        )
        record.passed, record.best_percent = True, 87.6
        db.session.commit()
    auth.login("in1")
    assert "✓ Đạt (88\u00a0%)" in client.get("/").get_data(as_text=True)
    transcript = client.get("/transcript").get_data(as_text=True)
    assert ">88\u00a0%</td>" in transcript
    token = auth.token("/transcript")
    client.post("/language", data={"language": "en", "csrf_token": token})
    assert "✓ Passed (88%)" in client.get("/").get_data(as_text=True)
    transcript = client.get("/transcript").get_data(as_text=True)
    assert ">88%</td>" in transcript and "\u00a0%" not in transcript


def test_the_reading_progress_fallback_is_written_in_the_readers_language(
    app, client, auth, tmp_path
):
    """The text inside the <progress> bar (shown where the bar is not drawn):
    "33 %" with a no-break space on a Vietnamese page, "33%" on an English one."""
    from app.accounts.models import User
    from app.courses import services as courses

    with app.app_context():
        make_campaign(tmp_path)
        learner = db.session.scalar(select(User).where(User.username == "in1"))
        first = courses.active_modules(courses.get_course("T"))[0]
        now = utcnow()
        courses.open_module(learner, first, now=now - timedelta(minutes=10))
        courses.complete_module(learner, first, 0.5, now=now)
        db.session.commit()
    auth.login("in1")
    home = client.get("/").get_data(as_text=True)
    course = client.get("/courses/T").get_data(as_text=True)
    assert "1/3 học phần" in home
    assert ">33\u00a0%</progress>" in home and ">33\u00a0%</progress>" in course
    token = auth.token("/")
    client.post("/language", data={"language": "en", "csrf_token": token})
    home = client.get("/").get_data(as_text=True)
    course = client.get("/courses/T").get_data(as_text=True)
    assert ">33%</progress>" in home and ">33%</progress>" in course
    assert "\u00a0%" not in home + course


def test_a_campaign_closed_before_completion_says_it_ended(app, client, auth, tmp_path):
    """Closed 300 days ago: in1 had read one module, in2 nothing; neither is offered
    reading or the quiz, and both read "ended, not completed", not "in progress"."""
    from app.courses import services as courses
    from tests.certificates.helpers import user

    with app.app_context():
        now = utcnow()
        make_campaign(
            tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
        )
        first = courses.active_modules(courses.get_course("T"))[0]
        then = now - timedelta(days=350)
        courses.open_module(user("in1"), first, now=then - timedelta(minutes=10))
        courses.complete_module(user("in1"), first, 0.5, now=then)
        db.session.commit()
    for name in ("in1", "in2"):
        auth.login(name)
        home = client.get("/").get_data(as_text=True)
        assert "Đã kết thúc — chưa hoàn thành" in home
        assert "Chưa làm, đã hết hạn làm bài" in home
        for offer in ("Bắt đầu học", "Tiếp tục học", "Làm bài kiểm tra"):
            assert offer not in home, (name, offer)
        assert 'class="button primary"' not in home
        transcript = client.get("/transcript").get_data(as_text=True)
        assert "Đã kết thúc — chưa hoàn thành" in transcript
        assert "Đang học" not in transcript and "Chưa bắt đầu" not in transcript
        auth.logout()


def test_an_ended_campaign_shows_the_reading_it_closed_with(
    app, client, auth, tmp_path
):
    """A campaign closed 300 days ago, when in1 had read one module of three: a
    module read today counts for no closed campaign, so its bar still says 1/3
    (today's reading, 2/3, is not its)."""
    from app.courses import services as courses
    from tests.certificates.helpers import user

    with app.app_context():
        now = utcnow()
        make_campaign(
            tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
        )
        first, second = courses.active_modules(courses.get_course("T"))[:2]
        then = now - timedelta(days=350)
        courses.open_module(user("in1"), first, now=then - timedelta(minutes=10))
        courses.complete_module(user("in1"), first, 0.5, now=then)
        courses.open_module(user("in1"), second, now=now - timedelta(minutes=10))
        courses.complete_module(user("in1"), second, 0.5, now=now)
        db.session.commit()
    auth.login("in1")
    home = client.get("/").get_data(as_text=True)
    assert "1/3 học phần" in home and "2/3 học phần" not in home
    assert ">33\u00a0%</progress>" in home
