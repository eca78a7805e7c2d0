"""Turn a raw email into a ParsedMail, or a MailParseError saying why it cannot become one.

Pure (no database, no network, no settings): callers pass the size limit. Any input, however
broken or hostile, ends in one of those two outcomes, in time linear in its size: the MIME reader
is our own single-pass one (see mime.py), every regular expression is bounded, and every
repair is noted in `problems` for the administrator.
"""

from __future__ import annotations

import re

from supportdesk.channels.email.parsing.body import BodyWalker, Content
from supportdesk.channels.email.parsing.charsets import decode_header_bytes
from supportdesk.channels.email.parsing.dsn import detect_bounce
from supportdesk.channels.email.parsing.forwarding import detect_forwarded
from supportdesk.channels.email.parsing.headers import (
    header_text,
    parse_addresses,
    parse_date,
    parse_ids,
    single_line,
    unfold,
)
from supportdesk.channels.email.parsing.html import MAX_HTML_CHARS, clean_html, html_to_text
from supportdesk.channels.email.parsing.mime import Part, TreeBuilder
from supportdesk.channels.email.parsing.types import Address, MailAttachment, MailParseError, ParsedMail
from supportdesk.core.text import multi_line

MAX_PROBLEMS = 40
MAX_TEXT_CHARS = 1_000_000  # longer text bodies are cut for display (the whole is attached)
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_DAEMON_LOCAL_PARTS = {"mailer-daemon", "postmaster", "mailerdaemon", "mail-daemon"}
_BARE_DAEMON = re.compile(r"\s*(mailer-daemon|postmaster)\s*(?:\(([^()]{0,200})\))?\s*$", re.I)
_DAEMON_NAMES = ("mailer-daemon", "mail delivery subsystem", "mail delivery system")


class InternalParseFailure(MailParseError):
    """A defect in this parser, not in the message: reported as a MailParseError (so the message
    is quarantined, never lost) but distinguishable in tests and logs."""


class _Problems(list[str]):
    def add(self, note: str) -> None:
        if note not in self and len(self) < MAX_PROBLEMS:
            self.append(note)


