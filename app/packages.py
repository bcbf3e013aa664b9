"""Office files (.xlsx, .docx) are ZIP packages: they are measured before a parser
opens them, so that a small upload cannot unpack into gigabytes (a "zip bomb") or
hold a worker for minutes.

Pure functions, no Flask (messages are lazy_gettext, read when shown). The sizes
read are those the archive declares; Python's zipfile never inflates a member past
its declared size (a lying header ends in a CRC error, not in more memory).
"""

import io
import zipfile

from app.errors import lazy_gettext as _l

# The most a package may unpack to, all members together. A 100,000-row cadre list
# unpacks to about 30 MB; a Word question bank of 500 questions to under 2 MB.
MAX_UNPACKED_BYTES = 64_000_000
_CHUNK = 1 << 16


class PackageRefused(ValueError):
    """The package is not measured safe to open; the message says why, read in the
    reader's language (a lazy message: Vietnamese outside a request)."""


def check_unpacked_size(
    data: bytes, limit: int = MAX_UNPACKED_BYTES, part_limit: int | None = None
) -> None:
    """Raise PackageRefused when the ZIP in `data` would unpack to more than
    `limit` bytes, or one of its XML parts (what a parser reads) to more than
    `part_limit` (zipfile.BadZipFile when it is no ZIP archive at all)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    total = sum(member.file_size for member in members)
    if total > limit:
        raise PackageRefused(
            _l(
                "tệp giải nén ra %(size)s MB, quá giới hạn %(limit)s MB; hãy chia "
                "nhỏ tệp",
                size=f"{total / 1e6:.0f}",
                limit=f"{limit / 1e6:.0f}",
            )
        )
    for member in members:
        if part_limit is not None and member.filename.endswith(".xml"):
            if member.file_size > part_limit:
                raise PackageRefused(
                    _l(
                        "phần %(part)s của tệp giải nén ra %(size)s MB, quá giới "
                        "hạn %(limit)s MB; hãy chia nhỏ tệp",
                        part=member.filename,
                        size=f"{member.file_size / 1e6:.0f}",
                        limit=f"{part_limit / 1e6:.0f}",
                    )
                )


def count_elements(data: bytes, member: str, name: bytes, limit: int) -> int:
    """How many elements `name` (b"p", b"row") open in the XML part `member`, with
    any namespace prefix (<w:p …>, <p/>, <x:row>), counted while inflating it chunk
    by chunk, never holding more than a chunk; stops past `limit` (then returns
    limit + 1). 0 when the package has no such part.

    Counted by bytes.count, which allocates nothing per element (a regex scan cost
    seconds on a large part): "<p " "<p>" "<p/" directly; with a prefix, ":p>"
    is both an opening <w:p> and a closing </w:p>, and every opening tag that is
    not self-closing has one closing tag, so the prefixed openings are
    (":p"+space + ":p>") / 2 + ":p/". A malformed part can only miscount by half
    (and then does not parse)."""
    return count_each(data, member, {name: limit})[name]


def count_each(data: bytes, member: str, limits: dict[bytes, int]) -> dict[bytes, int]:
    """count_elements of each name in `limits` (name -> its limit), in one pass
    over the part: it is inflated once, and read until every count is known or
    past its limit."""
    counters = {name: _Counter(name, limit) for name, limit in limits.items()}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            stream = archive.open(member)
        except KeyError:
            return dict.fromkeys(limits, 0)
        with stream:
            while (chunk := stream.read(_CHUNK)) and not all(
                c.done for c in counters.values()
            ):
                for counter in counters.values():
                    counter.feed(chunk)
    return {name: counter.count for name, counter in counters.items()}


class _Counter:
    """One name's count for count_each (the rule is count_elements')."""

    def __init__(self, name: bytes, limit: int) -> None:
        self.plain = [b"<" + name + bytes([post]) for post in b" \t\r\n/>"]
        self.spaced = [b":" + name + bytes([post]) for post in b" \t\r\n"]
        self.closed, self.empty = b":" + name + b">", b":" + name + b"/"
        self.keep = len(name) + 1  # too short to hold a whole needle
        self.limit, self.direct, self.halves, self.tail = limit, 0, 0, b""
        self.done = False

    def feed(self, chunk: bytes) -> None:
        if self.done:
            return
        # A tag cut by the chunk boundary is whole in this window; the tail is too
        # short to hold one counted with the chunk before.
        window = self.tail + chunk
        self.direct += sum(window.count(n) for n in self.plain)
        self.direct += window.count(self.empty)
        self.halves += sum(window.count(n) for n in self.spaced)
        self.halves += window.count(self.closed)
        self.done = self.count > self.limit
        self.tail = window[-self.keep :]

    @property
    def count(self) -> int:
        found = self.direct + self.halves // 2
        return self.limit + 1 if found > self.limit else found


def count_all_elements(data: bytes, limit: int) -> int:
    """How many elements all the parts of the package in `data` hold together,
    counted while inflating chunk by chunk; stops past `limit` (then returns
    limit + 1). Every member is counted, whatever its name or encoding (a parser
    loads the parts its relationships name, UTF-16 ones too); a picture adds about
    one in 256 of its bytes.

    Every element has one start tag, "<" and a name; the other "<" begin an end tag
    "</", a declaration or comment "<!" or an instruction "<?". A "<" inside a
    comment or CDATA counts as one element too many, never one too few."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            with archive.open(member) as stream:
                tail = b""
                while chunk := stream.read(_CHUNK):
                    window = tail + chunk  # a "</" cut by the boundary
                    total += chunk.count(b"<") - _not_elements(window)
                    if total > limit:
                        return limit + 1
                    tail = chunk[-1:]
    return total


def _not_elements(text: bytes) -> int:
    return text.count(b"</") + text.count(b"<!") + text.count(b"<?")


def parts_but(data: bytes, *skipped: str) -> list[str]:
    """Every part of the package in `data` but `skipped`: a reader finds the parts
    it loads through the package's relationships and manifest, which may name any
    member (an .xlsx's sheet need not be under xl/worksheets/), so a bound checked
    on named parts only is no bound."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [name for name in archive.namelist() if name not in skipped]
