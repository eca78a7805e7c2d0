"""Moving a ticket to another status: the transition table, labels and per-status timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.core import events
from supportdesk.core.errors import Conflict, ValidationFailed
from supportdesk.tickets import events as ticket_events
from supportdesk.tickets.choices import EventKind, Status
from supportdesk.tickets.models import StatusLabel, Ticket
from supportdesk.tickets.services.actors import Actor
from supportdesk.tickets.services.common import clean_custom_fields, record
from supportdesk.tickets.transitions import can_transition


def check_status(
    ticket: Ticket, actor: Actor, status: Any, label_id: int | None, *, by_system: bool = False
) -> tuple[int, StatusLabel | None] | None:
    """The (status, label) `ticket` would move to, or None when nothing would change.

    Changes nothing, so callers can check before they write anything else (files, messages).
    A label alone implies its status; a status alone takes that status's default label. Raises
    Conflict for a transition the table forbids and ValidationFailed when solving a ticket whose
    required fields are empty."""
    label = None
    if label_id is not None:
        label = StatusLabel.objects.filter(pk=label_id, is_active=True).first()
        if label is None:
            raise ValidationFailed.on("status", _("Unknown status."))
        if status is None or not isinstance(status, int):
            status = label.status
        elif label.status != status:
            raise ValidationFailed.on("status", _("The status label does not belong to this status."))
    if status not in Status.values:
        raise ValidationFailed.on("status", _("Unknown status."))
    if label is None:
        if status == ticket.status:
            return None
        label = StatusLabel.objects.filter(status=status, is_default=True, is_active=True).first()
    if status == ticket.status and label is not None and label.pk == ticket.status_label_id:
        return None
    if ticket.merged_into_id and not by_system:
        raise Conflict(_("This ticket was merged into another one."), code="ticket_merged")
    if not can_transition(ticket.status, status, by_system=by_system):
        message = _("A ticket cannot go from “%(old)s” to “%(new)s”.") % {
            "old": Status(ticket.status).label,
            "new": Status(status).label,
        }
        raise Conflict(message, code="invalid_transition")
    if status == Status.SOLVED and actor.is_staff:
        clean_custom_fields({}, current=ticket.custom_fields, for_customer=False, enforce_required=True)
    return int(status), label


def apply_status(
    ticket: Ticket,
    actor: Actor,
    status: Any,
    label_id: int | None,
    changes: dict[str, Any],
    *,
    by_system: bool = False,
    at: datetime | None = None,
) -> None:
    """Set `ticket` (locked by the caller, saved by the caller) to `status` and/or a status label,
    after check_status. Writes the timeline event and records the change in `changes`."""
    target = check_status(ticket, actor, status, label_id, by_system=by_system)
    if target is None:
        return
    status, label = target
    old_status, old_label = ticket.status, ticket.status_label
    now = at or timezone.now()
    if status != old_status:
        ticket.status_changed_at = now
        if status == Status.SOLVED:
            ticket.solved_at = now
        elif status == Status.CLOSED:
            ticket.closed_at = now
        elif old_status == Status.SOLVED:
            ticket.reopen_count += 1
            ticket.solved_at = None
    ticket.status, ticket.status_label = status, label
    record(
        ticket,
        actor,
        EventKind.STATUS,
        at=now,
        old=old_status,
        new=status,
        old_label=old_label.name if old_label else None,
        new_label=label.name if label else None,
    )
    changes["status"] = [old_status, status]
    if status != old_status:
        events.publish(
            ticket_events.TicketStatusChanged(ticket_id=ticket.pk, old_status=old_status, new_status=status)
        )