def parse_message(raw: bytes, *, max_bytes: int | None = None) -> ParsedMail:
    """Parse `raw`. Raises MailParseError when it is larger than `max_bytes`, is not an email,
    or has no sender address; never raises anything else."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise MailParseError("The message is not raw bytes.", code="not_bytes")
    raw = bytes(raw)
    if max_bytes is not None and len(raw) > max_bytes:
        raise MailParseError(
            f"The message is too large: {len(raw)} bytes; the limit is {max_bytes} bytes.",
            code="too_large",
            params={"size": len(raw), "limit": max_bytes},
        )
    if not raw.strip():
        raise MailParseError("The message is empty.", code="empty")
    try:
        return _parse(raw)
    except MailParseError:
        raise
    except Exception as exc:  # the promise is "ParsedMail or MailParseError"
        raise InternalParseFailure(f"The message could not be parsed ({type(exc).__name__}).") from exc


def _declared_charsets(root: Part) -> tuple[str, ...]:
    """The charsets the sender's software declared in the body parts: how it most likely wrote
    raw 8-bit header bytes too."""
    found: list[str] = []
    stack = [root]
    while stack and len(found) < 8:
        node = stack.pop()
        charset = node.params.get("charset", "").strip().lower()
        if charset and charset not in found:
            found.append(charset)
        stack.extend(reversed(node.children[:50]))
    return tuple(found)


class _Headers:
    def __init__(self, root: Part, hints: tuple[str, ...], problems: _Problems) -> None:
        self.root = root
        self.hints = hints
        self.note = problems.add

    def text(self, name: str) -> str:
        value = self.root.header(name)
        return header_text(value, self.hints, self.note) if value is not None else ""

    def joined(self, name: str) -> str:
        return ", ".join(header_text(value, self.hints, self.note) for value in self.root.all_headers(name))

    def addresses(self, name: str) -> list[Address]:
        """Each occurrence of the header on its own (a name never runs from one into the next);
        encoded words are decoded after splitting, since they may hold commas."""
        found: list[Address] = []
        for value in self.root.all_headers(name):
            text = decode_header_bytes(unfold(value), self.hints, self.note)
            found += [a for a in parse_addresses(text, self.note) if a not in found]
        return found

    def present(self, name: str) -> bool:
        return self.root.header(name) is not None


def _sender(headers: _Headers, problems: _Problems) -> Address:
    for name in ("from", "sender", "reply-to", "return-path"):
        found = headers.addresses(name)
        if found:
            if name != "from":
                problems.add(f"no usable From header; sender taken from {name.title()}")
            return found[0]
    # "From: MAILER-DAEMON (Mail Delivery System)": bounces from some MTAs carry no domain. The
    # bounce must still be read (to mark our message as bounced), so the bare name is the sender.
    daemon = _BARE_DAEMON.match(headers.text("from"))
    if daemon:
        problems.add("sender has no domain (a mail system's bounce)")
        return Address(email=daemon.group(1).lower(), name=single_line(daemon.group(2) or ""))
    raise MailParseError("The message has no sender address.", code="no_sender")


def _auto_submitted(headers: _Headers) -> bool:
    auto = headers.text("auto-submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return True
    if headers.text("precedence").strip().lower() in _AUTO_PRECEDENCE:
        return True
    if headers.present("x-autoreply") or headers.present("x-autorespond"):
        return True
    if headers.present("x-autogenerated") or headers.present("x-autoreply-from"):
        return True
    suppress = {token.strip().lower() for token in headers.text("x-auto-response-suppress").split(",")}
    if suppress & {"all", "oof"}:
        return True
    return headers.present("return-path") and headers.text("return-path").strip() in ("<>", "")


def _is_daemon(sender: Address) -> bool:
    local = sender.email.split("@", 1)[0]
    return local in _DAEMON_LOCAL_PARTS or any(marker in sender.name.lower() for marker in _DAEMON_NAMES)


def _parse(raw: bytes) -> ParsedMail:
    problems = _Problems()
    root = TreeBuilder(raw, problems.add).build()
    if not root.headers:
        raise MailParseError("The data is not an email message: it has no header lines.", code="not_email")
    hints = _declared_charsets(root)
    headers = _Headers(root, hints, problems)
    sender = _sender(headers, problems)
    subject = single_line(headers.text("subject"))
    content = BodyWalker(raw, problems.add, hints).walk(root)
    text, html = _body(content, problems)
    # Sanitizing drops the class names mail clients mark quoted history with; reply
    # extraction reads them from the HTML as it came (never shown, never stored).
    source_html = "".join(content.htmls)[:MAX_HTML_CHARS] if html else ""
    attachments = _mark_inline(content.attachments, html)
    references = parse_ids(headers.joined("references"))
    in_reply_to = parse_ids(headers.joined("in-reply-to"))
    from_daemon = _is_daemon(sender)
    bounce = detect_bounce(
        raw=raw,
        root=root,
        subject=subject,
        texts=content.texts or [text],
        own_ids=in_reply_to + [i for i in references if i not in in_reply_to],
        sender_is_daemon=from_daemon or headers.text("return-path").strip() == "<>",
        failed_recipients=headers.joined("x-failed-recipients"),
        note=problems.add,
    )
    forwarded = None
    if bounce is None:
        forwarded = detect_forwarded(
            text=text,
            subject=subject,
            is_reply=bool(in_reply_to or references),
            attached_senders=_attached_senders(content, hints, problems),
        )
    if content.encrypted and not text.strip():
        text = _encrypted_note()
    message_ids = parse_ids(headers.text("message-id"))
    list_id = headers.text("list-id")
    list_ids = parse_ids(list_id)  # "Name <list.example.com>" → "list.example.com"
    return ParsedMail(
        subject=subject,
        sender=sender,
        reply_to=headers.addresses("reply-to"),
        to=headers.addresses("to"),
        cc=headers.addresses("cc"),
        delivered_to=_delivered_to(headers),
        date=parse_date(headers.text("date")),
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=in_reply_to,
        references=references,
        text=text,
        html=html,
        source_html=source_html,
        attachments=attachments,
        auto_submitted=_auto_submitted(headers) or bounce is not None,
        from_mailer_daemon=from_daemon,
        list_id=(list_ids[0] if list_ids else single_line(list_id))[:255],
        bounce=bounce,
        forwarded=forwarded,
        problems=list(problems),
        signed=content.signed,
        encrypted=content.encrypted,
    )


def _body(content: Content, problems: _Problems) -> tuple[str, str]:
    """(text, sanitized HTML). Bodies too long to show are cut, and kept whole as attachments."""
    html_source = "".join(content.htmls)
    if len(html_source) > MAX_HTML_CHARS:
        problems.add(
            f"HTML body of {len(html_source)} characters cut for display; kept whole as message.html"
        )
        content.attachments.append(_whole_body("message.html", "text/html", html_source))
    html = clean_html(html_source) if html_source.strip() else ""
    text = "\n\n".join(text for text in content.texts if text.strip())
    if len(text) > MAX_TEXT_CHARS:
        problems.add(f"text body of {len(text)} characters cut for display; kept whole as message.txt")
        content.attachments.append(_whole_body("message.txt", "text/plain", text))
        text = text[:MAX_TEXT_CHARS]
    if not text.strip() and html:
        text = html_to_text(html, cleaned=True)
    return multi_line(text), html


def _whole_body(name: str, content_type: str, body: str) -> MailAttachment:
    return MailAttachment(filename=name, content_type=content_type, data=body.encode("utf-8", "replace"))


def _mark_inline(attachments: list[MailAttachment], html: str) -> list[MailAttachment]:
    """Pictures the HTML shows (cid:) are inline; everything else is a listed attachment."""
    lowered = html.lower()
    result = []
    for attachment in attachments:
        inline = bool(attachment.content_id) and f"cid:{attachment.content_id.lower()}" in lowered
        result.append(
            attachment
            if attachment.inline == inline
            else MailAttachment(
                filename=attachment.filename,
                content_type=attachment.content_type,
                data=attachment.data,
                content_id=attachment.content_id,
                inline=inline,
            )
        )
    return result


def _attached_senders(
    content: Content, hints: tuple[str, ...], problems: _Problems
) -> list[tuple[Address, str]]:
    found: list[tuple[Address, str]] = []
    for message in content.messages[:5]:
        value = message.header("from")
        if value is None:
            continue
        addresses = parse_addresses(decode_header_bytes(unfold(value), hints, problems.add))
        if addresses:
            subject_raw = message.header("subject")
            subject = single_line(header_text(subject_raw, hints, problems.add)) if subject_raw else ""
            found.append((addresses[0], subject))
    return found


def _delivered_to(headers: _Headers) -> list[str]:
    emails: list[str] = []
    for name in ("delivered-to", "x-original-to", "envelope-to", "x-envelope-to"):
        for address in headers.addresses(name):
            if address.email not in emails:
                emails.append(address.email)
    return emails


def _encrypted_note() -> str:
    try:
        from django.utils.translation import gettext

        return gettext("This message is encrypted. The encrypted content is kept as an attachment.")
    except Exception:  # outside a configured Django (pure use): English
        return "This message is encrypted. The encrypted content is kept as an attachment."
