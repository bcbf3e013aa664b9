"""Quiz settings, preview as a learner, and item statistics."""

import csv
import io
import math
import re
import unicodedata

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.content.sync_quizzes import quiz_hash
from app.content.transfer import quiz_data_of
from app.extensions import db
from app.quizzes import statistics
from app.quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    Question,
    QuestionVersion,
    Quiz,
)
from app.records.models import TrainingRecord
from app.timeutil import utcnow
from tests.authoring.helpers import make_authoring

SETTINGS = "/authoring/quizzes/Q/settings"


@pytest.fixture
def content(app, tmp_path):
    return make_authoring(app, tmp_path)


def _settings(auth, **fields):
    data = {
        "csrf_token": auth.token(SETTINGS),
        "title": "Bài kiểm tra thử (sửa)",
        "time_limit_minutes": "20",
        "pass_percent": "70",
        "attempts_allowed": "2",
        "questions_per_page": "2",
        "review_policy": "score",
        "shuffle_questions": "y",
        "rules-0-count": "2",
        "rules-0-bank": "B1",
        "rules-1-count": "1",
        "rules-1-tag": "dung-sai",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _quiz(app):
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "Q"))
        db.session.expunge(quiz)
        return quiz


def test_settings_are_saved_and_hashed_like_the_file(app, client, auth, content):
    auth.login("trainer")
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'value="Q"' not in page and "B1 — Ngân hàng 1" in page
    response = client.post(SETTINGS, data=_settings(auth))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "Q"))
        assert quiz.time_limit_seconds == 1200 and quiz.pass_percent == 70
        assert quiz.review_policy == "score" and quiz.shuffle_options is False
        assert quiz.draw_rules == [
            {"count": 2, "bank": "B1", "tag": None},
            {"count": 1, "bank": None, "tag": "dung-sai"},
        ]
        assert quiz.origin == "browser" and quiz.updated_by_id is not None
        assert quiz.content_hash == quiz_hash(quiz_data_of(quiz))


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"time_limit_minutes": "0"}, "Từ 1 đến 600."),
        ({"pass_percent": "150"}, "Từ 0 đến 100."),
        ({"attempts_allowed": "0"}, "Từ 1 đến 20."),
        ({"time_limit_minutes": "abc"}, "Cần nhập một số nguyên."),
        ({"rules-0-count": "4"}, "cần 4 câu từ ngân hàng B1 nhưng chỉ chắc chắn còn 3"),
        (  # the tag rule may take T1 from B3 first: then B3 cannot give 2
            {
                "rules-0-count": "1",
                "rules-0-bank": None,
                "rules-0-tag": "dung-sai",
                "rules-1-count": "2",
                "rules-1-bank": "B3",
                "rules-1-tag": None,
            },
            "Quy tắc 2: cần 2 câu từ ngân hàng B3 nhưng chỉ chắc chắn còn 1",
        ),
        ({"rules-1-tag": "khong-co"}, "thẻ “khong-co” không có câu hỏi nào"),
        (
            {
                "rules-0-count": None,
                "rules-0-bank": None,
                "rules-1-count": None,
                "rules-1-tag": None,
            },
            "Cần ít nhất một quy tắc",
        ),
        ({"rules-1-bank": "B2"}, "chọn một ngân hàng hoặc ghi một thẻ"),
        ({"review_policy": "always"}, "Lựa chọn không hợp lệ"),
        ({"title": ""}, "Vui lòng điền trường này"),
    ],
)
def test_bad_settings_change_nothing(app, client, auth, content, fields, message):
    auth.login("trainer")
    before = _quiz(app)
    response = client.post(SETTINGS, data=_settings(auth, **fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    after = _quiz(app)
    assert (after.content_hash, after.pass_percent, after.draw_rules) == (
        before.content_hash,
        before.pass_percent,
        before.draw_rules,
    )


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"rules-0-count": "99999999999"}, "Số phải từ 1 đến 500."),
        ({"rules-0-count": "abc"}, "Cần nhập một số nguyên."),
        ({"rules-1-tag": "x" * 61}, "Không được dài quá 60 ký tự."),
        (
            {"rules-1-tag": "Đúng sai"},
            "Quy tắc 2: thẻ chỉ gồm chữ thường không dấu, chữ số và “-”: Đúng sai",
        ),
    ],
)
def test_a_bad_rule_row_says_why_in_vietnamese(
    app, client, auth, content, fields, message
):
    """A draw rule's row is a form of its own: its messages are translated as the
    page's, shown beside the row (a too long tag was refused without a word), and
    its tag is checked as a quiz file's is."""
    auth.login("trainer")
    before = _quiz(app)
    response = client.post(SETTINGS, data=_settings(auth, **fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert "Number must" not in page and "Not a valid" not in page
    assert _quiz(app).content_hash == before.content_hash


def test_a_pass_mark_of_zero_is_kept_as_a_quiz_file_may_set_it(
    app, client, auth, content
):
    """A quiz file may say pass_percent: 0; the form said 1 to 100, so such a quiz
    could not be saved in the browser without changing its pass mark."""
    with app.app_context():
        db.session.scalar(select(Quiz).where(Quiz.code == "Q")).pass_percent = 0
        db.session.commit()
    auth.login("trainer")
    response = client.post(SETTINGS, data=_settings(auth, pass_percent="0"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _quiz(app).pass_percent == 0 and _quiz(app).time_limit_seconds == 1200


def test_the_title_is_stored_in_nfc_as_a_file_s(app, client, auth, content):
    """A browser (or a pasted text) may send decomposed Vietnamese (NFD): the title
    is stored composed, as a quiz file's is read, so that both hash alike."""
    auth.login("trainer")
    title = unicodedata.normalize("NFD", "  Bài kiểm tra Tiếng Việt  ")
    response = client.post(SETTINGS, data=_settings(auth, title=title))
    assert response.status_code == 302
    assert _quiz(app).title == "Bài kiểm tra Tiếng Việt"  # NFC: this file's text


def _base(page: str) -> str:
    return page.split('name="base" type="hidden" value="')[1].split('"')[0]


def test_a_stale_tab_does_not_overwrite_a_newer_save_unseen(app, client, auth, content):
    """Two tabs open the settings; the first saves. The second's save would put
    back the first's fields unseen: it is refused once, keeping what was typed,
    and a second save overwrites knowingly."""
    auth.login("trainer")
    old = _base(client.get(SETTINGS).get_data(as_text=True))
    first = client.post(SETTINGS, data=_settings(auth, base=old))
    assert first.status_code == 302
    saved = _quiz(app)
    stale = _settings(auth, base=old, time_limit_minutes="45", pass_percent="55")
    refused = client.post(SETTINGS, data=stale)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "đã được lưu ở nơi khác" in page
    assert re.search(r'name="pass_percent"[^>]* value="55"', page)
    assert _quiz(app).content_hash == saved.content_hash
    again = client.post(SETTINGS, data=stale | {"base": _base(page)})
    assert again.status_code == 302
    assert (_quiz(app).pass_percent, _quiz(app).time_limit_seconds) == (55, 2700)


def test_a_stale_save_refused_for_another_reason_stays_stale(
    app, client, auth, content
):
    """A stale tab's save refused for its draw (not as stale) keeps the base it was
    opened with: once the draw is mended, the save is still refused as stale
    instead of overwriting the newer save unseen."""
    auth.login("trainer")
    old = _base(client.get(SETTINGS).get_data(as_text=True))
    assert client.post(SETTINGS, data=_settings(auth, base=old)).status_code == 302
    saved = _quiz(app).content_hash
    bad = _settings(auth, base=old, pass_percent="55", **{"rules-0-bank": "KHONG"})
    page = client.post(SETTINGS, data=bad).get_data(as_text=True)
    assert "đã được lưu ở nơi khác" not in page and _base(page) == old
    mended = _settings(auth, base=_base(page), pass_percent="55")
    refused = client.post(SETTINGS, data=mended).get_data(as_text=True)
    assert "đã được lưu ở nơi khác" in refused
    assert _quiz(app).content_hash == saved


def test_preview_runs_the_real_flow_and_records_nothing(app, client, auth, content):
    auth.login("trainer")
    token = auth.token(SETTINGS)
    response = client.post("/authoring/quizzes/Q/preview", data={"csrf_token": token})
    attempt_url = response.headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    assert "Đang xem thử" in page and "Nộp bài" in page
    attempt_id = int(attempt_url.rsplit("/", 1)[1])
    saved = client.post(
        page.split('data-answer-url="')[1].split('"')[0],
        data={
            "t": page.split('data-token="')[1].split('"')[0],
            "position": 1,
            "choice": 0,
        },
    )
    assert saved.status_code == 200 and saved.json["saved"] is True
    submit = client.post(f"{attempt_url}/submit", data={"csrf_token": token})
    assert submit.status_code == 302
    result = client.get(submit.headers["Location"]).get_data(as_text=True)
    assert "Đang xem thử" in result
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.preview and attempt.state == "finished"
        trainer = db.session.scalar(select(User).where(User.username == "trainer"))
        assert (
            db.session.scalar(
                select(func.count(TrainingRecord.id)).where(
                    TrainingRecord.user_id == trainer.id,
                    TrainingRecord.best_percent.is_not(None),
                )
            )
            == 0
        )
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "Q"))
        assert statistics.attempt_count(quiz) == 0
        assert statistics.item_statistics(quiz) == []
    again = client.post("/authoring/quizzes/Q/preview", data={"csrf_token": token})
    assert again.status_code == 302  # a second preview replaces the first
    with app.app_context():  # the finished preview is gone; one fresh, open one
        (only,) = db.session.scalars(select(Attempt)).all()
        assert only.preview and only.state == "open"


def test_a_bank_outside_the_scope_cannot_be_drawn_from(app, client, auth, content):
    _copied_bank(app, "XC", "C", 1)  # a bank of unit C, outside the trainer's D
    auth.login("trainer")
    before = _quiz(app)
    response = client.post(SETTINGS, data=_settings(auth, **{"rules-0-bank": "XC"}))
    assert "không có ngân hàng “XC” trong phạm vi của bạn" in response.get_data(
        as_text=True
    )
    assert _quiz(app).draw_rules == before.draw_rules


def _copied_bank(app, code: str, unit_code: str, size: int) -> None:
    """Bank `code` of unit `unit_code` with `size` active questions (copies of S1)."""
    from app.accounts.models import Unit
    from app.content.sync_quizzes import upsert_question
    from app.content.sync_rules import SyncResult
    from app.content.transfer import version_to_data
    from app.quizzes.models import QuestionBank

    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        bank = QuestionBank(code=code, title=f"Ngân hàng {code}", owner_unit_id=unit.id)
        db.session.add(bank)
        db.session.flush()
        s1 = db.session.scalar(select(Question).where(Question.code == "S1"))
        for n in range(size):
            data = version_to_data(f"{code}-{n}", s1.current_version)
            upsert_question(bank, data, SyncResult())
        db.session.commit()


def test_a_draw_of_more_rules_than_rows_keeps_every_rule(app, client, auth, content):
    """A quiz file may have more draw rules than the form's empty rows: the form
    shows each, and saving keeps them all (rules past the 12th were dropped)."""
    _copied_bank(app, "BIG", "D", 14)
    rules = [{"count": 1, "bank": "BIG", "tag": None}] * 14
    with app.app_context():
        db.session.scalar(select(Quiz).where(Quiz.code == "Q")).draw_rules = rules
        db.session.commit()
    auth.login("trainer")
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'name="rules-13-count" type="number" value="1"' in page
    fields = {"rules-0-count": None, "rules-0-bank": None, "rules-1-count": None}
    fields |= {"rules-1-tag": None}
    for n in range(14):
        fields |= {f"rules-{n}-count": "1", f"rules-{n}-bank": "BIG"}
    response = client.post(SETTINGS, data=_settings(auth, **fields))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _quiz(app).draw_rules == rules


def test_scope(app, client, auth, content):
    auth.login("outsider")
    assert client.get(SETTINGS).status_code == 404
    assert client.get("/authoring/quizzes/Q/statistics").status_code == 404
    assert client.get("/authoring/quizzes/Q/statistics.csv").status_code == 404


# --- statistics on a fixed data set -----------------------------------------------
#
# Five finished attempts of three questions (S1, S2: single; M1: multiple), marks
# set directly. Item marks x and attempt totals T:
#
#   attempt   S1  S2  M1   T
#      1       1   1   1   3
#      2       1   0   1   2
#      3       1   1   0   2
#      4       0   0   0   0
#      5       1   0   0   1
#
# S1: facility 4/5 = 80 %. Rest y = T - x: 2, 1, 1, 0, 0.
#   n=5, Σx=4, Σx²=4, Σy=4, Σy²=6, Σxy=4
#   r = (5·4 − 4·4) / √((5·4 − 16)(5·6 − 16)) = 4 / √(4·14) = 4/√56 = 0.53452
#   discrimination 53.45.
# S2: facility 2/5 = 40 %. y = 2, 2, 1, 0, 1: Σx=2, Σx²=2, Σy=6, Σy²=10, Σxy=3
#   r = (15 − 12) / √((10 − 4)(50 − 36)) = 3/√84 = 0.32733 → 32.73.
# M1: facility 2/5 = 40 %. y = 2, 1, 2, 0, 1: Σx=2, Σy=6, Σy²=10, Σxy=3
#   r = 3/√84 → 32.73 as well.
# Option shares for S1 (correct "b"): chosen b, b, b, a, b → b 80 %, a 20 %, c 0 %.

MARKS = [(1, 1, 1), (1, 0, 1), (1, 1, 0), (0, 0, 0), (1, 0, 0)]


def _fixed_attempts(app):
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "Q"))
        versions = {
            q.code: q.current_version
            for q in db.session.scalars(
                select(Question).where(Question.code.in_(["S1", "S2", "M1"]))
            )
        }
        tree_unit = db.session.scalar(select(User).where(User.username == "learner"))
        from tests.factories import make_user

        for number, marks in enumerate(MARKS, start=1):
            user = make_user(f"hv{number}", tree_unit.unit)
            attempt = Attempt(
                quiz_id=quiz.id,
                user_id=user.id,
                number=1,
                state="finished",
                started_at=utcnow(),
                deadline_at=utcnow(),
                finished_at=utcnow(),
                score=float(sum(marks)),
                max_score=3.0,
                percent=100 * sum(marks) / 3,
                passed=False,
            )
            db.session.add(attempt)
            db.session.flush()
            for position, (code, mark) in enumerate(
                zip(("S1", "S2", "M1"), marks, strict=True), start=1
            ):
                version = versions[code]
                slot = AttemptSlot(
                    attempt_id=attempt.id,
                    position=position,
                    question_version_id=version.id,
                    option_order=[o["key"] for o in version.options],
                )
                db.session.add(slot)
                db.session.flush()
                right = [o["key"] for o in version.options if o["correct"]]
                wrong = [o["key"] for o in version.options if not o["correct"]]
                chosen = right if mark else wrong[:1]
                if code == "S2" and number == 4:
                    continue  # left unanswered: counts as 0, chose nothing
                db.session.add(
                    AttemptAnswer(
                        attempt_id=attempt.id,
                        slot_id=slot.id,
                        selected=chosen,
                        marks=float(mark),
                    )
                )
        db.session.commit()


