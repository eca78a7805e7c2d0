"""What the parser hands to the rest of the channel (pure data, no Django)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class MailParseError(Exception):
    """The message cannot become a ticket at all (no sender, too large, not an email). The raw
    bytes stay stored; the message goes to quarantine with this error's text as the reason.

    `code` names the refusal ("empty", "no_sender", "not_email", "too_large", "not_bytes") and
    `params` its numbers, so the desk can say it in the reader's language; the text is English."""

    def __init__(self, message: str = "", *, code: str = "", params: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.params = params or {}


@dataclass(frozen=True)
class Address:
    email: str  # lower-cased
    name: str = ""


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""  # without angle brackets
    inline: bool = False  # shown in the HTML body (cid:) rather than attached


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (RFC 3464) about a message we sent."""

    original_message_ids: tuple[str, ...]
    recipients: tuple[str, ...]
    permanent: bool
    diagnostic: str = ""


@dataclass(frozen=True)
class Forwarded:
    """An email an agent forwarded: who originally wrote it."""

    sender: Address
    subject: str = ""


@dataclass
class ParsedMail:
    subject: str
    sender: Address | None
    reply_to: list[Address] = field(default_factory=list)
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)  # Delivered-To, X-Original-To, Envelope-To
    date: datetime | None = None
    message_id: str = ""  # without angle brackets
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""  # the plain text (converted from the HTML when there is no text part)
    html: str = ""  # sanitized HTML, or "" when the message had none
    # The HTML as it came (cut to the display limit), only for finding where quoted history
    # starts: its quote markers are class names that sanitizing removes. Never show it.
    source_html: str = ""
    attachments: list[MailAttachment] = field(default_factory=list)
    auto_submitted: bool = False  # Auto-Submitted, Precedence bulk/junk/list, X-Autoreply, …
    from_mailer_daemon: bool = False
    list_id: str = ""
    bounce: Bounce | None = None
    forwarded: Forwarded | None = None
    problems: list[str] = field(default_factory=list)  # what was repaired on the way, for the log
    signed: bool = False  # multipart/signed or S/MIME signed-data: content kept, signature attached
    encrypted: bool = False  # the content is encrypted: kept as an attachment, `text` says so
