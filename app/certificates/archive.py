"""A ZIP of certificates' PDFs, streamed: memory holds one PDF at a time."""

import io
import zipfile
from collections.abc import Iterable, Iterator

from app.accounts.models import Unit
from app.records.models import Campaign, Certificate
from app.timeutil import to_vn

from .services import pdf_bytes, pdf_filename


class _Sink(io.RawIOBase):
    """A write-only stream that keeps what was written until it is taken."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def zip_chunks(certificates: Iterable[Certificate]) -> Iterator[bytes]:
    """A ZIP of one PDF per certificate, yielded as each file is added: memory
    holds one PDF at a time, however many certificates there are. PDFs are
    already compressed, so entries are stored."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            stamp = to_vn(certificate.issued_at).timetuple()[:6]
            entry = zipfile.ZipInfo(pdf_filename(certificate), date_time=stamp)
            archive.writestr(entry, pdf_bytes(certificate))
            yield sink.take()
    yield sink.take()


def zip_filename(campaign: Campaign, root: Unit) -> str:
    return f"Giấy chứng nhận {campaign.code} - {root.name}.zip"
