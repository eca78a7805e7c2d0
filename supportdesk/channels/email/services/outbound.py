"""Mail going out: agents' replies to email tickets and notifications, sent by the worker with
retries; bounces reported back by the intake; the delivery state shown under each message.

An OutboundEmail row is the single source of truth. It is written (QUEUED, with its Message-ID,
threading headers and an outbound EmailLink, so that answers thread even by In-Reply-To) after
the ticket change commits; a huey task sends it. Sending claims the row with a conditional
UPDATE (a lease), so two workers never send the same row at once and a SENT row is never sent
again. Temporary failures (4xx, connection errors, timeouts) are retried with exponential
backoff up to `send_retries` times; permanent ones (5xx, refused recipients) fail at once with
the server's words.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from supportdesk.channels.email.choices import (
    Direction,
    OutboundKind,
    OutboundStatus,
    Security,
)
from supportdesk.channels.email.conf import email_settings
from supportdesk.channels.email.models import EmailLink, InboundEmail, Mailbox, OutboundEmail
from supportdesk.channels.email.services import loops
from supportdesk.channels.email.services.compose import ComposeError, compose
from supportdesk.channels.email.services.mime import (
    REFERENCES_TAIL,
    bounded_references,
    build_message,
    domain_of,
    new_message_id,
    reply_subject,
    strip_brackets,
)
from supportdesk.core.compiled import CompiledQuery, padded
from supportdesk.core.text import single_line
from supportdesk.tickets.choices import AuthorKind, Channel
from supportdesk.tickets.extensions import MessageNote
from supportdesk.tickets.models import Message, Ticket, TicketFollower

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30  # seconds for each network step
# How long a worker owns a row it is sending; a worker killed mid-send frees it after this.
LEASE = timedelta(minutes=10)
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
MAX_DELAYS_KEPT = 5
# Replies are queued by an after-commit handler; a process that dies between the commit and that
# handler leaves a reply without its email. The sweep looks for such replies among the newest
# messages (by primary key, so it costs an index range, not a table scan), once they are older
# than the grace period and not older than the maximum age (older ones would surprise a customer).
MISSED_REPLY_SCAN = 2000
MISSED_REPLY_GRACE = timedelta(minutes=2)
MISSED_REPLY_MAX_AGE = timedelta(days=1)
MISSED_REPLY_BATCH = 100
_no_mailbox_logged = False


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


# -- where mail leaves from --------------------------------------------------------------------


def mailbox_for_ticket(ticket_id: int) -> Mailbox | None:
    """The mailbox the ticket's first email came in through, else the default mailbox, else
    the first active one; None (logged once per process) when the desk has no mailbox."""
    first_inbound = (
        InboundEmail.objects.filter(ticket_id=ticket_id, mailbox__isnull=False, mailbox__is_active=True)
        .select_related("mailbox")
        .order_by("id")
        .first()
    )
    if first_inbound is not None and first_inbound.mailbox is not None:
        return first_inbound.mailbox
    mailbox = (
        Mailbox.objects.filter(is_active=True, is_default=True).first()
        or Mailbox.objects.filter(is_active=True).order_by("id").first()
    )
    if mailbox is None:
        global _no_mailbox_logged
        if not _no_mailbox_logged:
            log.info("no active mailbox: replies and notifications are not sent by email")
            _no_mailbox_logged = True
    return mailbox


def site_name() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[0] or "supportdesk"


def sender_name(mailbox: Mailbox, person: str = "") -> str:
    """'Alex Agent (Acme Support)' for a person's mail, 'Acme Support' for the desk's own."""
    desk = single_line(mailbox.display_name) or site_name()
    person = single_line(person)
    return f"{person} ({desk})" if person else desk


def thread_headers(ticket_id: int) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for a new email on the ticket: the latest email received (or,
    when none was, the latest sent) and the chain of the ticket's Message-IDs (the first and
    the last REFERENCES_TAIL, oldest first)."""
    links = EmailLink.objects.filter(ticket_id=ticket_id)
    latest_in = (
        links.filter(direction=Direction.INBOUND).order_by("-id").values_list("message_id_header", flat=True)
    ).first()
    first = list(links.order_by("id").values_list("message_id_header", flat=True)[:1])
    last = list(links.order_by("-id").values_list("message_id_header", flat=True)[:REFERENCES_TAIL])[::-1]
    references = bounded_references([*first, *last])
    in_reply_to = strip_brackets(latest_in) if latest_in else (references[-1] if references else "")
    return in_reply_to, references


