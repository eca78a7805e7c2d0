"""Delivery status notifications: which of our messages bounced, for whom, and for good or not.

RFC 3464 reports (multipart/report; report-type=delivery-status) are read field by field. The
common non-standard bounces (Postfix, Exim, qmail, Gmail and Exchange wording) are recognised by
their subject when they quote the original message's headers.
"""

from __future__ import annotations

import re

from supportdesk.channels.email.parsing.charsets import Note, decode_text
from supportdesk.channels.email.parsing.headers import parse_addresses, parse_ids, unfold
from supportdesk.channels.email.parsing.mime import Part, TreeBuilder, part_payload
from supportdesk.channels.email.parsing.types import Bounce

MAX_DIAGNOSTIC = 1_000
MAX_RECIPIENTS = 100
MAX_BLOCKS = 500  # per-recipient blocks read from one report
_STATUS_CODE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_REPLY = re.compile(r"(?<![\d.])([45])\d\d(?:[ -]|$)")
_MESSAGE_ID_LINE = re.compile(r"^[ \t>]*Message-ID:[ \t]*(<[^<>\s]{1,900}>)", re.I | re.M)
_SUBJECT_LINE_BOUNCE = re.compile(
    r"undeliver(?:ed|able)|returned (?:mail|to sender)|delivery (?:status notification|failure|"
    r"has failed|notification)|mail delivery (?:failed|failure|system)|failure notice|"
    r"non[- ]?deliver|could not be delivered|nicht zustellbar|unzustellbar|non remis|"
    r"no se puede entregar|delayed mail|delivery delayed|warning: could not send",
    re.I,
)
_DELAY_WORDS = re.compile(r"\bdelay(?:ed)?\b|will (?:be )?retr(?:y|ied)|\bwarning\b|verz\u00f6gert", re.I)
_EMAIL_IN_TEXT = re.compile(
    r"<?([A-Za-z0-9._%+\-=!#$&'*/?^`{|}~]{1,64}@[A-Za-z0-9.\-]{1,253}\.[A-Za-z]{2,63})>?"
)
_QUOTED_PART_START = re.compile(
    r"^(?:-{2,}.{0,60}(?:original message|below this line|copy of the message|undelivered message)"
    r"|Received: |Return-Path: |Message-ID: )",
    re.I | re.M,
)


def _fields(block: str) -> dict[str, str]:
    """'Name: value' lines (with continuations) of one delivery-status block, names lower-cased."""
    result: dict[str, str] = {}
    last = ""
    for line in block.splitlines():
        if line[:1] in (" ", "\t") and last:
            result[last] += " " + line.strip()
            continue
        key, colon, value = line.partition(":")
        if colon and key.strip():
            last = key.strip().lower()
            result.setdefault(last, value.strip())
    return result


def _strip_type(value: str) -> str:
    """'rfc822; a@b' → 'a@b'; 'smtp; 550 …' → '550 …'."""
    kind, semicolon, rest = value.partition(";")
    return rest.strip() if semicolon and len(kind) < 20 else value.strip()


def _find(part: Part, kinds: tuple[str, ...]) -> list[Part]:
    found: list[Part] = []
    stack = [part]
    while stack and len(found) < 20:
        node = stack.pop()
        if node.content_type in kinds:
            found.append(node)
            continue  # not into an attached message's own attachments
        stack.extend(reversed(node.children))
    return found


def _original_ids(raw: bytes, root: Part, note: Note) -> list[str]:
    """Message-IDs of the returned message: from its attached copy or headers."""
    ids: list[str] = []
    for part in _find(root, ("message/rfc822", "message/global", "text/rfc822-headers")):
        if part.children:
            value = part.children[0].header("message-id")
        else:
            data = part_payload(raw, part, note)
            head = TreeBuilder(data[:65536], note, depth=part.depth + 1).build()
            value = head.header("message-id")
        if value is not None:
            ids += parse_ids(unfold(value).decode("latin-1"))
    return ids


