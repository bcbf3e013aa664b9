"""Office files (.xlsx, .docx) are ZIP packages: they are measured before a parser
opens them, so that a small upload cannot unpack into gigabytes (a "zip bomb") or
hold a worker for minutes.

Pure functions, no Flask. The sizes read are those the archive declares; Python's
zipfile never inflates a member past its declared size (a lying header ends in a
CRC error, not in more memory).
"""

import io
import zipfile

# The most a package may unpack to, all members together. A 100,000-row cadre list
# unpacks to about 30 MB; a Word question bank of 500 questions to under 2 MB.
MAX_UNPACKED_BYTES = 64_000_000
_CHUNK = 1 << 16


class PackageRefused(ValueError):
    """The package is not measured safe to open; the message says why (Vietnamese)."""


def check_unpacked_size(data: bytes, limit: int = MAX_UNPACKED_BYTES) -> None:
    """Raise PackageRefused when the ZIP in `data` would unpack to more than
    `limit` bytes (zipfile.BadZipFile when it is no ZIP archive at all)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(member.file_size for member in archive.infolist())
    if total > limit:
        raise PackageRefused(
            f"tệp giải nén ra {total / 1e6:.0f} MB, quá giới hạn "
            f"{limit / 1e6:.0f} MB; hãy chia nhỏ tệp"
        )


def count_tags(data: bytes, member: str, tags: tuple[bytes, ...], limit: int) -> int:
    """How many times any of `tags` (e.g. b"<w:p>", b"<w:p ") opens in `member`,
    counted while inflating it chunk by chunk, never holding more than a chunk;
    stops counting past `limit` (the count returned is then limit + 1)."""
    found = 0
    tail = b""
    keep = max(len(t) for t in tags) - 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            stream = archive.open(member)
        except KeyError:
            return 0
        with stream:
            while chunk := stream.read(_CHUNK):
                window = tail + chunk
                # A tag cut by the chunk boundary is whole in this window; one that
                # lies wholly in the tail was counted with the chunk before.
                found += sum(
                    window.count(tag, max(0, len(tail) - len(tag) + 1)) for tag in tags
                )
                tail = window[-keep:] if keep else b""
                if found > limit:
                    return limit + 1
    return found


def sheets(data: bytes) -> list[str]:
    """The worksheet parts of an .xlsx package (its members under xl/worksheets/)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        ]