def test_statistics_equal_hand_computed_values(app, content):
    _fixed_attempts(app)
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "Q"))
        items = {i.code: i for i in statistics.item_statistics(quiz)}
    assert set(items) == {"S1", "S2", "M1"}
    s1, s2, m1 = items["S1"], items["S2"], items["M1"]
    assert s1.responses == 5 and s1.facility == pytest.approx(80.0)
    assert s1.discrimination == pytest.approx(100 * 4 / math.sqrt(56))
    assert s2.facility == pytest.approx(40.0)
    assert s2.discrimination == pytest.approx(100 * 3 / math.sqrt(84))
    assert m1.discrimination == pytest.approx(100 * 3 / math.sqrt(84))
    shares = {o.key: o.percent for o in s1.options}
    assert shares == {
        "a": pytest.approx(20.0),
        "b": pytest.approx(80.0),
        "c": 0.0,
        "d": 0.0,
    }
    s2_shares = {o.key: o.percent for o in s2.options}
    assert sum(s2_shares.values()) == pytest.approx(80.0)  # one left it unanswered
    assert s1.flags == [] and s2.flags == []


def test_flags():
    assert statistics._flags(95.0, 40.0) == ["easy"]
    assert statistics._flags(10.0, 40.0) == ["hard"]
    assert statistics._flags(50.0, -12.0) == ["negative"]
    assert statistics._flags(50.0, 10.0) == ["weak"]
    assert statistics._flags(None, None) == []


