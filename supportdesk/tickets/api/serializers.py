"""Tickets, messages and timeline events as API dictionaries (validated by the output schemas).

They read only what the selectors join or prefetch, so a list costs the same number of queries
whatever its length; on a single object fresh from a service a missing join costs one query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja.responses import NinjaJSONEncoder

from supportdesk.core.links import link
from supportdesk.tickets.api.schemas import SLUG_BY_TICKET_TYPE
from supportdesk.tickets.choices import AuthorKind, status_slug
from supportdesk.tickets.models import Attachment, CustomField, Message, Ticket, TicketEvent
from supportdesk.tickets.services.reference import reference_cached


def custom_field_keys() -> frozenset[str]:
    """Keys of the defined custom fields. Values of deleted definitions stay stored on tickets
    but hidden (they come back if the field is created again), so outputs show only these.
    Cached per process until the custom fields change (tickets.services.reference)."""
    return reference_cached(
        "tickets.custom_field_keys", lambda: frozenset(CustomField.objects.values_list("key", flat=True))
    )


def _ref(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    name = obj.localized_name() if hasattr(obj, "localized_name") else str(obj.name)
    return {"id": obj.pk, "name": name}


def ticket_url(ticket_id: int) -> str:
    return link("tickets:detail", ticket_id)


def ticket_out(ticket: Ticket, field_keys: frozenset[str]) -> dict[str, Any]:
    requester, assignee = ticket.requester, ticket.assignee
    return {
        "id": ticket.pk,
        "subject": ticket.subject,
        "status": status_slug(ticket.status),
        "status_label": _ref(ticket.status_label) if ticket.status_label_id else None,
        "priority": {"rank": ticket.priority.rank, "name": ticket.priority.localized_name()},
        "ticket_type": SLUG_BY_TICKET_TYPE.get(ticket.ticket_type) if ticket.ticket_type else None,
        "category": _ref(ticket.category) if ticket.category_id else None,
        "channel": ticket.channel,
        "language": ticket.language,
        "requester": {"id": requester.pk, "name": requester.display_name, "email": requester.primary_email},
        "organization": _ref(ticket.organization) if ticket.organization_id else None,
        "assignee": (
            {"id": assignee.pk, "name": str(assignee), "email": assignee.email}
            if assignee is not None
            else None
        ),
        "group": _ref(ticket.group) if ticket.group_id else None,
        "tags": sorted(tag.name for tag in ticket.tags.all()),
        "custom_fields": {k: v for k, v in ticket.custom_fields.items() if k in field_keys},
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_response_at": ticket.first_response_at,
        "solved_at": ticket.solved_at,
        "closed_at": ticket.closed_at,
        "merged_into_id": ticket.merged_into_id,
        "message_count": ticket.message_count,
        "url": ticket_url(ticket.pk),
    }


def ticket_created_response(ticket: Ticket) -> HttpResponse:
    """The 201 answer of POST /tickets, rendered as ninja renders a `TicketOut`.

    `ticket_out` already produces exactly the schema's fields in its order and types (the tests
    of the create call compare it with GET /tickets/{id}), so the output validation ninja would
    run on it, about a tenth of the call, is skipped; the route still declares `TicketOut`."""
    body = json.dumps(ticket_out(ticket, custom_field_keys()), cls=NinjaJSONEncoder)
    return HttpResponse(body, status=201, content_type="application/json; charset=utf-8")


def tickets_out(tickets: Iterable[Ticket]) -> list[dict[str, Any]]:
    keys = custom_field_keys()
    return [ticket_out(ticket, keys) for ticket in tickets]


def _author(kind: str, user: Any, customer: Any) -> dict[str, Any]:
    if kind == AuthorKind.CUSTOMER or (user is None and customer is not None):
        if customer is None:  # the customer record was deleted
            return {"type": "customer", "id": None, "name": _("Deleted customer"), "email": None}
        return {
            "type": "customer",
            "id": customer.pk,
            "name": customer.display_name,
            "email": customer.primary_email or None,
        }
    if user is not None:
        return {"type": "agent", "id": user.pk, "name": str(user), "email": user.email}
    if kind == AuthorKind.AGENT:  # the account was deleted
        return {"type": "agent", "id": None, "name": _("Deleted user"), "email": None}
    return {"type": "system", "id": None, "name": _("System"), "email": None}


def attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": link("files:attachment", attachment.token),
    }


def message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "ticket_id": message.ticket_id,
        "is_public": message.is_public,
        "author": _author(message.author_kind, message.author_user, message.author_customer),
        "channel": message.channel,
        "body": message.body_text,
        "body_html": message.body_html,
        "created_at": message.created_at,
        "attachments": [attachment_out(a) for a in message.attachments.all()],
    }


def event_out(event: TicketEvent) -> dict[str, Any]:
    kind = AuthorKind.AGENT if event.actor_id else AuthorKind.CUSTOMER if event.actor_customer_id else ""
    return {
        "id": event.pk,
        "kind": event.kind,
        "actor": _author(kind, event.actor, event.actor_customer),
        "data": event.data,
        "created_at": event.created_at,
    }
