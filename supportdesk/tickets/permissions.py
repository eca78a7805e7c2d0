"""Who may see and do what with tickets. Deny by default.

Visibility is a queryset filter, so the inbox, the ticket page, search, attachments and the API
all apply the same rule in the database:

- managers and administrators see every ticket;
- agents see the tickets of their groups and the tickets assigned to them;
- collaborators see only the tickets shared with them;
- customers see their own requests, those they follow (copied on), and their organization's when
  it shares tickets;
- anybody else (inactive, anonymous) sees nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from supportdesk.tickets.models import Ticket, TicketFollower, TicketShare

if TYPE_CHECKING:
    from supportdesk.accounts.models import User
    from supportdesk.customers.models import Customer

NOTHING = Q(pk__in=[])


class Reach(Enum):
    """How far a staff member's sight reaches: the branches of `staff_visibility`."""

    NOTHING = "nothing"
    EVERY_TICKET = "every ticket"
    SHARED = "shared with them"
    GROUPS = "their groups', assigned or shared"


def staff_reach(user: User) -> dict[str, Any]:
    """What `staff_visibility` depends on, as plain values: the arguments of `reach_filter`
    (and so of a CompiledQuery that filters by it)."""
    if not user.is_authenticated or not user.is_staff_member:
        return {"reach": Reach.NOTHING}
    if user.sees_all_tickets:
        return {"reach": Reach.EVERY_TICKET}
    if not user.is_agent:
        return {"reach": Reach.SHARED, "viewer_id": user.pk}
    return {"reach": Reach.GROUPS, "viewer_id": user.pk, "group_ids": sorted(user.group_ids)}


def reach_filter(reach: Reach, viewer_id: int = 0, group_ids: Sequence[int] = ()) -> Q:
    if reach is Reach.NOTHING:
        return NOTHING
    if reach is Reach.EVERY_TICKET:
        return Q()
    shared = Q(pk__in=TicketShare.objects.filter(user_id=viewer_id).values("ticket_id"))
    if reach is Reach.SHARED:
        return shared
    return Q(group_id__in=group_ids) | Q(assignee_id=viewer_id) | shared


def staff_visibility(user: User) -> Q:
    return reach_filter(**staff_reach(user))


def customer_visibility(customer: Customer | None) -> Q:
    if customer is None:
        return NOTHING
    own = Q(requester_id=customer.pk) | Q(
        pk__in=TicketFollower.objects.filter(customer_id=customer.pk).values("ticket_id")
    )
    organization = customer.organization
    if organization is not None and organization.shares_tickets:
        return own | Q(organization_id=organization.pk)
    return own


def staff_can_see(user: User, ticket_id: int) -> bool:
    return Ticket.objects.filter(staff_visibility(user), pk=ticket_id).exists()


# -- actions on a ticket the person can already see ------------------------------------------
def can_work(user: User) -> bool:
    """Change fields, assign, reply publicly, merge, create on a customer's behalf."""
    return user.is_agent


def can_add_note(user: User) -> bool:
    return user.is_staff_member


def can_share(user: User) -> bool:
    return user.is_agent
