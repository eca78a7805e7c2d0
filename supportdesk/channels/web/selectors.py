"""Reads for the customer portal.

Which tickets a customer sees is decided by the tickets app (permissions.customer_visibility
through its selectors); this module only shapes what the portal pages show around them: the
signed-in person's customer record, the category tree, and the custom fields customers see or
fill in. Every function here costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from supportdesk.customers.models import Customer
from supportdesk.tickets.choices import FieldType
from supportdesk.tickets.models import Category, CustomField, Ticket
from supportdesk.tickets.selectors import tickets_of_customer

if TYPE_CHECKING:
    from supportdesk.accounts.models import User

# Options of a <select> keep leading no-break spaces (ordinary spaces are collapsed).
INDENT = "\u00a0\u00a0\u00a0\u00a0"


def portal_customer(user: User) -> Customer | None:
    """The customer record of a signed-in portal user, with the organization that decides
    which tickets they see (one query); None when the account has no customer record."""
    if not user.is_authenticated:
        return None
    return Customer.objects.select_related("organization").filter(user_id=user.pk).first()


def shares_organization_tickets(customer: Customer) -> bool:
    """Whether the customer has the "My organization's requests" tab."""
    return customer.organization is not None and customer.organization.shares_tickets


def category_choices() -> list[tuple[int, str]]:
    """Active categories as (id, indented localized name), depth first in the admin's order.

    A category under an inactive parent is left out with its parent: customers should not file
    requests in a branch the desk has retired. Categories are a short, admin-made list, so the
    whole tree is read in one query and arranged here.
    """
    nodes = list(Category.objects.filter(is_active=True).order_by("position", "name", "id"))
    children: dict[int | None, list[Category]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    choices: list[tuple[int, str]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for node in children.get(parent_id, []):
            choices.append((node.pk, INDENT * depth + node.localized_name()))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return choices


def customer_fillable_fields() -> list[CustomField]:
    """The custom fields a customer fills in on a new request (visible and editable)."""
    return list(
        CustomField.objects.filter(is_active=True, visible_to_customers=True, editable_by_customers=True)
    )


@dataclass(frozen=True)
class FieldValue:
    label: str
    value: str


def customer_visible_field_values(ticket: Ticket) -> list[FieldValue]:
    """The ticket's values of the custom fields customers may see, labelled in the current
    language. Internal fields never leave this function."""
    if not ticket.custom_fields:
        return []
    fields = CustomField.objects.filter(
        is_active=True, visible_to_customers=True, key__in=list(ticket.custom_fields)
    )
    values = []
    for field in fields:
        raw = ticket.custom_fields.get(field.key)
        if raw is None or raw == "":
            continue
        values.append(FieldValue(label=field.localized_name(), value=_display_value(field, raw)))
    return values


def _display_value(field: CustomField, raw: Any) -> str:
    if field.field_type == FieldType.CHECKBOX:
        return _("Yes") if raw else _("No")
    if field.field_type == FieldType.DATE:
        try:
            return date_format(date.fromisoformat(str(raw)))
        except ValueError:
            return str(raw)
    return str(raw)


def visible_merge_target(customer: Customer, ticket: Ticket) -> Ticket | None:
    """The request `ticket` was merged into, if the customer may see it (else None: the
    customer learns that it was merged, not where to)."""
    if not ticket.merged_into_id:
        return None
    return tickets_of_customer(customer).filter(pk=ticket.merged_into_id).only("id", "subject").first()
