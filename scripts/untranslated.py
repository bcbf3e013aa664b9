"""List the English catalogue's messages that are untranslated or fuzzy.

    python scripts/untranslated.py [--json]

Run after `make translations` (pybabel extract + update). Exit status 1 when any is
left, so `make translations-check` fails until each has a good English msgstr (and
no "fuzzy" flag); then `pybabel compile -d app/translations`.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).parent.parent / "app/translations/en/LC_MESSAGES/messages.po"


def missing(path: Path = CATALOGUE) -> list:
    with path.open("rb") as po:
        catalog = read_po(po)
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        if message.fuzzy or not all(strings):
            found.append(message)
    return found


def main() -> int:
    found = missing()
    if "--json" in sys.argv:
        print(json.dumps([m.id for m in found], ensure_ascii=False, indent=1))
    else:
        for message in found:
            where = ", ".join(f"{p}:{n}" for p, n in message.locations[:2])
            flag = "fuzzy" if message.fuzzy else "empty"
            print(f"[{flag}] {message.id!r}  ({where})")
        print(f"{len(found)} untranslated or fuzzy", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
