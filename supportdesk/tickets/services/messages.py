"""Adding replies and notes to tickets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.core import events
from supportdesk.core.errors import Conflict, PermissionDenied
from supportdesk.core.inserts import insert
from supportdesk.core.text import sanitize_html
from supportdesk.tickets import events as ticket_events
from supportdesk.tickets import permissions
from supportdesk.tickets.choices import EventKind, Status
from supportdesk.tickets.models import Message, Ticket
from supportdesk.tickets.services.actors import Actor, lock_ticket
from supportdesk.tickets.services.attachments import Upload, check_uploads, store_attachments
from supportdesk.tickets.services.common import MAX_BODY, clean_body, index_ticket_text, record
from supportdesk.tickets.services.status import apply_status, check_status
from supportdesk.tickets.transitions import status_after_agent_reply, status_after_customer_reply


def check_may_write(actor: Actor, ticket: Ticket, *, is_public: bool) -> None:
    if ticket.merged_into_id:
        raise Conflict(_("This ticket was merged into another one; reply there."), code="ticket_merged")
    if ticket.is_closed:
        message = (
            _("This request is closed. Please open a new one.")
            if actor.is_customer
            else _("This ticket is closed and takes no more messages.")
        )
        raise Conflict(message, code="ticket_closed")
    if actor.is_system:
        return
    if actor.is_customer:
        if not is_public:
            raise PermissionDenied(_("Customers cannot add internal notes."))
        return
    assert actor.user is not None
    allowed = permissions.can_work(actor.user) if is_public else permissions.can_add_note(actor.user)
    if not allowed:
        raise PermissionDenied(
            _("You cannot reply publicly on this ticket.")
            if is_public
            else _("You cannot add notes to this ticket.")
        )


def _count_message(ticket: Ticket, actor: Actor, *, is_public: bool, at: datetime) -> None:
    ticket.message_count += 1
    ticket.updated_at = at
    fields = ["message_count", "updated_at"]
    if actor.is_customer:
        ticket.last_customer_message_at = at
        fields.append("last_customer_message_at")
    elif actor.is_staff and is_public:
        ticket.last_agent_message_at = at
        fields.append("last_agent_message_at")
        if ticket.first_response_at is None:
            ticket.first_response_at = at
            fields.append("first_response_at")
    ticket.save(update_fields=fields)


def append_message(
    ticket: Ticket,
    actor: Actor,
    *,
    body: str,
    body_html: str = "",
    is_public: bool,
    attachments: Sequence[Upload],
    channel: str,
    created_at: datetime,
    quoted_text: str = "",
    language: str = "",
    opening: bool = False,
) -> Message:
    """Write a message and its attachments onto a locked ticket and update the ticket's
    counters and response times (saved here). No permission checks, no status change.
    `opening` is the first message of a new ticket, by its requester: ticket_create wrote the
    counters of that message into the new row and indexes the ticket's whole document at once,
    so neither is written here."""
    message = Message(
        ticket=ticket,
        is_public=is_public,
        author_kind=actor.author_kind,
        author_user=actor.user if not actor.is_customer else None,
        author_customer=actor.customer,
        channel=channel,
        body_text=clean_body(body),
        body_html=sanitize_html(body_html) if body_html else "",
        quoted_text=quoted_text[:MAX_BODY],
        language=(language or ticket.language)[:16],
        created_at=created_at,
    )
    insert(message)
    store_attachments(message, attachments)
    if not opening:
        _count_message(ticket, actor, is_public=is_public, at=created_at)
        index_ticket_text(ticket, message.body_text)
    publish_message_added(message, assignee_id=ticket.assignee_id, opening=opening)
    return message


def publish_message_added(message: Message, *, assignee_id: int | None, opening: bool = False) -> None:
    """MessageAdded for `message` (after commit), with the ticket's assignee at that moment."""
    events.publish(
        ticket_events.MessageAdded(
            ticket_id=message.ticket_id,
            message_id=message.pk,
            is_public=message.is_public,
            author_kind=message.author_kind,
            is_opening=opening,
            assignee_id=assignee_id,
        )
    )


@transaction.atomic
def message_add(
    *,
    actor: Actor,
    ticket_id: int,
    body: str,
    body_html: str = "",
    is_public: bool = True,
    attachments: Sequence[Upload] = (),
    channel: str | None = None,
    status: Any = None,
    created_at: datetime | None = None,
    quoted_text: str = "",
    language: str = "",
    keep_status: bool = False,
) -> Message:
    """Add a public reply or an internal note, with attachments, to a ticket `actor` can see.

    Locks the ticket. A customer's reply reopens a pending, on-hold or solved ticket (unless
    `keep_status`: an automatic answer such as an out-of-office notice is kept, not acted on); an agent's
    first public reply sets the first response time and takes a new ticket to open. `status`
    lets an agent reply and change the status in one step ("submit as solved"). Closed and
    merged tickets take no messages (Conflict). Emits MessageAdded (and TicketStatusChanged)."""
    check_uploads(attachments)
    # A message changes counters and at most the status: only the status label is needed.
    ticket = lock_ticket(actor, ticket_id, related=("status_label",))
    check_may_write(actor, ticket, is_public=is_public)
    if status not in (None, "") and not (actor.is_staff and actor.user and permissions.can_work(actor.user)):
        # Only people who may change fields (agents and above) may change the status with a message.
        raise PermissionDenied(_("You cannot change this ticket."))
    if status not in (None, ""):
        # Check the requested status before anything (files included) is written.
        check_status(ticket, actor, status, None)
    now = created_at or timezone.now()
    message = append_message(
        ticket,
        actor,
        body=body,
        body_html=body_html,
        is_public=is_public,
        attachments=attachments,
        channel=channel or ticket.channel,
        created_at=now,
        quoted_text=quoted_text,
        language=language,
    )
    record(ticket, actor, EventKind.REPLY if is_public else EventKind.NOTE, at=now, message_id=message.pk)
    if status not in (None, ""):
        target = status
    elif actor.is_customer and not keep_status:
        target = status_after_customer_reply(ticket.status)
    elif actor.is_staff and is_public:
        target = status_after_agent_reply(ticket.status)
    else:
        target = Status(ticket.status)
    if target != ticket.status:
        changes: dict[str, Any] = {}
        apply_status(ticket, actor, target, None, changes, at=now)
        ticket.save()
        events.publish(
            ticket_events.TicketUpdated(ticket_id=ticket.pk, actor_id=actor.user_id, changes=changes)
        )
    return message
