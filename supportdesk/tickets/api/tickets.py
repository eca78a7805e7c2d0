"""REST API for tickets: list with the inbox's filters, create, read, change, merge, bulk change.

Every read goes through tickets.selectors (which apply the caller's visibility, so a ticket the
caller may not see is a 404) and every write through tickets.services (which enforce the rules:
collaborators may not change fields, transitions follow the table, and so on).
"""

from __future__ import annotations

import contextlib
from typing import Any, cast

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from supportdesk.accounts.models import User
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.queries import unique_row
from supportdesk.customers.models import Customer
from supportdesk.customers.services import clean_email, customer_for_email, customer_get_or_create_by_email
from supportdesk.tickets import selectors
from supportdesk.tickets.api.schemas import (
    ID_MAX,
    TICKET_TYPE_BY_SLUG,
    BulkIn,
    BulkOut,
    MergeIn,
    TicketCreateIn,
    TicketListOut,
    TicketListQuery,
    TicketOut,
    TicketPatchIn,
)
from supportdesk.tickets.api.serializers import (
    custom_field_keys,
    ticket_created_response,
    ticket_out,
    tickets_out,
)
from supportdesk.tickets.choices import STATUS_BY_SLUG, UNSOLVED
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.selectors import TicketFilters
from supportdesk.tickets.services import (
    Actor,
    ticket_create,
    ticket_merge,
    ticket_update,
    tickets_bulk_update,
)
from supportdesk.tickets.tags import InvalidTag, clean_tag

tickets_router = Router(tags=["tickets"])

TicketId = Path(..., ge=1, le=ID_MAX, description="The ticket number.")


def caller(request: HttpRequest) -> User:
    """The authenticated staff member (set by supportdesk.api.auth)."""
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _field_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: message})


def _filters(user: User, query: TicketListQuery) -> TicketFilters:
    statuses: set[int] = set()
    for slug in query.status:
        statuses.update(UNSOLVED if slug == "unsolved" else [STATUS_BY_SLUG[slug]])
    assignee_ids: list[int] = []
    unassigned = False
    for value in query.assignee:
        if value == "none":
            unassigned = True
        elif value == "me":
            assignee_ids.append(user.pk)
        elif value.isdigit() and 0 < int(value) <= ID_MAX:
            assignee_ids.append(int(value))
        else:
            raise _field_error("assignee", _("Give an agent id, “me” or “none”."))
    return TicketFilters(
        statuses=tuple(sorted(statuses)),
        priorities=tuple(query.priority),
        assignee_ids=tuple(assignee_ids),
        unassigned=unassigned,
        group_ids=tuple(query.group),
        category_ids=tuple(query.category),
        tags=tuple(_tag_filter(tag) for tag in query.tag),
        channels=tuple(query.channel),
        languages=tuple(query.language),
        ticket_types=tuple(TICKET_TYPE_BY_SLUG[slug] for slug in query.type),
        requester_id=query.requester,
        organization_id=query.organization,
        text=query.q.replace("\x00", " "),
    )


def _tag_filter(raw: str) -> str:
    """A tag to filter by, spelt the way tags are stored ("VIP Customer" → "vip-customer")."""
    try:
        return clean_tag(raw)
    except InvalidTag:
        raise _field_error("tag", _("“%(tag)s” is not a valid tag.") % {"tag": raw[:60]}) from None


def _view(user: User, slug: str | None) -> selectors.StandardView | None:
    if not slug:
        return None
    try:
        return selectors.view_by_slug(user, slug)
    except NotFound:
        raise _field_error("view", _("Unknown view.")) from None


def fresh_ticket_out(user: User, ticket: Ticket) -> dict[str, Any]:
    """A ticket just written by a service, re-read with the list's joins when the caller can
    still see it. A change can take it out of their sight (moved to another group); then the
    object the service returned is shown, since the caller made that change themselves."""
    with contextlib.suppress(NotFound):
        ticket = selectors.ticket_for_staff(user, ticket.pk)
    return ticket_out(ticket, custom_field_keys())


def _requester(payload: TicketCreateIn, *, create: bool) -> Customer | None:
    """The requester named by id, or found (or, with `create`, created) by email address: exactly
    one of them. None when nobody has the address and `create` is off: nothing is written then."""
    if payload.requester is not None and payload.requester_id is None:
        if not create:
            return customer_for_email(clean_email(payload.requester.email), with_organization=True)
        customer, _created = customer_get_or_create_by_email(
            email=payload.requester.email, name=payload.requester.name, with_organization=True
        )
        return customer
    if payload.requester_id is not None and payload.requester is None:
        found = unique_row(Customer.objects.select_related("organization").filter(pk=payload.requester_id))
        if found is None:
            raise _field_error("requester_id", _("Unknown customer."))
        return found
    raise _field_error("requester", _("Give exactly one of requester_id or requester."))


