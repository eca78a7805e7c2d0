"""Turning a queued OutboundEmail row into the email that goes out: bodies rendered from the
templates in `templates/channel_email/email/` in the row's language, files read from storage.

Rendering happens when the row is sent (and again on a retry), from the row and the ticket
message it carries; what cannot change between attempts (recipients, subject, Message-ID,
threading headers, the sender's name) is fixed on the row when it is queued."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from supportdesk.channels.email import tokens
from supportdesk.channels.email.choices import OutboundKind
from supportdesk.channels.email.models import Mailbox, OutboundEmail
from supportdesk.channels.email.services.mime import MailFile, OutgoingMail, text_to_html
from supportdesk.core.text import sanitize_html
from supportdesk.tickets.models import Attachment, Message

TEMPLATE_DIR = "channel_email/email"
# Notifications quote a customer's message to the agent, not a whole novel.
EXCERPT_CHARS = 4000


class ComposeError(Exception):
    """The email cannot be written at all (a file is gone, the message was deleted): retrying
    will not help."""


def portal_link(ticket_id: int) -> str:
    return settings.SITE_URL + reverse("portal:request_detail", args=[ticket_id])


def desk_link(ticket_id: int) -> str:
    return settings.SITE_URL + reverse("tickets:detail", args=[ticket_id])


def render_subject(template: str, context: dict[str, Any], language: str) -> str:
    with translation.override(language):
        rendered = render_to_string(f"{TEMPLATE_DIR}/{template}_subject.txt", context)
    return " ".join(rendered.split())


def render_bodies(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """(text, html) of `template` rendered with `language` active."""
    with translation.override(language):
        text = render_to_string(f"{TEMPLATE_DIR}/{template}.txt", context)
        html = render_to_string(f"{TEMPLATE_DIR}/{template}.html", context)
    return text.strip() + "\n", html


def _message_html(message: Message) -> str:
    """The reply as HTML: the stored (sanitized) HTML when the agent wrote HTML, else the text
    escaped with links and line breaks."""
    if message.body_html:
        return sanitize_html(message.body_html)
    return text_to_html(message.body_text)


def _safe(html: str) -> str:
    """Mark HTML we built ourselves (text_to_html escapes; sanitize_html cleans) as safe."""
    return mark_safe(html)  # noqa: S308 - only ever given escaped or sanitized HTML


def _files(message: Message | None) -> list[MailFile]:
    if message is None:
        return []
    files = []
    attachment: Attachment
    for attachment in message.attachments.all():
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
        except (OSError, ValueError) as error:
            raise ComposeError(
                f"the attached file “{attachment.filename}” cannot be read ({error})"
            ) from None
        files.append(
            MailFile(
                filename=attachment.filename,
                content_type=attachment.content_type,
                data=data,
                content_id=attachment.content_id,
                inline=attachment.is_inline,
            )
        )
    return files


def _context(row: OutboundEmail, message: Message | None) -> dict[str, Any]:
    ticket = row.ticket
    saved = dict(row.details.get("context") or {})
    context: dict[str, Any] = {
        **saved,
        "ticket": ticket,
        "ticket_id": ticket.pk,
        "subject": ticket.subject,
        "site_url": settings.SITE_URL,
        "portal_link": portal_link(ticket.pk),
        "desk_link": desk_link(ticket.pk),
        "language": row.language,
    }
    if message is not None:
        author = message.author_user
        signature = (author.signature if author is not None else "").strip()
        text = message.body_text
        if row.template == "new_reply" and len(text) > EXCERPT_CHARS:
            text = text[:EXCERPT_CHARS].rstrip() + " …"
        context.update(
            message=message,
            body=text,
            body_html=_safe(_message_html(message) if row.template != "new_reply" else text_to_html(text)),
            author_name=message.author_name,
            signature=signature,
            signature_html=_safe(text_to_html(signature)) if signature else "",
        )
    return context


def compose(row: OutboundEmail, mailbox: Mailbox) -> OutgoingMail:
    """The email `row` stands for, sent from `mailbox`. Raises ComposeError when it cannot be
    written (its message or a file is gone)."""
    message: Message | None = None
    if row.message_id is not None:
        message = (
            Message.objects.select_related("author_user", "author_customer")
            .prefetch_related("attachments")
            .filter(pk=row.message_id)
            .first()
        )
        if message is None:
            raise ComposeError("the ticket message it carried was deleted")
    context = _context(row, message)
    template = "reply" if row.kind == OutboundKind.REPLY else row.template
    text, html = render_bodies(template, context, row.language or settings.LANGUAGE_CODE)
    carries_reply = row.kind == OutboundKind.REPLY or row.template == "agent_replied"
    files: Sequence[MailFile] = _files(message) if carries_reply else ()
    details = row.details or {}
    return OutgoingMail(
        from_name=str(details.get("from_name") or ""),
        from_address=mailbox.email_address,
        to=list(row.recipients),
        cc=list(row.cc or []),
        reply_to=tokens.reply_address(mailbox.email_address, row.ticket_id)
        if details.get("reply_token")
        else "",
        subject=row.subject,
        message_id=row.message_id_header,
        in_reply_to=row.in_reply_to,
        references=row.references.split(),
        language=row.language,
        auto_submitted=str(details.get("auto_submitted") or ""),
        text=text,
        html=html,
        files=files,
        date=timezone.now(),
    )