def customer_recipients(ticket: Ticket, *, with_followers: bool) -> tuple[str, list[str]]:
    """(To, Cc): the requester's address and, when asked, the followers', without our own
    addresses and without repeats."""
    own = loops.own_addresses()
    to = loops.normalize_address(ticket.requester.primary_email)
    if to and loops.is_own_address(to, own):
        to = ""
    cc: list[str] = []
    if with_followers:
        emails = TicketFollower.objects.filter(ticket_id=ticket.pk).order_by("id")
        for raw in emails.values_list("customer__primary_email", flat=True):
            address = loops.normalize_address(raw or "")
            if address and address != to and address not in cc and not loops.is_own_address(address, own):
                cc.append(address)
    return to, cc


# -- queueing -----------------------------------------------------------------------------------


def outbound_create(
    *,
    ticket: Ticket,
    mailbox: Mailbox,
    kind: str,
    to: Sequence[str],
    subject: str,
    language: str,
    from_name: str,
    cc: Sequence[str] = (),
    message: Message | None = None,
    template: str = "",
    auto_submitted: str = "",
    reply_token: bool = True,
    thread: bool = True,
    context: dict[str, Any] | None = None,
) -> OutboundEmail:
    """Write a QUEUED OutboundEmail and, for mail in the customer conversation (`thread`), its
    threading headers and an outbound EmailLink; the send task is queued after commit.

    Call inside a transaction (the caller's). Locks nothing: the row is new."""
    message_id = new_message_id(domain_of(mailbox.email_address))
    in_reply_to, references = thread_headers(ticket.pk) if thread else ("", [])
    now = timezone.now()
    row = OutboundEmail.objects.create(
        mailbox=mailbox,
        ticket=ticket,
        message=message,
        kind=kind,
        template=template,
        recipients=list(to),
        cc=list(cc),
        subject=single_line(subject)[:998],
        message_id_header=message_id,
        in_reply_to=in_reply_to,
        references=" ".join(references),
        language=language[:16],
        next_attempt_at=now,
        created_at=now,
        details={
            "from_name": from_name,
            "auto_submitted": auto_submitted,
            "reply_token": reply_token,
            "context": context or {},
        },
    )
    if thread:
        EmailLink.objects.create(
            message_id_header=message_id, direction=Direction.OUTBOUND, ticket=ticket, message=message
        )
    row_id = row.pk
    transaction.on_commit(lambda: _enqueue_send(row_id))
    return row


def _enqueue_send(outbound_id: int) -> None:
    from supportdesk.channels.email.tasks_outbound import send_outbound

    try:
        send_outbound(outbound_id)
    except Exception:
        # The periodic sweep sends it instead; the row is already safe in the database.
        log.exception("could not queue outbound email %s; the periodic sweep will send it", outbound_id)


# An agent's reply that came in by email and needs no email from us: imported (history, long
# delivered), or written to the customer directly from the agent's mail client.
DELIVERED_ELSEWHERE = loops.IMPORTED | Q(details__delivered_to_requester=True)


def _already_delivered(message_id: int) -> bool:
    return InboundEmail.objects.filter(DELIVERED_ELSEWHERE, message_id=message_id).exists()


