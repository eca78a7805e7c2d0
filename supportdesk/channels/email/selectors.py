"""Reads for the email channel's settings pages: mailboxes, the quarantine, recent mail, and a
cheap look at a stored raw message (its headers and the start of its text) that never parses
more than a bounded prefix, so a 40 MB message or a broken one cannot slow or crash a page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.errors import HeaderParseError, MessageError
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses
from typing import Any

from django.db.models import QuerySet

from supportdesk.channels.email.choices import InboundStatus
from supportdesk.channels.email.models import InboundEmail, Mailbox
from supportdesk.core.pagination import Page, SortKey, paginate

# Headers are read from this much of the raw file, at most; real headers are a few kilobytes.
HEAD_BYTES = 64 * 1024
PREVIEW_BYTES = 20 * 1024
MAX_HEADERS_SHOWN = 200
DETAILS_CHARS = 20_000
UNKNOWN = "—"
QUARANTINE_ORDER = (SortKey("received_at"), SortKey("id"))
# Recent mail of every status: by id, which is the arrival order and the primary key's index.
RECENT_ORDER = (SortKey("id"),)


def mailbox_list(limit: int) -> list[Mailbox]:
    """Mailboxes by name with their group (one query), at most `limit` + 1 so the page can say
    the list was cut."""
    return list(Mailbox.objects.select_related("group").order_by("name", "id")[: limit + 1])


def mailbox_choices() -> list[tuple[int, str]]:
    """(id, "name <address>") of every mailbox, for filter boxes."""
    return [
        (pk, f"{name} <{address}>")
        for pk, name, address in Mailbox.objects.order_by("name", "id").values_list(
            "id", "name", "email_address"
        )
    ]


def quarantine_page(*, mailbox_id: int | None, cursor: str | None, size: int) -> Page[InboundEmail]:
    """Quarantined emails, newest first, optionally of one mailbox; one query, served by the
    (status, received_at, id) index. A bad cursor raises ValidationFailed."""
    emails = InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).select_related("mailbox")
    if mailbox_id is not None:
        emails = emails.filter(mailbox_id=mailbox_id)
    return paginate(emails, QUARANTINE_ORDER, cursor, size)


def recent_page(*, cursor: str | None, size: int) -> Page[InboundEmail]:
    """Every received email, latest first, whatever became of it; one query."""
    return paginate(InboundEmail.objects.select_related("mailbox"), RECENT_ORDER, cursor, size)


def quarantine_count() -> int:
    return InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).count()


def inbound_emails() -> QuerySet[InboundEmail]:
    return InboundEmail.objects.select_related("mailbox", "ticket")


# -- a bounded look at the raw message -----------------------------------------------------------


@dataclass
class RawGlance:
    """What the first bytes of a stored message say: sender and subject decoded for people,
    every header (name, decoded value), and the start of the body as text. `readable` is False
    when the file is missing or its headers could not be read."""

    readable: bool = False
    sender: str = UNKNOWN
    subject: str = UNKNOWN
    headers: list[tuple[str, str]] = field(default_factory=list)
    body_start: str = ""
    truncated: bool = False


def _read_start(inbound: InboundEmail, limit: int) -> bytes | None:
    if not inbound.raw or not inbound.raw.name:
        return None
    try:
        with inbound.raw.storage.open(inbound.raw.name, "rb") as handle:
            return handle.read(limit)
    except (OSError, ValueError):
        return None


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    """(header block, what follows the blank line); all header when no blank line was read."""
    positions = [(data.find(mark), mark) for mark in (b"\r\n\r\n", b"\n\n")]
    found = [(position, mark) for position, mark in positions if position >= 0]
    if not found:
        return data, b""
    position, mark = min(found)
    return data[:position], data[position + len(mark) :]


def decode_header_value(value: str) -> str:
    """A header value for people: encoded words (RFC 2047) decoded, raw 8-bit read as UTF-8
    (replacing what is not), folded lines joined. Never raises."""
    try:
        value.encode("ascii")
    except UnicodeEncodeError:
        # The bytes parser keeps undecodable 8-bit bytes as surrogates: read them as UTF-8.
        value = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    try:
        text = str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeError, ValueError, TypeError, AssertionError):
        text = value
    return " ".join(text.split())


def _sender(value: str) -> str:
    try:
        pairs = getaddresses([value])
    except (ValueError, TypeError, IndexError):
        return value[:200] or UNKNOWN
    for name, address in pairs:
        if address:
            return f"{name} <{address}>"[:200] if name else address[:200]
    return value[:200] or UNKNOWN


def glance_bytes(data: bytes, *, with_body: bool = False) -> RawGlance:
    """Read the headers (and optionally the start of the body) from the first bytes of a message."""
    head, body = _split_head(data)
    try:
        parsed = BytesHeaderParser(policy=default_policy).parsebytes(head)
        raw_items = parsed.raw_items()
        items = [(str(name), decode_header_value(str(value))) for name, value in raw_items]
    except (MessageError, ValueError, TypeError, IndexError, LookupError, UnicodeError):
        return RawGlance(readable=False, body_start=_text(data) if with_body else "")
    glance = RawGlance(readable=bool(items), headers=items[:MAX_HEADERS_SHOWN])
    for name, value in items:
        lowered = name.lower()
        if lowered == "from" and glance.sender == UNKNOWN:
            glance.sender = _sender(value) if value else UNKNOWN
        elif lowered == "subject" and glance.subject == UNKNOWN:
            glance.subject = value[:300] or UNKNOWN
    if with_body:
        glance.body_start = _text(body)
    return glance


def _text(data: bytes) -> str:
    # The template escapes it; here only bytes become text (UTF-8, replacing what is not).
    return data[:PREVIEW_BYTES].decode("utf-8", "replace")


def inbound_glance(inbound: InboundEmail, *, with_body: bool = False) -> RawGlance:
    """A RawGlance of a stored email, reading at most HEAD_BYTES (plus PREVIEW_BYTES of body
    when asked) from its file."""
    data = _read_start(inbound, HEAD_BYTES + (PREVIEW_BYTES if with_body else 0))
    if data is None:
        return RawGlance()
    glance = glance_bytes(data, with_body=with_body)
    if with_body:
        glance.truncated = inbound.size > len(data) or len(glance.body_start.encode()) >= PREVIEW_BYTES
    return glance


def details_text(details: Any) -> str:
    """The processing notes (a JSON object) pretty-printed for the detail page, cut when long."""
    if not details:
        return ""
    text = json.dumps(details, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= DETAILS_CHARS else text[:DETAILS_CHARS] + "\n…"
