"""Writing many new tickets and customer replies at once, for a channel that takes in mail by
the thousand (the mail import).

The rows are those `ticket_create` and `message_add` write for the same input (ticket, opening
message, timeline events, counters, status changes, attachments, search documents) and the
same domain events are published after commit; only the statements differ: a few per batch
instead of a dozen per message. They are narrower than those services on purpose, covering
what mail that needs no decision by a person looks like: a new ticket opened by the system for
its requester, a reply by the ticket's own requester. Anything else goes through the ordinary
services.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.core import events
from supportdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from supportdesk.core.queries import update_many
from supportdesk.core.text import sanitize_html
from supportdesk.customers.models import Customer
from supportdesk.tickets import events as ticket_events
from supportdesk.tickets.choices import AuthorKind, Channel, EventKind, Status
from supportdesk.tickets.models import Message, StatusLabel, Ticket, TicketEvent
from supportdesk.tickets.services.actors import Actor
from supportdesk.tickets.services.attachments import Upload, check_uploads, store_attachments
from supportdesk.tickets.services.common import (
    MAX_BODY,
    clean_body,
    clean_custom_fields,
    clean_subject,
    get_category,
    get_priority,
    taxonomy_default,
    ticket_search_index,
)
from supportdesk.tickets.services.messages import check_may_write, publish_message_added
from supportdesk.tickets.services.status import apply_status
from supportdesk.tickets.services.tickets import default_group, get_group, publish_ticket_created
from supportdesk.tickets.transitions import status_after_customer_reply


@dataclass(frozen=True, kw_only=True)
class _Writing:
    """What a customer wrote, as ticket_create and message_add take it."""

    body: str
    body_html: str = ""
    channel: str = Channel.EMAIL
    language: str = ""
    attachments: Sequence[Upload] = ()
    created_at: datetime | None = None
    quoted_text: str = ""


@dataclass(frozen=True, kw_only=True)
class NewRequest(_Writing):
    """A ticket its requester opened by writing in (`ticket_create` by the system)."""

    requester: Customer
    subject: str
    group_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class RequesterReply(_Writing):
    """A public reply by the ticket's requester (`message_add` by the customer)."""

    ticket_id: int
    customer: Customer
    # An automatic answer (an out-of-office notice) is recorded without reopening the ticket.
    keep_status: bool = False


def _message(ticket: Ticket, customer: Customer, item: _Writing, at: datetime) -> Message:
    return Message(
        ticket=ticket,
        is_public=True,
        author_kind=AuthorKind.CUSTOMER,
        author_customer=customer,
        channel=item.channel,
        body_text=clean_body(item.body),
        body_html=sanitize_html(item.body_html) if item.body_html else "",
        quoted_text=item.quoted_text[:MAX_BODY],
        language=(item.language or ticket.language)[:16],
        created_at=at,
    )


def _store_files(pairs: Sequence[tuple[Message, Sequence[Upload]]]) -> None:
    for message, files in pairs:
        if files:
            store_attachments(message, files)