def test_statistics_page_and_csv(app, client, auth, content):
    _fixed_attempts(app)
    auth.login("trainer")
    page = client.get("/authoring/quizzes/Q/statistics").get_data(as_text=True)
    assert "5 lượt làm bài" in page and "0,53" in page and "80,0\u00a0%" in page
    csv = client.get("/authoring/quizzes/Q/statistics.csv")
    assert csv.headers["Content-Type"].startswith("text/csv")
    text = csv.get_data(as_text=True)
    assert text.startswith("\ufeffMã câu,") and "S1,Một đáp án đúng" in text
    assert "B* 80.0" in text and ",0.53," in text and "53.5" not in text
    assert "Chỉ số phân biệt" in text and "Chỉ số phân loại" not in text
    with app.app_context():
        assert db.session.scalar(select(func.count(QuestionVersion.id))) == 6


def test_each_version_of_a_question_has_its_own_row(app, content):
    _fixed_attempts(app)
    with app.app_context():
        from dataclasses import replace

        from app.content.sync_quizzes import upsert_question
        from app.content.sync_rules import SyncResult
        from app.content.transfer import version_to_data

        s1 = db.session.scalar(select(Question).where(Question.code == "S1"))
        data = version_to_data("S1", s1.current_version, as_file=True)
        upsert_question(s1.bank, replace(data, stem="Đề đã sửa?"), SyncResult())
        db.session.commit()
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "Q"))
        learner = db.session.scalar(select(User).where(User.username == "hv1"))
        attempt = Attempt(
            quiz_id=quiz.id,
            user_id=learner.id,
            number=2,
            state="finished",
            started_at=utcnow(),
            deadline_at=utcnow(),
            score=1.0,
            max_score=1.0,
        )
        db.session.add(attempt)
        db.session.flush()
        slot = AttemptSlot(
            attempt_id=attempt.id,
            position=1,
            question_version_id=s1.current_version_id,
            option_order=["a", "b", "c", "d"],
        )
        db.session.add(slot)
        db.session.flush()
        db.session.add(
            AttemptAnswer(
                attempt_id=attempt.id, slot_id=slot.id, selected=["b"], marks=1.0
            )
        )
        db.session.commit()
        rows = [
            (i.code, i.version, i.responses) for i in statistics.item_statistics(quiz)
        ]
    assert ("S1", 1, 5) in rows and ("S1", 2, 1) in rows


