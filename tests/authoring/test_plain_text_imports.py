"""Aiken and Word files are plain text: what a cadre reads is what the file says.
Markdown's marks in a question, an option or an explanation show as written on the
learner preview (the attempt page's markup), no emphasis, list, heading, link or
character reference made of them; and the bank's exports read back the same."""

import html
import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from app.content.banks import parse_bank
from app.content.gift import parse_gift
from app.content.transfer import version_to_data
from app.content.writer import bank_text
from app.extensions import db
from app.quizzes.models import Question
from app.quizzes.questions import BankData
from tests.authoring.helpers import make_authoring, upload_questions
from tests.factories import docx_of

BANK = "/authoring/banks/B1"

STEMS = [
    "Điều 5 * khoản 2 _ điểm a, **không** đậm",
    "1. Theo Quyết định 1847",
    "# 3",
    "Xem [x](https://evil.example) và <https://evil.example> hay <a@b.vn>",
    "1 < 2 và 3 > 2, <b>đậm?</b> &copy; &#65; A&B",
    "- gạch đầu dòng | ô bảng | `mã` \\ {#id}",
]
OPTIONS = ["* một *", "2) hai", "> ba", "_bốn_", "!!! note", "[5]: /nam"]
EXPLANATION = "+ Điểm 1 __quan trọng__\n\n=="
FORBIDDEN = re.compile(r"<(?:em|strong|a|h\d|li|ol|ul|code|blockquote|table|img)\b")


@pytest.fixture
def content(app, tmp_path):
    return make_authoring(app, tmp_path)


def _text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, words joined."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _import(client, auth, data: bytes, name: str, fmt: str) -> None:
    preview = upload_questions(client, auth, data, name, fmt)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    action = re.search(r'action="(/authoring/banks/B1/upload/[^"]+)"', page)
    done = client.post(action.group(1), data={"csrf_token": auth.token(BANK)})
    assert done.status_code == 302