def _report(raw: bytes, status_part: Part, note: Note) -> tuple[list[str], bool, bool, str]:
    """(failed recipients, any permanent failure, any failure at all, diagnostic) of a
    message/delivery-status part."""
    payload = part_payload(raw, status_part, note)[:200_000]
    text = decode_text(payload, "utf-8", note, what="delivery status").replace("\r\n", "\n")
    blocks = [block for block in re.split(r"\n[ \t]*\n", text) if block.strip()]
    recipients: list[str] = []
    permanent = failed = False
    diagnostic = ""
    for block in (blocks[1:] or blocks)[:MAX_BLOCKS]:
        fields = _fields(block)
        recipient = _strip_type(fields.get("final-recipient") or fields.get("original-recipient") or "")
        if not recipient:
            continue
        action = fields.get("action", "").lower().strip()
        status = fields.get("status", "").strip()
        if action in ("delivered", "relayed", "expanded") and not status.startswith(("4", "5")):
            continue
        is_permanent = action == "failed" or status.startswith("5")
        if not (is_permanent or action == "delayed" or status.startswith("4")):
            continue
        failed = True
        permanent = permanent or is_permanent
        addresses = parse_addresses(recipient)
        email = addresses[0].email if addresses else recipient.strip("<> ").lower()
        if email and email not in recipients and len(recipients) < MAX_RECIPIENTS:
            recipients.append(email)
        if not diagnostic:
            diagnostic = _strip_type(fields.get("diagnostic-code", "")) or status
    return recipients, permanent, failed, diagnostic


def _human_text(texts: list[str]) -> str:
    return "\n\n".join(text for text in texts if text.strip())


def detect_bounce(
    *,
    raw: bytes,
    root: Part,
    subject: str,
    texts: list[str],
    own_ids: list[str],
    sender_is_daemon: bool,
    failed_recipients: str = "",
    note: Note,
) -> Bounce | None:
    """The Bounce this message reports, or None when it is not a (failure) bounce."""
    statuses = _find(root, ("message/delivery-status", "message/global-delivery-status"))
    human = _human_text(texts)
    if statuses:
        recipients: list[str] = []
        permanent = failed = False
        diagnostic = ""
        for status_part in statuses:
            found, is_permanent, has_failure, text = _report(raw, status_part, note)
            recipients += [r for r in found if r not in recipients]
            permanent = permanent or is_permanent
            failed = failed or has_failure
            diagnostic = diagnostic or text
        if not failed:
            return None  # a success notification ("delivered", "relayed")
        ids = list(dict.fromkeys(_original_ids(raw, root, note) + own_ids))
        return Bounce(
            original_message_ids=tuple(ids),
            recipients=tuple(recipients),
            permanent=permanent,
            diagnostic=(diagnostic or _first_lines(human))[:MAX_DIAGNOSTIC],
        )
    if not _SUBJECT_LINE_BOUNCE.search(subject[:300]):
        return None
    ids = _original_ids(raw, root, note)
    quote = _QUOTED_PART_START.search(human)
    explanation = human[: quote.start()] if quote else human[:5000]
    ids += [match.strip("<>") for match in _MESSAGE_ID_LINE.findall(human[:200_000])]
    ids = list(dict.fromkeys(ids + own_ids))
    failed = [address.email for address in parse_addresses(failed_recipients)]
    # A bounce is recognised by its subject plus either the returned message's headers or a
    # mail system as sender; without the original Message-ID it still must not become a ticket.
    if not (ids or (sender_is_daemon and (quote or failed))):
        return None
    return _classic_bounce(ids, subject, explanation, failed)


def _classic_bounce(ids: list[str], subject: str, explanation: str, failed: list[str]) -> Bounce:
    recipients: list[str] = list(failed[:MAX_RECIPIENTS])
    for match in _EMAIL_IN_TEXT.finditer(explanation[:20_000]):
        email = match.group(1).lower()
        local = email.split("@", 1)[0]
        if local in ("mailer-daemon", "postmaster") or email in recipients:
            continue
        recipients.append(email)
        if len(recipients) >= MAX_RECIPIENTS:
            break
    codes = _STATUS_CODE.findall(explanation) or [(m, "", "") for m in _SMTP_REPLY.findall(explanation)]
    temporary = bool(_DELAY_WORDS.search(subject)) or (codes and all(code[0] == "4" for code in codes))
    return Bounce(
        original_message_ids=tuple(ids),
        recipients=tuple(recipients),
        permanent=not temporary,
        diagnostic=_diagnostic_lines(explanation)[:MAX_DIAGNOSTIC],
    )


def _diagnostic_lines(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    coded = [line for line in lines if _STATUS_CODE.search(line) or _SMTP_REPLY.search(line)]
    return " ".join(coded[:5]) if coded else _first_lines(text)


def _first_lines(text: str) -> str:
    return " ".join(line.strip() for line in text.strip().splitlines()[:6] if line.strip())