@tickets_router.get("", response=TicketListOut, operation_id="tickets_list", summary="List tickets")
def tickets_list(request: HttpRequest, filters: Query[TicketListQuery]) -> dict[str, Any]:
    """The tickets the caller may see, filtered like the inbox, newest activity first by default
    (newest first when searching with `q`). Keyset pagination: follow `next_cursor`."""
    user = caller(request)
    page = selectors.ticket_list(
        user,
        view=_view(user, filters.view),
        filters=_filters(user, filters),
        sort=filters.sort,
        cursor=filters.cursor,
        size=filters.limit,
    )
    return {"items": tickets_out(page.items), "next_cursor": page.next_cursor}


@tickets_router.post("", response={201: TicketOut}, operation_id="tickets_create", summary="Open a ticket")
def tickets_create(request: HttpRequest, payload: TicketCreateIn) -> HttpResponse:
    """Open a ticket on a customer's behalf, with their request as the first message."""
    user = caller(request)
    actor = Actor.staff(user)
    # Checked before the requester is looked up or created: a refused request writes nothing.
    actor.require_worker()
    requester = _requester(payload, create=False)
    if requester is not None:
        ticket = _create(actor, requester, payload)  # in the service's own transaction
    else:
        # A new customer is written with their ticket or, if the ticket is refused, not at all.
        with transaction.atomic():
            ticket = _create(actor, cast(Customer, _requester(payload, create=True)), payload)
    # Built from the service's ticket, which holds its related rows and tags: nothing is read
    # again. (Nothing changes a new ticket after commit: its events only enqueue tasks.)
    return ticket_created_response(ticket)


def _create(actor: Actor, requester: Customer, payload: TicketCreateIn) -> Ticket:
    return ticket_create(
        actor=actor,
        requester=requester,
        subject=payload.subject,
        body=payload.body,
        channel=payload.channel,
        priority=payload.priority,
        ticket_type=TICKET_TYPE_BY_SLUG[payload.ticket_type] if payload.ticket_type else None,
        category_id=payload.category_id,
        group_id=payload.group_id,
        assignee_id=payload.assignee_id,
        tags=payload.tags,
        custom_fields=payload.custom_fields,
        language=payload.language,
    )


@tickets_router.post(
    "/bulk-update", response=BulkOut, operation_id="tickets_bulk_update", summary="Change many tickets"
)
def tickets_bulk(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    """Apply the same change to up to 100 tickets; each succeeds or fails on its own."""
    changes = payload.changes.service_changes()
    if not changes:
        raise ValidationFailed(_("Choose at least one change."), code="nothing_to_change")
    results = tickets_bulk_update(actor=Actor.staff(caller(request)), ticket_ids=payload.ids, **changes)
    return {"results": {str(ticket_id): error for ticket_id, error in results.items()}}


@tickets_router.get("/{int:ticket_id}", response=TicketOut, operation_id="tickets_get", summary="One ticket")
def tickets_get(request: HttpRequest, ticket_id: int = TicketId) -> dict[str, Any]:
    ticket = selectors.ticket_for_staff(caller(request), ticket_id)
    return ticket_out(ticket, custom_field_keys())


@tickets_router.patch(
    "/{int:ticket_id}", response=TicketOut, operation_id="tickets_update", summary="Change a ticket"
)
def tickets_update(request: HttpRequest, payload: TicketPatchIn, ticket_id: int = TicketId) -> dict[str, Any]:
    """Change the fields present in the body; absent fields stay as they are."""
    user = caller(request)
    ticket = ticket_update(actor=Actor.staff(user), ticket_id=ticket_id, **payload.service_changes())
    return fresh_ticket_out(user, ticket)


@tickets_router.post(
    "/{int:ticket_id}/merge", response=TicketOut, operation_id="tickets_merge", summary="Merge into another"
)
def tickets_merge(request: HttpRequest, payload: MergeIn, ticket_id: int = TicketId) -> dict[str, Any]:
    """Merge this ticket into `target_id`; returns the target, which now holds the conversation."""
    user = caller(request)
    target = ticket_merge(actor=Actor.staff(user), source_id=ticket_id, target_id=payload.target_id)
    return fresh_ticket_out(user, target)