def _imported(app) -> list[int]:
    """The ids of the questions the uploads made, in code order."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(Question.id)
                .where(Question.code.like("B1-%"))
                .order_by(Question.code)
            )
        )


def _preview(client, question_id: int) -> tuple[str, str, str]:
    """(learner preview, trainer's answers, explanation) of the editor page."""
    page = client.get(f"/authoring/questions/{question_id}").get_data(as_text=True)
    after = page.split('class="learner-preview"')[1]
    learner, answers = after.split('aria-labelledby="answers-heading"')
    explanation = answers.split('<div class="prose">')[1].split("</div>")[0]
    return learner, answers.split("</section>")[0], explanation


def _shows_as_written(client, question_id, stem: str, explanation: str = ""):
    learner, answers, shown = _preview(client, question_id)
    assert not FORBIDDEN.search(learner), learner
    assert not FORBIDDEN.search(shown), shown
    assert " ".join(stem.split()) in _text(learner)
    for option in OPTIONS:
        assert option in _text(learner) and option in _text(answers)
    assert _text(shown) == " ".join(explanation.split())
    return answers


def _aiken() -> str:
    blocks = []
    for stem in STEMS:
        lines = [stem] + [f"{chr(65 + i)}. {o}" for i, o in enumerate(OPTIONS)]
        blocks.append("\n".join([*lines, "ANSWER: B"]))
    return "\n\n".join(blocks) + "\n"


def test_aiken_marks_show_as_written(app, client, auth, content):
    auth.login("trainer")
    _import(client, auth, _aiken().encode(), "t.txt", "aiken")
    rows = _imported(app)
    assert len(rows) == len(STEMS)
    for question_id, stem in zip(rows, STEMS, strict=True):
        _shows_as_written(client, question_id, stem)


def _word() -> list[str]:
    lines = []
    for number, stem in enumerate(STEMS, start=1):
        lines.append(f"Câu {number}. {stem}")
        lines += [f"{chr(65 + i)}. {o}" for i, o in enumerate(OPTIONS)]
        lines += ["Đáp án: A, C", *f"Giải thích: {EXPLANATION}".split("\n\n")]
        lines += ["Nguồn: Điều 5 * khoản 2", "Chủ đề: phap-ly"]
    return lines


def test_word_marks_show_as_written(app, client, auth, content):
    auth.login("trainer")
    _import(client, auth, docx_of(_word()), "cau-hoi.docx", "auto")
    rows = _imported(app)
    assert len(rows) == len(STEMS)
    for question_id, stem in zip(rows, STEMS, strict=True):
        answers = _shows_as_written(client, question_id, stem, EXPLANATION)
        assert "Điều 5 * khoản 2" in _text(answers)  # the source, plain text


def _stored(app) -> list:
    """The imported questions' current versions: (number, data) in code order."""
    with app.app_context():
        return [
            (
                q.current_version.number,
                version_to_data(q.code, q.current_version, as_file=True),
            )
            for q in db.session.scalars(
                select(Question)
                .where(Question.code.like("B1-%"))
                .order_by(Question.code)
            )
        ]


def _texts(question) -> tuple:
    """What a cadre reads of a question (a GIFT export writes the weights of a
    multiple-answer question's options, which the import had left implicit)."""
    return (
        question.stem,
        tuple(o.text for o in question.options),
        question.explanation,
        question.source,
    )


def test_exports_of_imported_plain_text_read_back_the_same(app, client, auth, content):
    auth.login("trainer")
    _import(client, auth, _aiken().encode(), "t.txt", "aiken")
    _import(client, auth, docx_of(_word()), "cau-hoi.docx", "auto")
    versions = _stored(app)
    stored = [data for _, data in versions]
    assert len(stored) == 2 * len(STEMS)
    gift = client.get(f"{BANK}/export.gift").get_data(as_text=True)
    again = {q.code: replace(q, line=0, category="") for q in parse_gift(gift, "B1")}
    assert [_texts(again[q.code]) for q in stored] == [_texts(q) for q in stored]
    # The Word questions have an explanation and a source: a bank file holds them.
    word = stored[len(STEMS) :]
    text = bank_text(BankData(code="B1", title="Ngân hàng", questions=word))
    parsed, problems = parse_bank(text, "B1.md")
    assert problems == []
    assert [replace(q, line=0) for q in parsed.questions] == word
    # Importing the GIFT export back keeps every text; the single-answer (Aiken)
    # questions get no new version.
    _import(client, auth, gift.encode(), "B1.gift", "gift")
    after = _stored(app)
    assert [_texts(q) for _, q in after] == [_texts(q) for q in stored]
    assert after[: len(STEMS)] == versions[: len(STEMS)]


def test_the_upload_preview_and_the_bank_list_show_the_text_as_written(
    app, client, auth, content
):
    """The staff's lists show a question's text as text: the escapes that keep it
    plain on the learner's page (a backslash, a character reference) are not
    shown to the trainer."""
    auth.login("trainer")
    preview = upload_questions(client, auth, _aiken().encode(), "t.txt", "aiken")
    page = html.unescape(preview.get_data(as_text=True))
    for text in [*STEMS[:3], *OPTIONS]:
        assert text in page, text
    assert "\\*" not in page and "&copy;" in page and "1\\." not in page
    action = re.search(r'action="(/authoring/banks/B1/upload/[^"]+)"', page)
    client.post(action.group(1), data={"csrf_token": auth.token(BANK)})
    listed = html.unescape(client.get(BANK).get_data(as_text=True))
    assert STEMS[0] in listed and "\\*" not in listed
    first = _imported(app)[0]
    versions = client.get(f"/authoring/questions/{first}/versions")
    shown = html.unescape(versions.get_data(as_text=True))
    assert STEMS[0] in shown and "\\*" not in shown


def test_as_plain_reads_back_what_the_importers_escaped():
    """The staff's lists and the statistics CSV show app.markdown.as_plain of the
    stored text: exactly the text the file had (its lines' leading spaces aside),
    for every mark the escaper guards; a lazy label (true/false) is read as text."""
    from flask_babel import lazy_gettext

    from app.content.gift_syntax import as_markdown
    from app.markdown import as_plain

    for text in [*STEMS, *OPTIONS, EXPLANATION, "a \\ b", "x\n===", "&amp; &#65;"]:
        assert as_plain(as_markdown(text)) == text
    assert as_plain("**đậm** của người soạn") == "**đậm** của người soạn"
    assert as_plain(lazy_gettext("Đúng")) == "Đúng"