def test_statistics_csv_follows_the_separator_chosen_for_any_csv(
    app, client, auth, content
):
    """ ";" chosen once (the dashboard's records export sets the cookie,
    tests/reports/test_csv_separator.py): the statistics CSV is then separated by
    ";" with decimal commas, as Excel under Vietnamese settings reads them; the
    page offers the same choice, and "," asked for here is remembered in turn."""
    _fixed_attempts(app)
    auth.login("trainer")
    client.set_cookie("vhcv_csv_sep", ";")
    page = client.get("/authoring/quizzes/Q/statistics").get_data(as_text=True)
    assert '<select id="csv-sep" name="sep">' in page
    assert '<option value=";" selected>' in page
    response = client.get("/authoring/quizzes/Q/statistics.csv")
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True)[1:]), delimiter=";")
    )
    header = rows[0]
    assert header[5:7] == ["Chỉ số độ dễ (%)", "Chỉ số phân biệt"]
    s1 = next(r for r in rows if r[0] == "S1")
    assert s1[1] == "Một đáp án đúng"
    assert (s1[5], s1[6]) == ("80,0", "0,53")
    assert "B* 80,0" in s1[7]
    comma = client.get("/authoring/quizzes/Q/statistics.csv?sep=,")
    assert comma.get_data(as_text=True).startswith("\ufeffMã câu,Loại,")
    assert comma.headers["Set-Cookie"].startswith("vhcv_csv_sep=")
    again = client.get("/authoring/quizzes/Q/statistics.csv").get_data(as_text=True)
    assert again.startswith("\ufeffMã câu,Loại,")  # "," remembered now


def test_flag_labels_follow_the_screen_language(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        assert str(statistics.FLAG_LABELS["easy"]) != "quá dễ"
