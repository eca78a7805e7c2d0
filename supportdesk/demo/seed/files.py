"""The few real files behind the bench data set's attachment rows.

Attachment rows point at files in the storage; writing one file per row would spend the load's
time and disk on bytes nobody looks at. Instead a handful of small real files (a screenshot, a
photo, an invoice, a log) are stored once, under a name derived from their content, and every
attachment row of a kind shares its file: downloads work and sizes and checksums are true.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from functools import cache, cached_property

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

# Under the product's attachments folder, apart from the uploads (attachments/YYYY/MM/…).
FOLDER = "attachments/bench"


@dataclass(frozen=True)
class SampleFile:
    key: str
    filename: str  # a str.format pattern; {n} is a number, {invoice} the ticket's invoice
    content_type: str
    data: bytes

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def path(self) -> str:
        return f"{FOLDER}/{self.sha256[:2]}/{self.sha256}"


def _png(width: int, height: int, shade: int) -> bytes:
    """A grey-scale PNG: a soft diagonal gradient with a darker band, like a cropped screenshot."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        band = 40 if height // 3 < y < height // 3 + 24 else 0
        rows.extend(max(0, min(255, shade + (x + y) // 8 - band)) for x in range(width))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` in Helvetica (ASCII text)."""
    text = "BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode()),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _log() -> bytes:
    lines = [
        f"2026-01-{day:02d}T09:{minute:02d}:{second:02d}Z GET /v2/devices?page={page} "
        f"status={500 if (day + minute) % 5 == 0 else 200} duration_ms={120 + (minute * 37) % 900}"
        for day in range(5, 9)
        for minute in range(0, 60, 3)
        for second, page in ((7, 1), (41, 2))
    ]
    return ("\n".join(lines) + "\n").encode()


@cache
def sample_files() -> dict[str, SampleFile]:
    """The sample files by key (built on first use: the images take a moment)."""
    return {
        sample.key: sample
        for sample in (
            SampleFile("screenshot", "Screenshot {n}.png", "image/png", _png(480, 300, 150)),
            SampleFile("photo", "IMG_{n}.png", "image/png", _png(640, 480, 90)),
            SampleFile(
                "invoice",
                "{invoice}.pdf",
                "application/pdf",
                _pdf(
                    [
                        "Brightleaf Inc.",
                        "Invoice",
                        "Smart-home devices and Brightleaf Plus",
                        "Total due: see order",
                    ]
                ),
            ),
            SampleFile("log", "api-errors-{n}.log", "text/plain", _log()),
        )
    }


def store_sample_files(storage: Storage) -> int:
    """Write the sample files into `storage` (once: they are named by their content). Returns
    the bytes they take."""
    for sample in sample_files().values():
        if not storage.exists(sample.path):
            stored = storage.save(sample.path, ContentFile(sample.data))
            if stored != sample.path:  # the storage would only rename a file that appeared meanwhile
                storage.delete(stored)
    return sum(sample.size for sample in sample_files().values())
