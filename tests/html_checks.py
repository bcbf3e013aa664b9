"""Checks of a page's HTML that any test can run on what it fetched."""

from collections import Counter
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: Counter = Counter()
        self.label_targets: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        if tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])


def id_faults(html: str) -> set[str]:
    """The ids a page uses more than once (a label's `for`, a skip link and
    assistive technology find only the first), and labels for an id it lacks."""
    parser = _Ids()
    parser.feed(html)
    twice = {f"id {name} twice" for name, count in parser.ids.items() if count > 1}
    return twice | {
        f"label for missing {t}" for t in parser.label_targets - set(parser.ids)
    }
