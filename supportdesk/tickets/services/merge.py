"""Merging one ticket into another."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.core import events
from supportdesk.core.errors import Conflict, NotFound, ValidationFailed
from supportdesk.tickets import events as ticket_events
from supportdesk.tickets.choices import EventKind, Status
from supportdesk.tickets.models import Attachment, Message, Ticket, TicketShare, TicketTag
from supportdesk.tickets.services.actors import Actor
from supportdesk.tickets.services.common import record, ticket_search_index
from supportdesk.tickets.services.status import apply_status


@transaction.atomic
def ticket_merge(*, actor: Actor, source_id: int, target_id: int, at: datetime | None = None) -> Ticket:
    """Merge ticket `source_id` into `target_id`; both must be visible to `actor`, an agent.

    The source's messages and attachments move to the target (keeping their times, so the
    conversation reads in order), its tags and shares are added to the target, and the source
    is closed with a pointer to the target. Both timelines record the merge. Locks both tickets
    in id order so two merges cannot deadlock. Emits TicketMerged."""
    actor.require_worker()
    if source_id == target_id:
        raise ValidationFailed(_("A ticket cannot be merged into itself."), code="merge_into_self")
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .filter(actor.visibility(), pk__in=[source_id, target_id])
        .order_by("pk")
    }
    source, target = locked.get(source_id), locked.get(target_id)
    if source is None or target is None:
        raise NotFound(_("Ticket not found."), code="ticket_not_found")
    for ticket in (source, target):
        if ticket.is_closed or ticket.merged_into_id:
            raise Conflict(
                _("Ticket #%(id)s is closed and cannot be merged.") % {"id": ticket.pk}, code="ticket_closed"
            )

    moved = Message.objects.filter(ticket=source).update(ticket=target)
    Attachment.objects.filter(ticket=source).update(ticket=target)
    TicketTag.objects.bulk_create(
        [
            TicketTag(ticket=target, tag_id=pk)
            for pk in TicketTag.objects.filter(ticket=source).values_list("tag_id", flat=True)
        ],
        ignore_conflicts=True,
    )
    TicketShare.objects.bulk_create(
        [
            TicketShare(ticket=target, user_id=user_id, shared_by=actor.user)
            for user_id in TicketShare.objects.filter(ticket=source).values_list("user_id", flat=True)
        ],
        ignore_conflicts=True,
    )

    now = at or timezone.now()
    record(source, actor, EventKind.MERGED_INTO, at=now, ticket={"id": target.pk, "subject": target.subject})
    record(
        target,
        actor,
        EventKind.MERGED_FROM,
        at=now,
        ticket={"id": source.pk, "subject": source.subject},
        messages=moved,
    )

    changes: dict[str, Any] = {}
    apply_status(source, actor, Status.CLOSED, None, changes, by_system=True, at=now)
    source.merged_into = target
    source.message_count = 0
    source.updated_at = now
    source.save()

    target.message_count += moved
    target.updated_at = now
    for stamp in ("last_customer_message_at", "last_agent_message_at"):
        values = [v for v in (getattr(source, stamp), getattr(target, stamp)) if v is not None]
        if values:
            setattr(target, stamp, max(values))
    target.first_response_at = target.first_response_at or source.first_response_at
    target.save()

    _move_search_document(source, target)
    events.publish(ticket_events.TicketMerged(source_id=source.pk, target_id=target.pk))
    return target


def _move_search_document(source: Ticket, target: Ticket) -> None:
    texts = (
        Message.objects.filter(ticket=target).order_by("created_at", "id").values_list("body_text", flat=True)
    )
    requester = target.requester
    ticket_search_index.replace(
        target.pk,
        " ".join([target.subject, source.subject, requester.display_name, requester.primary_email, *texts]),
    )
    ticket_search_index.delete(source.pk)
