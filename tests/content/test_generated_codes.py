"""The codes an import or the editor gives questions a file does not name
(`<bank>-NNN`) always fit Question.code (CODE_MAX, 60): a bank code too long to
leave room for the number is cut to fit, and the numbers go on past any code
with the same start, so no two questions get one code. A bank code longer than
the column is refused with a message, never a database error (run these on
PostgreSQL too: there a value too long for its column is an error)."""

import io
import re

from sqlalchemy import select

from app.accounts.models import Unit
from app.content.problems import CODE_MAX
from app.content.question_editing import next_codes
from app.extensions import db
from app.quizzes.models import Question, QuestionBank
from tests.authoring.helpers import make_authoring

HEAD = "Ngan-hang.cau-hoi.van-hoa-cong-vu.so-noi-vu.tinh-soc-tr"  # 55 characters
LONG_A, LONG_B = HEAD + "ang-A", HEAD + "ang-B"  # 60: the longest bank code
CUT = HEAD + "a"  # 56: what is left of either for "-NNN"
AIKEN = "Hỏi một?\nA. Có\nB. Không\nANSWER: A\n\nHỏi hai?\nA. Có\nB. Không\nANSWER: B\n"


def _codes(app, bank_code: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Question.code)
                .join(QuestionBank)
                .where(QuestionBank.code == bank_code)
                .order_by(Question.id)
            )
        )


def _import(runner, tmp_path, bank_code: str):
    path = tmp_path / "cau-hoi.txt"
    path.write_text(AIKEN, encoding="utf-8")
    return runner.invoke(
        args=["quizzes", "import-aiken", str(path), "--bank", bank_code]
    )


def test_a_bank_code_of_60_gives_codes_that_fit_and_never_repeat(app, runner, tmp_path):
    assert len(HEAD) == 55 and len(LONG_A) == CODE_MAX
    for bank_code in (LONG_A, LONG_B, LONG_A):
        result = _import(runner, tmp_path, bank_code)
        assert result.exit_code == 0, result.output
    first, second = _codes(app, LONG_A), _codes(app, LONG_B)
    assert first == [f"{CUT}-001", f"{CUT}-002", f"{CUT}-005", f"{CUT}-006"]
    assert second == [f"{CUT}-003", f"{CUT}-004"]
    assert {len(code) for code in first + second} == {CODE_MAX}
    # A short bank code is kept whole, as before.
    assert _import(runner, tmp_path, "B").exit_code == 0
    assert _codes(app, "B") == ["B-001", "B-002"]


def test_past_999_the_bank_part_gives_way_to_the_number(app):
    with app.app_context():
        bank = QuestionBank(code=LONG_A, title="T", origin="browser")
        short = QuestionBank(code="S", title="T", origin="browser")
        db.session.add_all([bank, short])
        db.session.flush()
        db.session.add_all(
            [
                Question(code=f"{CUT}-999", bank_id=bank.id),
                Question(code="S-999", bank_id=short.id),
            ]
        )
        db.session.flush()
        assert next_codes(bank, 2) == [f"{HEAD}-1000", f"{HEAD}-1001"]
        assert next_codes(short, 1) == ["S-1000"]
        db.session.rollback()


def test_a_bank_code_longer_than_60_is_refused_by_the_cli(app, runner, tmp_path):
    result = _import(runner, tmp_path, LONG_A + "x")
    assert result.exit_code != 0
    assert "Mã ngân hàng dài quá 60 ký tự (61 ký tự)." in result.output
    with app.app_context():
        assert db.session.scalar(select(QuestionBank.id)) is None


def test_the_browser_imports_into_a_bank_of_60_and_refuses_61(
    app, client, auth, tmp_path
):
    make_authoring(app, tmp_path)
    auth.login("trainer")
    token = auth.token("/authoring/banks/new")
    with app.app_context():
        owner = db.session.scalar(select(Unit.id).where(Unit.code == "D"))
    new = {"csrf_token": token, "title": "Ngân hàng dài", "owner": owner}
    made = client.post("/authoring/banks/new", data={**new, "code": LONG_A})
    assert made.headers["Location"].endswith(f"/authoring/banks/{LONG_A}")
    refused = client.post("/authoring/banks/new", data={**new, "code": LONG_A + "x"})
    assert refused.status_code == 200
    assert "60" in refused.get_data(as_text=True)
    bank = f"/authoring/banks/{LONG_A}"
    preview = client.post(
        f"{bank}/upload",
        data={
            "csrf_token": auth.token(f"{bank}/upload"),
            "format": "aiken",
            "file": (io.BytesIO(AIKEN.encode()), "t.txt"),
        },
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and f"{CUT}-002" in page
    action = re.search(r'action="(/authoring/banks/[^"]+/upload/[^"]+)"', page)
    done = client.post(action.group(1), data={"csrf_token": auth.token(bank)})
    assert done.status_code == 302
    assert _codes(app, LONG_A) == [f"{CUT}-001", f"{CUT}-002"]
    editor = client.get(f"{bank}/questions/new").get_data(as_text=True)
    assert f"{CUT}-003" in editor