@transaction.atomic
def outbound_queue_reply(*, message_id: int) -> OutboundEmail | None:
    """Queue the email that carries an agent's public reply on an email ticket to the requester
    (followers in Cc). Does nothing for other messages, for tickets that did not come by email
    (notifications handle those), without a mailbox or a recipient, or when the reply is
    already queued. Writes OutboundEmail and EmailLink rows; sends after commit."""
    message = (
        Message.objects.select_related("ticket__requester", "author_user")
        .filter(pk=message_id, is_public=True, author_kind=AuthorKind.AGENT)
        .first()
    )
    if message is None or message.ticket.channel != Channel.EMAIL or _already_delivered(message.pk):
        return None
    existing = OutboundEmail.objects.filter(message_id=message.pk, kind=OutboundKind.REPLY).first()
    if existing is not None:
        return existing
    ticket = message.ticket
    mailbox = mailbox_for_ticket(ticket.pk)
    if mailbox is None:
        return None
    to, cc = customer_recipients(ticket, with_followers=True)
    if not to:
        log.info(
            "reply %s on ticket %s not emailed: the requester has no usable address", message.pk, ticket.pk
        )
        return None
    language = message.language or ticket.language or ticket.requester.language or settings.LANGUAGE_CODE
    return outbound_create(
        ticket=ticket,
        mailbox=mailbox,
        kind=OutboundKind.REPLY,
        to=[to],
        cc=cc,
        message=message,
        subject=reply_subject(ticket.subject, ticket.pk),
        language=language,
        from_name=sender_name(mailbox, message.author_name),
    )


def outbound_queue_missed_replies() -> int:
    """Queue the email of every recent public agent reply on an email ticket that has none (its
    after-commit handler was lost). Idempotent: outbound_queue_reply re-checks under its own
    transaction. Returns how many emails were queued."""
    first_mailbox = Mailbox.objects.filter(is_active=True).order_by("created_at").first()
    newest = Message.objects.order_by("-pk").values_list("pk", flat=True).first()
    if first_mailbox is None or newest is None:
        return 0
    now = timezone.now()
    # A reply written before the desk had a mailbox was never meant to go out by email.
    since = max(now - MISSED_REPLY_MAX_AGE, first_mailbox.created_at)
    emailed = OutboundEmail.objects.filter(kind=OutboundKind.REPLY, message_id=OuterRef("pk"))
    # Replies that need no email are left out here too, or every sweep would look at them again.
    delivered = InboundEmail.objects.filter(DELIVERED_ELSEWHERE, message_id=OuterRef("pk"))
    missed = list(
        Message.objects.filter(
            pk__gt=newest - MISSED_REPLY_SCAN,
            is_public=True,
            author_kind=AuthorKind.AGENT,
            ticket__channel=Channel.EMAIL,
            created_at__lte=now - MISSED_REPLY_GRACE,
            created_at__gte=since,
        )
        .exclude(Exists(emailed))
        .exclude(Exists(delivered))
        .order_by("pk")
        .values_list("pk", flat=True)[:MISSED_REPLY_BATCH]
    )
    queued = sum(1 for message_id in missed if outbound_queue_reply(message_id=message_id) is not None)
    if queued:
        log.warning("queued %d reply email(s) whose after-commit handler was lost", queued)
    return queued


# -- sending ------------------------------------------------------------------------------------


class _Prepared(DjangoEmailMessage):
    """A ready MIME message handed to a non-SMTP Django backend (console, file, locmem)."""

    def __init__(self, mime: EmailMessage, from_email: str, recipients: list[str]) -> None:
        super().__init__(subject=str(mime["Subject"] or ""), from_email=from_email, to=recipients)
        self.mime = mime

    def message(self, *args: Any, **kwargs: Any) -> Any:
        return self.mime


def _connection(mailbox: Mailbox) -> Any:
    if mailbox.smtp_host:
        return get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            fail_silently=False,
            host=mailbox.smtp_host,
            port=mailbox.smtp_port,
            username=mailbox.smtp_username,
            password=mailbox.smtp_password,
            use_tls=mailbox.smtp_security == Security.STARTTLS,
            use_ssl=mailbox.smtp_security == Security.SSL,
            timeout=SMTP_TIMEOUT,
        )
    return get_connection(fail_silently=False)


