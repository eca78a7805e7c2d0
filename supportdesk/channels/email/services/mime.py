"""Building outgoing emails: headers, threading, multipart bodies (pure: no ORM, no I/O).

Message-IDs are handled WITHOUT angle brackets everywhere in the channel (the parser hands
them over that way and EmailLink stores them that way); the brackets are added only when a
header is written.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import cast

from django.utils.html import linebreaks, urlize

from supportdesk.channels.email import thread_rules
from supportdesk.core.text import single_line

# The RFC 5322 line limit is 998 characters; References are cut well before that matters.
REFERENCES_HEAD = 1
REFERENCES_TAIL = 20
_DOMAIN = re.compile(r"^[a-z0-9.-]+$")


@dataclass(frozen=True)
class MailFile:
    """A file carried by an outgoing email: attached, or shown inline (cid:) in the HTML."""

    filename: str
    content_type: str
    data: bytes
    content_id: str = ""  # without angle brackets
    inline: bool = False


@dataclass(frozen=True)
class OutgoingMail:
    """Everything one outgoing email says; `build_message` turns it into MIME."""

    from_name: str
    from_address: str
    to: Sequence[str]
    subject: str
    message_id: str  # without angle brackets
    text: str
    html: str = ""
    cc: Sequence[str] = ()
    reply_to: str = ""
    in_reply_to: str = ""
    references: Sequence[str] = ()
    language: str = ""
    # RFC 3834: "auto-replied" / "auto-generated" for mail a machine wrote; "" for a person's reply.
    auto_submitted: str = ""
    files: Sequence[MailFile] = ()
    date: datetime | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)


def strip_brackets(message_id: str) -> str:
    return (message_id or "").strip().strip("<>").strip()


def bracketed(message_id: str) -> str:
    return f"<{strip_brackets(message_id)}>"


def domain_of(address: str) -> str:
    """The domain part of `address`, lower-cased; "localhost" when there is none usable."""
    if "@" not in (address or ""):
        return "localhost"
    domain = address.rpartition("@")[2].strip().lower()
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        domain = ""
    return domain if domain and _DOMAIN.match(domain) else "localhost"


def new_message_id(domain: str) -> str:
    """A fresh, globally unique Message-ID (without brackets), all lower case so that any
    normalization the intake applies when it looks replies up still finds it."""
    return f"{uuid.uuid4().hex}.{uuid.uuid4().hex[:8]}@{domain.lower()}"


def bounded_references(
    ids: Iterable[str], head: int = REFERENCES_HEAD, tail: int = REFERENCES_TAIL
) -> list[str]:
    """The thread's Message-IDs for References: the first `head` (the thread root, which mail
    clients need most) and the last `tail`, in order, without duplicates or empties."""
    unique = list(dict.fromkeys(strip_brackets(i) for i in ids if strip_brackets(i)))
    if len(unique) <= head + tail:
        return unique
    return unique[:head] + unique[-tail:]


def reply_subject(subject: str, ticket_id: int) -> str:
    """'Re: <subject> [#<id>]', with any reply prefixes and ticket tags the subject already
    carries removed first, so a long conversation never reads 'Re: Re: … [#1] [#1]'."""
    core = thread_rules.strip_subject(single_line(subject))
    return f"Re: {core} [#{ticket_id}]" if core else f"Re: [#{ticket_id}]"


def with_tag(subject: str, ticket_id: int) -> str:
    """`subject` ending in the ticket tag '[#<id>]' (added once)."""
    subject = single_line(subject)
    tag = f"[#{ticket_id}]"
    return subject if tag in subject else f"{subject} {tag}".strip()


def text_to_html(text: str) -> str:
    """Plain text as safe HTML: everything escaped, links made clickable, paragraphs and line
    breaks kept."""
    return str(linebreaks(urlize(text or "", nofollow=True, autoescape=True), autoescape=False))


def _address(addr: str, name: str = "") -> Address:
    return Address(display_name=single_line(name), addr_spec=addr.strip())


def build_message(mail: OutgoingMail) -> EmailMessage:
    """The MIME message for `mail`: multipart/alternative (text, HTML); the HTML becomes
    multipart/related when inline images go with it; attachments make the whole
    multipart/mixed. Raises ValueError for an address that cannot be written in a header."""
    message = EmailMessage(policy=policy.default)
    message["From"] = _address(mail.from_address, mail.from_name)
    message["To"] = [_address(a) for a in mail.to]
    if mail.cc:
        message["Cc"] = [_address(a) for a in mail.cc]
    if mail.reply_to:
        message["Reply-To"] = _address(mail.reply_to)
    message["Subject"] = single_line(mail.subject)
    message["Date"] = (
        format_datetime(mail.date) if mail.date else format_datetime(datetime.now().astimezone())
    )
    message["Message-ID"] = bracketed(mail.message_id)
    if mail.in_reply_to:
        message["In-Reply-To"] = bracketed(mail.in_reply_to)
    if mail.references:
        message["References"] = " ".join(bracketed(r) for r in mail.references)
    if mail.auto_submitted:
        message["Auto-Submitted"] = mail.auto_submitted
        # Asks Exchange and Outlook not to answer with out-of-office and similar replies.
        message["X-Auto-Response-Suppress"] = "All"
    for name, value in mail.extra_headers.items():
        message[name] = single_line(value)

    # Quoted-printable keeps every line short and 7-bit, whatever the server supports.
    message.set_content(mail.text or "", subtype="plain", charset="utf-8", cte="quoted-printable")
    if mail.html:
        message.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
        inline = [f for f in mail.files if f.inline and f.content_id]
        if inline:
            html_part = cast(EmailMessage, message.get_payload()[1])  # type: ignore[index]
            for item in inline:
                maintype, subtype = _split_type(item.content_type)
                html_part.add_related(
                    item.data,
                    maintype,
                    subtype,
                    cid=bracketed(item.content_id),
                    filename=item.filename,
                    disposition="inline",
                )
    for item in mail.files:
        if item.inline and item.content_id and mail.html:
            continue
        maintype, subtype = _split_type(item.content_type)
        message.add_attachment(item.data, maintype, subtype, filename=item.filename)
    if mail.language:
        # Added last: setting the content moves every Content-* header into the body part.
        message["Content-Language"] = single_line(mail.language)
    return message


def _split_type(content_type: str) -> tuple[str, str]:
    maintype, _, subtype = (content_type or "").lower().partition("/")
    # message/* and multipart/* parts may not be base64-encoded (RFC 2046): a forwarded .eml
    # travels as a plain file instead.
    if not maintype or not subtype or maintype in {"message", "multipart"}:
        return "application", "octet-stream"
    return maintype, subtype
