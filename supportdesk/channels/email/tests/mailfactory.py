"""Builds real .eml bytes for tests (shared by every email-channel test module).

    raw = mailfactory.email(subject="Printer on fire", body="It smokes.")
    reply = mailfactory.reply_to(raw, body="Still smoking.")

Every message gets a unique Message-ID unless one is given, and CRLF line endings like mail on
the wire.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime

_counter = itertools.count(1)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
    b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def new_message_id(domain: str = "mail.example") -> str:
    return f"<{next(_counter)}.{uuid.uuid4().hex[:16]}@{domain}>"


def email(
    *,
    sender: str = "Carla Customer <customer@example.com>",
    to: str | Sequence[str] = "support@desk.test",
    cc: Sequence[str] = (),
    subject: str | None = "Printer on fire",
    body: str = "Hello,\n\nthe printer on the third floor is on fire. Please send help.\n\nCarla",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: Iterable[str] = (),
    date: datetime | None = None,
    headers: dict[str, str] | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    inline_images: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """One email. `attachments` are (filename, content type, data); `inline_images` are
    (content id, png data) shown by the HTML with cid: URLs."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    if subject is not None:
        message["Subject"] = subject
    message["Date"] = format_datetime(date or datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    message["Message-ID"] = message_id or new_message_id()
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    refs = list(references)
    if refs:
        message["References"] = " ".join(refs)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None or inline_images:
        message.add_alternative(html or f"<p>{body}</p>", subtype="html")
        if inline_images:
            html_part = message.get_payload()[1]
            for cid, data in inline_images:
                html_part.add_related(data, maintype="image", subtype="png", cid=f"<{cid}>")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def header(raw: bytes, name: str) -> str:
    return str(message_from_bytes(raw, policy=policy.default)[name] or "")


def reply_to(
    original: bytes,
    *,
    body: str = "Thank you, but it is still burning.",
    sender: str | None = None,
    to: str | Sequence[str] = "support@desk.test",
    cc: Sequence[str] = (),
    subject: str | None = None,
    quote: bool = True,
    **kwargs: object,
) -> bytes:
    """A reply to `original` with In-Reply-To and References, quoting it below the new text."""
    parsed = message_from_bytes(original, policy=policy.default)
    parent_id = str(parsed["Message-ID"])
    references = [*str(parsed.get("References", "")).split(), parent_id]
    text = body
    if quote:
        plain = parsed.get_body(("plain",))
        old = plain.get_content() if plain is not None else ""
        quoted = "\n".join("> " + line for line in old.splitlines())
        text = f"{body}\n\nOn Mon, 2 Mar 2026 at 09:30, {parsed['From']} wrote:\n{quoted}\n"
    return email(
        sender=sender or str(parsed["From"]),
        to=to,
        cc=cc,
        subject=subject if subject is not None else f"Re: {parsed['Subject']}",
        body=text,
        in_reply_to=parent_id,
        references=references,
        **kwargs,  # type: ignore[arg-type]
    )


def forward(
    original: bytes, *, by: str = "Alex Agent <agent@desk.test>", note: str = "Please handle this."
) -> bytes:
    """`original` forwarded inline by `by`, the way mail clients do it."""
    parsed = message_from_bytes(original, policy=policy.default)
    plain = parsed.get_body(("plain",))
    text = (
        f"{note}\n\n---------- Forwarded message ---------\n"
        f"From: {parsed['From']}\nDate: {parsed['Date']}\nSubject: {parsed['Subject']}\n"
        f"To: {parsed['To']}\n\n{plain.get_content() if plain is not None else ''}"
    )
    return email(sender=by, subject=f"Fwd: {parsed['Subject']}", body=text)


def bounce(
    original_message_id: str,
    *,
    recipient: str = "customer@example.com",
    permanent: bool = True,
    to: str = "support@desk.test",
) -> bytes:
    """A delivery status notification (RFC 3464) about a message we sent."""
    boundary = f"dsn-{uuid.uuid4().hex}"
    status = "5.1.1" if permanent else "4.2.2"
    action = "failed" if permanent else "delayed"
    diagnostic = "550 5.1.1 User unknown" if permanent else "452 4.2.2 Mailbox full"
    text = (
        f"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        f"To: {to}\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n"
        f"Message-ID: {new_message_id('mx.example.com')}\r\n"
        f"Auto-Submitted: auto-replied\r\n"
        f"MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@desk.test\r\n"
        f"To: {recipient}\r\n"
        f"Subject: [#1] Your request\r\n"
        f"Message-ID: {original_message_id}\r\n\r\n"
        f"--{boundary}--\r\n"
    )
    return text.encode()


def mbox(messages: Iterable[bytes]) -> bytes:
    """An mbox file holding `messages` (From_ lines, ">From " quoting)."""
    out = bytearray()
    for raw in messages:
        out += b"From sender@example.com Mon Mar  2 09:30:00 2026\n"
        for line in raw.replace(b"\r\n", b"\n").split(b"\n"):
            out += (b">" + line if line.startswith(b"From ") else line) + b"\n"
        out += b"\n"
    return bytes(out)


LANGUAGE_SAMPLES = {
    "en": ("Cannot sign in", "Since yesterday I cannot sign in to my account; the page shows an error."),
    "vi": ("Không đăng nhập được", "Từ hôm qua tôi không thể đăng nhập vào tài khoản; trang báo lỗi."),
    "pl": ("Nie mogę się zalogować", "Od wczoraj nie mogę zalogować się do konta; strona pokazuje błąd."),
    "zh-hans": ("无法登录", "从昨天开始我无法登录我的账户，页面显示错误。请帮忙查看一下这个问题。"),
    "de": (
        "Anmeldung geht nicht",
        "Seit gestern kann ich mich nicht mehr anmelden; die Seite zeigt einen Fehler.",
    ),
}


def generated(
    count: int, *, reply_every: int = 3, to: str = "support@desk.test", seed: int = 1
) -> list[bytes]:
    """`count` messages: new requests in several languages (some with an attachment), and about
    one in `reply_every` a reply to an earlier one by In-Reply-To. Message-IDs are fixed by
    `seed` and the position, so the same call gives the same bytes."""
    out: list[bytes] = []
    originals: list[bytes] = []
    languages = list(LANGUAGE_SAMPLES)
    for n in range(count):
        message_id = f"<gen{seed}.{n}@customers.example>"
        when = datetime(2026, 1, 1, tzinfo=UTC).replace(minute=n % 60, hour=(n // 60) % 24)
        if originals and n % reply_every == reply_every - 1:
            parent = originals[(n * 7) % len(originals)]
            out.append(
                reply_to(
                    parent, body=f"Thank you, but it happened again ({n}).", message_id=message_id, date=when
                )
            )
            continue
        language = languages[n % len(languages)]
        subject, text = LANGUAGE_SAMPLES[language]
        files = [(f"log-{n}.txt", "text/plain", f"log line {n}\n".encode() * 50)] if n % 10 == 0 else []
        raw = email(
            sender=f"Customer {n % 97} <customer{n % 97}@customers.example>",
            to=to,
            subject=f"{subject} ({n})",
            body=f"{text}\n\nOrder {100000 + n}.",
            message_id=message_id,
            date=when,
            attachments=files,
        )
        originals.append(raw)
        out.append(raw)
    return out