def _reply_text(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return " ".join(f"{code} {words}".split()) if code and code > 0 else " ".join(words.split())


def classify(error: BaseException) -> tuple[bool, str]:
    """(temporary?, what the server said) for an exception raised while sending."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = {addr: _reply_text(code, text) for addr, (code, text) in error.recipients.items()}
        temporary = any(400 <= code < 500 for code, _text in error.recipients.values())
        return temporary, "; ".join(f"{addr}: {answer}" for addr, answer in answers.items())
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # The server's settings are wrong, not this email: retried, so mail queued while an
        # administrator fixes the password still goes out.
        return True, _reply_text(error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPResponseException):
        return not 500 <= error.smtp_code < 600, _reply_text(error.smtp_code, error.smtp_error)
    if isinstance(error, TimeoutError):
        return True, f"timed out ({error})" if str(error) else "timed out"
    if isinstance(error, OSError | smtplib.SMTPException):
        return True, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return True, f"{type(error).__name__}: {error}"


# Django backends that only pretend to send (a site without EMAIL_HOST uses the console one).
NOT_DELIVERING_BACKENDS = ("console", "dummy", "filebased")


def deliver(mailbox: Mailbox, mime: EmailMessage, recipients: list[str]) -> tuple[dict[str, str], str]:
    """Hand `mime` to the mail server: (the recipients it refused, address → answer, while it
    accepted the others; the kind of backend, "smtp" or the Django backend's module name).
    Raises what the connection raises when nothing was accepted."""
    connection = _connection(mailbox)
    if not isinstance(connection, SmtpBackend):
        connection.send_messages([_Prepared(mime, mailbox.email_address, recipients)])
        return {}, type(connection).__module__.rpartition(".")[2]
    connection.open()
    smtp = connection.connection
    assert smtp is not None  # open() raises rather than leave it unset
    try:
        refused = smtp.send_message(mime, from_addr=mailbox.email_address, to_addrs=recipients)
    finally:
        # The server already took the message; a failed QUIT changes nothing.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return {addr: _reply_text(code, text) for addr, (code, text) in refused.items()}, "smtp"


def backoff(attempt: int) -> timedelta:
    """Wait after the `attempt`-th failed try: 1, 2, 4, 8 … minutes, at most MAX_BACKOFF."""
    return min(FIRST_BACKOFF * (2 ** max(attempt - 1, 0)), MAX_BACKOFF)


def outbound_send(*, outbound_id: int) -> str:
    """Send one queued email if it is due. Claims the row first (a conditional UPDATE that
    counts the attempt and leases the row for LEASE), so a second worker, a second run or a
    SENT row changes nothing. Records SENT, a retry (with backoff) or FAILED. Returns the
    row's status afterwards, or "" when it was not ours to send."""
    now = timezone.now()
    claimed = (
        OutboundEmail.objects.filter(pk=outbound_id, status=OutboundStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    )
    if not claimed:
        return ""
    row = OutboundEmail.objects.select_related("mailbox", "ticket").get(pk=outbound_id)
    try:
        mailbox = row.mailbox if row.mailbox is not None and row.mailbox.is_active else None
        mailbox = mailbox or mailbox_for_ticket(row.ticket_id)
        if mailbox is None:
            raise TemporaryFailure("no active mailbox to send from")
        try:
            mime = build_message(compose(row, mailbox))
        except (ComposeError, ValueError) as error:
            raise PermanentFailure(str(error)) from error
        recipients = [*row.recipients, *(row.cc or [])]
        try:
            refused, backend = deliver(mailbox, mime, recipients)
        except Exception as error:
            temporary, text = classify(error)
            raise (TemporaryFailure if temporary else PermanentFailure)(text) from error
    except PermanentFailure as failure:
        _record_failed(row, str(failure), kind="rejected")
    except TemporaryFailure as failure:
        _record_temporary(row, str(failure))
    except Exception as error:
        # A bug or an outage of our own: retried like a temporary failure, and logged.
        log.exception("sending outbound email %s failed", row.pk)
        _record_temporary(row, f"{type(error).__name__}: {error}")
    else:
        _record_sent(row, refused, backend)
    return row.status


def _record_sent(row: OutboundEmail, refused: dict[str, str], backend: str) -> None:
    row.status = OutboundStatus.SENT
    row.sent_at = timezone.now()
    row.next_attempt_at = None
    row.last_error = ""
    if refused:
        row.details = {**row.details, "refused": refused}
    if backend != "smtp":
        row.details = {**row.details, "backend": backend}
    row.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error", "details"])
    log.info("sent outbound email %s (%s) for ticket %s", row.pk, row.kind, row.ticket_id)


def _record_temporary(row: OutboundEmail, error: str) -> None:
    if row.attempts > email_settings().send_retries:
        _record_failed(row, error, kind="gave_up")
        return
    row.next_attempt_at = timezone.now() + backoff(row.attempts)
    row.last_error = error[:2000]
    row.save(update_fields=["next_attempt_at", "last_error"])
    log.warning(
        "outbound email %s: attempt %d failed (%s), next at %s",
        row.pk,
        row.attempts,
        error,
        row.next_attempt_at,
    )


def _record_failed(row: OutboundEmail, error: str, *, kind: str) -> None:
    row.status = OutboundStatus.FAILED
    row.next_attempt_at = None
    row.last_error = error[:2000]
    row.details = {**row.details, "failure": kind}
    row.save(update_fields=["status", "next_attempt_at", "last_error", "details"])
    log.warning("outbound email %s could not be sent (%s): %s", row.pk, kind, error)


def outbound_send_due(*, limit: int = 200, budget_seconds: float = 50.0) -> int:
    """Send the queued emails whose time has come (retries, and any whose first send was
    lost), oldest due first, for at most `budget_seconds`. Returns how many were tried."""
    now = timezone.now()
    due = (
        OutboundEmail.objects.filter(status=OutboundStatus.QUEUED)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
        .order_by(F("next_attempt_at").asc(nulls_first=True), "id")
        .values_list("pk", flat=True)[:limit]
    )
    started = time.monotonic()
    tried = 0
    for outbound_id in list(due):
        if time.monotonic() - started > budget_seconds:
            break
        if outbound_send(outbound_id=outbound_id):
            tried += 1
    return tried


# -- bounces ------------------------------------------------------------------------------------


@transaction.atomic
def outbound_mark_bounced(
    *, message_ids: Sequence[str], permanent: bool, diagnostic: str, recipients: Sequence[str] = ()
) -> int:
    """Record a delivery status notification about emails we sent (their Message-IDs, with or
    without brackets). Permanent: the rows become BOUNCED (when the bounce names only Cc
    recipients the row keeps its state and the bounce is noted in `details`). Temporary: the
    delay is noted in `details` and `last_error`. Locks the rows; never opens a ticket.
    Returns how many rows changed (processing the same report twice changes nothing)."""
    ids = {strip_brackets(i) for i in message_ids if strip_brackets(i)}
    if not ids:
        return 0
    diagnostic = " ".join((diagnostic or "").split())[:2000]
    bounced_to = {loops.normalize_address(r) for r in recipients if loops.normalize_address(r)}
    now = timezone.now()
    changed = 0
    rows = OutboundEmail.objects.select_for_update().filter(message_id_header__in=ids).order_by("id")
    for row in rows:
        if row.status == OutboundStatus.BOUNCED:
            continue
        entry = {"at": now.isoformat(), "diagnostic": diagnostic, "recipients": sorted(bounced_to)}
        if not permanent:
            delays = list(row.details.get("delays", []))
            if (
                delays
                and delays[-1]["diagnostic"] == diagnostic
                and delays[-1]["recipients"] == entry["recipients"]
            ):
                continue
            row.details = {**row.details, "delays": [*delays, entry][-MAX_DELAYS_KEPT:]}
            row.last_error = diagnostic
            row.save(update_fields=["details", "last_error"])
            changed += 1
            continue
        main = {loops.normalize_address(r) for r in row.recipients}
        if bounced_to and not (bounced_to & main):
            known = row.details.get("bounced_cc", {})
            new = {addr: diagnostic for addr in sorted(bounced_to) if known.get(addr) != diagnostic}
            if not new:
                continue
            row.details = {**row.details, "bounced_cc": {**known, **new}}
            row.save(update_fields=["details"])
            changed += 1
            continue
        row.status = OutboundStatus.BOUNCED
        row.bounced_at = now
        row.bounce_reason = diagnostic
        row.next_attempt_at = None
        row.details = {**row.details, "bounce": entry}
        row.save(update_fields=["status", "bounced_at", "bounce_reason", "next_attempt_at", "details"])
        changed += 1
    return changed


# -- what the ticket page shows -------------------------------------------------------------------


def _when(moment: datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else ""


def _notes_for_row(row: Mapping[str, Any]) -> list[MessageNote]:
    status, details = row["status"], row["details"] or {}
    refused: dict[str, str] = details.get("refused") or {}
    addresses = [a for a in [*row["recipients"], *(row["cc"] or [])] if a not in refused]
    notes: list[MessageNote] = []
    if status == OutboundStatus.SENT and details.get("backend") in NOT_DELIVERING_BACKENDS:
        # Agents must not believe the customer got it: the site has no mail server configured.
        text = _("Not sent: no mail server is configured, the email only went to the server log")
        notes.append(MessageNote(text, "warning"))
    elif status == OutboundStatus.SENT:
        notes.append(MessageNote(_("Sent to %(addresses)s") % {"addresses": ", ".join(addresses)}, "success"))
        if details.get("delays"):
            notes.append(
                MessageNote(
                    _("Delivery delayed: %(reason)s") % {"reason": details["delays"][-1]["diagnostic"]},
                    "warning",
                )
            )
    elif status == OutboundStatus.QUEUED:
        attempts = row["attempts"]
        if attempts == 0:
            notes.append(MessageNote(_("Waiting to be sent"), "info"))
        else:
            text = _("Waiting to be sent (attempt %(n)d, next at %(when)s)") % {
                "n": attempts + 1,
                "when": _when(row["next_attempt_at"]),
            }
            notes.append(MessageNote(text, "warning", detail=row["last_error"]))
    elif status == OutboundStatus.FAILED:
        reason = row["last_error"]
        if details.get("failure") == "gave_up":
            reason = ngettext(
                "no success after %(n)d attempt (%(error)s)",
                "no success after %(n)d attempts (%(error)s)",
                row["attempts"],
            ) % {"n": row["attempts"], "error": row["last_error"]}
        notes.append(MessageNote(_("Could not be sent: %(reason)s") % {"reason": reason}, "error"))
    elif status == OutboundStatus.BOUNCED:
        notes.append(MessageNote(_("Bounced: %(reason)s") % {"reason": row["bounce_reason"]}, "error"))
    for address, answer in refused.items():
        text = _("Not delivered to %(address)s: %(reason)s") % {"address": address, "reason": answer}
        notes.append(MessageNote(text, "error"))
    for address, answer in (details.get("bounced_cc") or {}).items():
        text = _("Bounced for %(address)s: %(reason)s") % {"address": address, "reason": answer}
        notes.append(MessageNote(text, "error"))
    return notes


def message_notes_for(messages: Sequence[Message]) -> dict[int, list[MessageNote]]:
    """The delivery state of every email that carried one of `messages` (one query), for the
    ticket page: sent, waiting (with the next attempt), could not be sent, bounced."""
    # Only agents' public replies are emailed (outbound_queue_reply, or the agent_replied
    # notification): a conversation of customers' messages and notes needs no query.
    ids = [m.pk for m in messages if m.pk is not None and m.is_public and m.author_kind == AuthorKind.AGENT]
    if not ids:
        return {}
    notes: dict[int, list[MessageNote]] = {}
    for row in _DELIVERIES_OF(message_ids=padded(ids)):
        notes.setdefault(row["message_id"], []).extend(_notes_for_row(row))
    return notes


# Only the emails that carried a message to customers; an agent's notification about it is not
# the message's delivery. Compiled once (core/compiled.py): the ticket page reads it every time.
_DELIVERIES_OF: CompiledQuery[dict[str, Any]] = CompiledQuery(
    lambda message_ids: (
        OutboundEmail.objects.filter(message_id__in=message_ids)
        .filter(Q(kind=OutboundKind.REPLY) | Q(template="agent_replied"))
        .order_by("id")
        .values(
            "message_id",
            "status",
            "recipients",
            "cc",
            "attempts",
            "next_attempt_at",
            "last_error",
            "bounce_reason",
            "details",
        )
    )
)