@transaction.atomic
def tickets_create_many(items: Sequence[NewRequest]) -> list[Ticket]:
    """`ticket_create(actor=Actor.system(), requester=…, …)` for each item, in order: the new
    tickets (each with `opening_message_id` set). Every item is checked before anything is
    written (ValidationFailed otherwise). Emits TicketCreated and MessageAdded per ticket."""
    for item in items:
        check_uploads(item.attachments)
        if item.channel not in Channel.values:
            raise ValidationFailed(_("Unknown channel."), details={"channel": _("Unknown channel.")})
    category = get_category(None, use_fallback=True)
    status_label = taxonomy_default(
        ("status_label", Status.NEW),
        lambda: StatusLabel.objects.filter(status=Status.NEW, is_default=True, is_active=True).first(),
    )
    priority = get_priority(None)
    fields = clean_custom_fields({}, current={}, for_customer=False, enforce_required=False)
    groups = {
        group_id: get_group(group_id) if group_id else default_group(category)
        for group_id in {item.group_id for item in items}
    }
    tickets: list[Ticket] = []
    messages: list[Message] = []
    for item in items:
        at = item.created_at or timezone.now()
        ticket = Ticket(
            subject=clean_subject(item.subject),
            status=Status.NEW,
            status_label=status_label,
            priority=priority,
            category=category,
            channel=item.channel,
            language=(item.language or item.requester.language or "")[:16],
            requester=item.requester,
            organization_id=item.requester.organization_id,
            group=groups[item.group_id],
            custom_fields=dict(fields),
            created_at=at,
            updated_at=at,
            status_changed_at=at,
            message_count=1,
            last_customer_message_at=at,
        )
        tickets.append(ticket)
        messages.append(_message(ticket, item.requester, item, at))
    Ticket.objects.bulk_create(tickets)
    for ticket, message in zip(tickets, messages, strict=True):
        message.ticket = ticket  # the ticket's id is known now
    Message.objects.bulk_create(messages)
    _store_files([(message, item.attachments) for message, item in zip(messages, items, strict=True)])
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=ticket,
            kind=EventKind.CREATED,
            data={"channel": ticket.channel, "subject": ticket.subject, "follow_up_of": None},
            created_at=ticket.created_at,
        )
        for ticket in tickets
    )
    ticket_search_index.replace_many(
        (
            ticket.pk,
            " ".join(
                part
                for part in (
                    message.body_text,
                    ticket.subject,
                    ticket.requester.display_name,
                    ticket.requester.primary_email,
                )
                if part
            ),
        )
        for ticket, message in zip(tickets, messages, strict=True)
    )
    for ticket, message in zip(tickets, messages, strict=True):
        ticket.opening_message_id = message.pk
        publish_ticket_created(ticket)
        publish_message_added(message, assignee_id=None, opening=True)
    return tickets


COUNTERS = ["message_count", "updated_at", "last_customer_message_at"]


@transaction.atomic
def messages_add_many(items: Sequence[RequesterReply]) -> list[Message]:
    """`message_add(actor=Actor.of_customer(item.customer), ticket_id=…, …)` for each item, in
    order: the new messages. Locks the tickets (one statement). A reply by anyone but the
    ticket's requester is refused (PermissionDenied), as is one to a closed or merged ticket
    (Conflict), before anything is written. A reply reopens a pending, on-hold or solved
    ticket unless `keep_status`. Emits MessageAdded per message and TicketUpdated (with
    TicketStatusChanged) per status change."""
    for item in items:
        check_uploads(item.attachments)
    locked = {
        ticket.pk: ticket
        for ticket in Ticket.objects.select_for_update(of=("self",))
        .select_related("status_label")
        .filter(pk__in={item.ticket_id for item in items})
        .order_by("pk")
    }
    messages: list[Message] = []
    texts: dict[int, list[str]] = defaultdict(list)
    for item in items:
        ticket = locked.get(item.ticket_id)
        if ticket is None:
            raise NotFound(_("Ticket not found."), code="ticket_not_found")
        if item.customer.pk != ticket.requester_id:
            raise PermissionDenied(_("Only the ticket's requester can reply here."))
        check_may_write(Actor.of_customer(item.customer), ticket, is_public=True)
        at = item.created_at or timezone.now()
        message = _message(ticket, item.customer, item, at)
        messages.append(message)
        ticket.message_count += 1
        ticket.updated_at = ticket.last_customer_message_at = at
        texts[ticket.pk].append(message.body_text)
    Message.objects.bulk_create(messages)
    _store_files([(message, item.attachments) for message, item in zip(messages, items, strict=True)])
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=message.ticket_id,
            kind=EventKind.REPLY,
            data={"message_id": message.pk},
            created_at=message.created_at,
            actor_customer=message.author_customer,
        )
        for message in messages
    )
    reopened: dict[int, dict[str, Any]] = {}
    for item, message in zip(items, messages, strict=True):
        ticket = locked[item.ticket_id]
        target = status_after_customer_reply(ticket.status)
        if not item.keep_status and target != ticket.status:
            changes = reopened.setdefault(ticket.pk, {})
            actor = Actor.of_customer(item.customer)
            apply_status(ticket, actor, target, None, changes, at=message.created_at)
    for ticket_id in reopened:
        locked[ticket_id].save()
    update_many([t for pk, t in locked.items() if pk not in reopened], COUNTERS)
    ticket_search_index.append_many((pk, " ".join(parts)) for pk, parts in texts.items())
    for item, message in zip(items, messages, strict=True):
        publish_message_added(message, assignee_id=locked[item.ticket_id].assignee_id)
    for ticket_id, changes in reopened.items():
        events.publish(ticket_events.TicketUpdated(ticket_id=ticket_id, actor_id=None, changes=changes))
    return messages
