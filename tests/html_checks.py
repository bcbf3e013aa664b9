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


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
VOID |= {"source", "track", "wbr"}


class _Forms(HTMLParser):
    """Each form's submit buttons in document order (by the form's id, else its
    place), and each label's text without its aria-hidden parts (by its `for`)."""

    def __init__(self):
        super().__init__()
        self.submits: dict[str, list[dict]] = {}
        self.labels: dict[str, str] = {}
        self.form: str | None = None
        self.label: str | None = None
        self.open: list[str] = []  # the elements open inside the label
        self.hidden_at: int | None = None  # where in `open` an aria-hidden began

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = attrs.get("id") or f"form {len(self.submits) + 1}"
            self.submits[self.form] = []
        elif self.form and _is_submit(tag, attrs):
            self.submits[self.form].append(attrs)
        if tag == "label" and attrs.get("for"):
            self.label, self.open = attrs["for"], []
            self.labels[self.label] = ""
        elif self.label and tag not in VOID:
            if attrs.get("aria-hidden") == "true" and self.hidden_at is None:
                self.hidden_at = len(self.open)
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "label":
            self.label = None
        elif self.label and self.open:
            self.open.pop()
            if self.hidden_at is not None and len(self.open) <= self.hidden_at:
                self.hidden_at = None

    def handle_data(self, data):
        if self.label and self.hidden_at is None:
            self.labels[self.label] += data


def _is_submit(tag: str, attrs: dict) -> bool:
    if tag == "button":
        return attrs.get("type", "submit") == "submit"
    return tag == "input" and attrs.get("type") in ("submit", "image")


def first_submits(html: str) -> dict[str, dict]:
    """The attributes of each form's first submit button: the one Enter in any of
    its fields presses (forms without one left out)."""
    parser = _Forms()
    parser.feed(html)
    return {form: buttons[0] for form, buttons in parser.submits.items() if buttons}


def label_texts(html: str) -> dict[str, str]:
    """The text of each `<label for>` by the id it names, spaces folded: what a
    screen reader reads (its visually hidden parts in, its aria-hidden ones out)."""
    parser = _Forms()
    parser.feed(html)
    return {target: " ".join(text.split()) for target, text in parser.labels.items()}
