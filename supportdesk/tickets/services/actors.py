"""Who performs a ticket action, and in which capacity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from supportdesk.core.errors import NotFound, PermissionDenied
from supportdesk.core.queries import unique_row
from supportdesk.tickets import permissions
from supportdesk.tickets.choices import AuthorKind
from supportdesk.tickets.models import Ticket

if TYPE_CHECKING:
    from supportdesk.accounts.models import User
    from supportdesk.customers.models import Customer


@dataclass(frozen=True)
class Actor:
    """A staff member in the agent interface or API, a customer (portal or a channel), or the
    system (scheduled tasks). A staff member who writes in through the portal acts as a customer."""

    user: User | None = None
    customer: Customer | None = None

    @classmethod
    def staff(cls, user: User) -> Actor:
        if not user.is_staff_member:
            raise PermissionDenied(_("This needs a staff account."))
        return cls(user=user)

    @classmethod
    def of_customer(cls, customer: Customer, user: User | None = None) -> Actor:
        return cls(user=user, customer=customer)

    @classmethod
    def system(cls) -> Actor:
        return cls()

    @property
    def is_customer(self) -> bool:
        return self.customer is not None

    @property
    def is_system(self) -> bool:
        return self.user is None and self.customer is None

    @property
    def is_staff(self) -> bool:
        return self.customer is None and self.user is not None

    @property
    def author_kind(self) -> str:
        if self.is_customer:
            return AuthorKind.CUSTOMER
        return AuthorKind.AGENT if self.is_staff else AuthorKind.SYSTEM

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    def visibility(self) -> Q:
        if self.is_system:
            return Q()
        if self.is_customer:
            return permissions.customer_visibility(self.customer)
        assert self.user is not None
        return permissions.staff_visibility(self.user)

    def require_worker(self) -> None:
        """Only agents (and above) and the system change ticket fields."""
        if self.is_system:
            return
        if self.user is None or self.is_customer or not permissions.can_work(self.user):
            raise PermissionDenied(_("You cannot change this ticket."))

    def event_fields(self) -> dict[str, object]:
        return {"actor": self.user if self.is_staff else None, "actor_customer": self.customer}


LOCK_RELATED = ("status_label", "assignee", "group", "category", "requester", "priority")


def lock_ticket(actor: Actor, ticket_id: int, *, related: tuple[str, ...] = LOCK_RELATED) -> Ticket:
    """The ticket, locked for update, if `actor` may see it; NotFound otherwise. `related` are
    the relations read with it (all those a change may name in the timeline by default)."""
    rows = Ticket.objects.select_for_update(of=("self",)).select_related(*related)
    ticket = unique_row(rows.filter(actor.visibility(), pk=ticket_id))
    if ticket is None:
        raise NotFound(_("Ticket not found."), code="ticket_not_found")
    return ticket
