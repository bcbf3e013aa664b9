"""A Moodle XML tag that no GIFT file can hold (<, >, ` or a line break) is refused
at import, with its line: taken in, it made the bank's GIFT export fail (500).
(A GIFT file's own [tag:…] cannot hold those characters.)"""

import io
import re

import pytest

from app.content.gift_syntax import tag_fits
from app.content.moodle_xml import parse_moodle_xml
from app.content.problems import ConversionError
from tests.authoring.helpers import make_authoring
from tests.content.test_moodle import _xml

TRUEFALSE = (
    '<question type="truefalse">\n<name><text>Q</text></name>\n'
    '<questiontext format="html"><text>Hỏi?</text></questiontext>\n'
    '<answer fraction="100"><text>true</text></answer>\n'
    '<answer fraction="0"><text>false</text></answer>\n'
    "<tags><tag><text>{tag}</text></tag></tags>\n</question>"
)


@pytest.mark.parametrize("tag", ["a&lt;b", "a&gt;b", "a`b", "hai\ndòng"])
def test_a_moodle_xml_tag_no_gift_file_can_hold_is_refused(app, tag):
    with pytest.raises(ConversionError) as caught, app.test_request_context():
        parse_moodle_xml(_xml(TRUEFALSE.format(tag=tag)), "T", limit=100_000)
    (problem,) = [str(p) for p in caught.value.problems]
    assert re.match(r"dòng [78]: câu 1 «Q»: nhãn «", problem)  # the <tag>'s line
    assert "không được chứa <, >, ` hay xuống dòng" in problem


def test_the_upload_refuses_it_and_the_bank_still_exports(app, client, auth, tmp_path):
    make_authoring(app, tmp_path)
    auth.login("trainer")
    page = client.get("/authoring/banks/B1/upload").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = _xml(TRUEFALSE.format(tag="a&lt;b"))
    refused = client.post(
        "/authoring/banks/B1/upload",
        data={
            "csrf_token": token,
            "format": "auto",
            "file": (io.BytesIO(data), "q.xml"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "nhãn «a&lt;b» không dùng được" in refused.get_data(as_text=True)
    assert client.get("/authoring/banks/B1/export.gift").status_code == 200


def test_a_tag_with_vietnamese_letters_and_spaces_fits():
    assert tag_fits("Văn hóa công vụ") and tag_fits("a-b_c.d")
    assert not tag_fits(" ") and not tag_fits("a\tb")


def test_a_bank_holding_such_a_tag_from_before_says_why_it_cannot_export(
    app, client, auth, tmp_path
):
    """Data taken in before the import refused such tags: the export says which
    question and why, on the bank's page, instead of failing (500)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.quizzes.models import Question, QuestionBank

    make_authoring(app, tmp_path)
    with app.app_context():
        bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "B1"))
        question = db.session.scalars(
            select(Question).where(Question.bank_id == bank.id)
        ).first()
        version = question.current_version
        version.tags = [*version.tags, "a<b"]
        db.session.commit()
        code = question.code
    auth.login("trainer")
    answer = client.get("/authoring/banks/B1/export.gift")
    assert answer.status_code == 302 and answer.location.endswith("/authoring/banks/B1")
    page = client.get(answer.location).get_data(as_text=True)
    assert "Chưa xuất được tệp GIFT" in page and code in page
