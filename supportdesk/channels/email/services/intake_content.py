"""What a parsed email becomes on a ticket: the subject, the new text and the quoted history,
the HTML, the files that fit the site's limits, and the notes about what was left out.

No database access: everything here is decided from the ParsedMail and the site's limits, so
the writing step that follows runs in one short transaction.
"""

from __future__ import annotations

import html as html_module
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from supportdesk.channels.email import thread_rules
from supportdesk.channels.email.parsing import MailAttachment, ParsedMail
from supportdesk.channels.email.replies import extract_reply
from supportdesk.core.conf import product_settings
from supportdesk.core.language import detect_language
from supportdesk.tickets.services import FileData
from supportdesk.tickets.services.attachments import safe_filename
from supportdesk.tickets.services.common import MAX_BODY, MAX_SUBJECT

# Room left in a message for the notes we add (dropped files, shortened text).
NOTE_ROOM = 4_000
UI_LANGUAGES = ("en", "vi", "pl", "zh-hans", "zh-hant")
OLDEST_PLAUSIBLE_YEAR = 1990
MAX_NOTES_SHOWN = 5


@dataclass
class MailContent:
    subject: str
    body: str
    quoted: str
    html: str
    language: str
    attachments: list[FileData] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # also written into the message text
    dropped: list[dict[str, object]] = field(default_factory=list)  # for InboundEmail.details


def ticket_subject(raw_subject: str, language: str) -> str:
    """The subject a ticket gets: without reply prefixes and our tag, markup neutralized,
    within the length limit; "(no subject)" (in the writer's language) when nothing is left."""
    subject = thread_rules.neutralize_subject(thread_rules.strip_subject(raw_subject))
    subject = thread_rules.fit_subject(subject, MAX_SUBJECT)
    if subject:
        return subject
    with override(language if language in UI_LANGUAGES else None):
        return _("(no subject)")


def _note_dropped(attachment: MailAttachment, reason: str) -> tuple[str, dict[str, object]]:
    name = safe_filename(attachment.filename)
    size = len(attachment.data)
    if reason == "too_large":
        text = _(
            "The attachment “%(name)s” (%(size)s) was not added: it is larger than the limit of "
            "%(limit)s. The original email, which still contains it, is kept."
        ) % {
            "name": name,
            "size": filesizeformat(size),
            "limit": filesizeformat(product_settings().attachment_max_bytes),
        }
    elif reason == "too_many":
        text = _(
            "The attachment “%(name)s” was not added: the message has more files than a message "
            "can carry. The original email, which still contains it, is kept."
        ) % {"name": name}
    else:
        text = _("The attachment “%(name)s” was not added: it is empty.") % {"name": name}
    return text, {"name": name, "size": size, "reason": reason}


def select_files(attachments: list[MailAttachment]) -> tuple[list[FileData], list[str], list[dict]]:
    """The files that fit the site's limits (inline images first, so a message's pictures
    survive when there are too many files), and notes about the others."""
    limits = product_settings()
    kept: list[FileData] = []
    notes: list[str] = []
    dropped: list[dict[str, object]] = []
    ordered = sorted(attachments, key=lambda a: not (a.inline and a.content_id))
    for attachment in ordered:
        size = len(attachment.data)
        reason = ""
        if size == 0:
            reason = "empty"
        elif size > limits.attachment_max_bytes:
            reason = "too_large"
        elif len(kept) >= limits.attachments_per_message:
            reason = "too_many"
        if reason:
            text, record = _note_dropped(attachment, reason)
            if reason != "empty":  # an empty file is not worth a line in the conversation
                notes.append(text)
            dropped.append(record)
            continue
        kept.append(
            FileData(
                name=attachment.filename or "attachment",
                content_type=attachment.content_type,
                data=attachment.data,
                content_id=attachment.content_id,
                inline=bool(attachment.inline and attachment.content_id),
            )
        )
    return kept, notes, dropped


def _with_notes(text: str, notes: list[str]) -> str:
    if not notes:
        return text
    if len(notes) > MAX_NOTES_SHOWN:
        rest = len(notes) - MAX_NOTES_SHOWN
        notes = [*notes[:MAX_NOTES_SHOWN], _("… and %(n)d more files were not added.") % {"n": rest}]
    return "\n\n".join([text, *(f"[{note}]" for note in notes)]) if text else "\n\n".join(notes)


def build_content(parsed: ParsedMail, *, split_reply: bool = True) -> MailContent:
    """Turn `parsed` into what the ticket services take. `split_reply` False keeps the whole
    text as the new part (a forwarded email, where the "quoted" part is the request)."""
    text = parsed.text or ""
    if split_reply:
        new, quoted = extract_reply(text, html=parsed.source_html)
    else:
        new, quoted = text.strip(), ""
    language = detect_language(new)
    files, notes, dropped = select_files(list(parsed.attachments))
    if len(new) > MAX_BODY - NOTE_ROOM:
        new = new[: MAX_BODY - NOTE_ROOM].rstrip()
        notes.append(_("The message was shortened here; the original email is kept in full."))
        dropped.append({"reason": "text_shortened"})
    if not new.strip():
        with override(language if language in UI_LANGUAGES else None):
            new = (
                _("(This email has only attachments.)")
                if files or parsed.attachments
                else _("(This email has no text.)")
            )
    body = _with_notes(new, notes)
    html = parsed.html or ""
    if html and notes:
        html += "".join(f"<p><em>[{html_module.escape(note)}]</em></p>" for note in notes)
    return MailContent(
        subject=ticket_subject(parsed.subject, language),
        body=body,
        quoted=quoted,
        html=html,
        language=language,
        attachments=files,
        notes=notes,
        dropped=dropped,
    )


def plausible_date(value: datetime | None) -> datetime | None:
    """The email's Date when it can be used to back-date an import (not in the future, not
    absurdly old), else None."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    if value > timezone.now() or value.year < OLDEST_PLAUSIBLE_YEAR:
        return None
    return value
