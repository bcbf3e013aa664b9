"""A job's messages kept as their parts: the project's lazy messages (app.errors)
say their catalogue entry and values publicly, and the parts a job keeps are read
from them, never from a library's private attributes."""

import re
from pathlib import Path

from flask_babel import force_locale

from app.errors import DomainError, lazy_gettext, lazy_join, lazy_ngettext
from app.jobs import messages

APP = Path(__file__).resolve().parents[2] / "app"


def test_a_lazy_message_says_its_entry_and_values(ctx):
    message = lazy_gettext("Không có đợt bồi dưỡng “%(code)s”.", code="X9")
    assert (message.msgid, message.plural, message.values) == (
        "Không có đợt bồi dưỡng “%(code)s”.",
        None,
        {"code": "X9"},
    )
    assert str(message) == "Không có đợt bồi dưỡng “X9”."
    with force_locale("en"):
        assert str(message) == "There is no campaign “X9”."
    counted = lazy_ngettext("Đã xuất %(n)s dòng.", "Đã xuất %(n)s dòng.", 2, n=2)
    assert (counted.plural, counted.num, counted.values) == (
        "Đã xuất %(n)s dòng.",
        2,
        {"n": 2},
    )
    with force_locale("en"):
        assert str(counted) == "Exported 2 rows."
    joined = lazy_join(["a.csv:", message], "")
    assert joined.separator == "" and joined.parts[1] is message


def test_a_message_kept_as_parts_renders_again_in_another_language(ctx):
    said = lazy_join(
        [
            "list.csv:",
            lazy_ngettext("Đã xuất %(n)s dòng.", "Đã xuất %(n)s dòng.", 3, n=3),
            lazy_gettext("Không có đợt bồi dưỡng “%(code)s”.", code="X9"),
        ]
    )
    kept = messages.parts(DomainError(said))
    assert (
        messages.render(kept)
        == "list.csv: Đã xuất 3 dòng. Không có đợt bồi dưỡng “X9”."
    )
    with force_locale("en"):
        assert (
            messages.render(kept)
            == "list.csv: Exported 3 rows. There is no campaign “X9”."
        )
    assert messages.parts("Đã xong.") is None


def test_a_lazy_message_is_the_projects_own_and_read_through_its_public_parts():
    """A flask-babel lazy string keeps its entry and values in private attributes:
    a message made with it could not be kept as parts without reading them (and
    would break with the library's next version), so app/ makes its lazy messages
    with app.errors' helpers, and reads no private attribute of one."""
    library = re.compile(
        r"from flask_babel import .*\blazy_n?gettext\b|\bspeaklater\b.*import.*_"
    )
    private = re.compile(r"\._(?:args|kwargs|func)\b")
    found = []
    for path in sorted(APP.rglob("*.py")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            where = f"{path.relative_to(APP)}:{number}: {line.strip()}"
            if private.search(line):
                found.append(where)
            elif library.search(line) and path.name != "errors.py":
                found.append(where)
    assert found == []


def test_a_title_cut_when_stored_is_still_shown_in_the_readers_language(ctx):
    """A title is stored cut to TITLE_LENGTH and its parts whole: the parts are
    still that title's (they were shown only when they rendered to the stored
    text exactly, so a long one was always Vietnamese)."""
    from app.jobs.models import TITLE_LENGTH

    title = lazy_gettext("Báo cáo năm %(y)s — %(u)s", y=2026, u="Phòng Nội vụ " * 40)
    stored, parts = messages.stored(title)[:TITLE_LENGTH], messages.parts(title)
    assert len(messages.stored(title)) > TITLE_LENGTH
    with force_locale("en"):
        shown = messages.in_readers_language(stored, parts, TITLE_LENGTH)
    assert shown.startswith("Annual report 2026 — Phòng Nội vụ")
    other = lazy_gettext("Báo cáo năm %(y)s — %(u)s", y=2025, u="Phòng Nội vụ " * 40)
    with force_locale("en"):  # parts of another title: the stored text
        assert messages.in_readers_language(stored, messages.parts(other), 300) == (
            stored
        )
