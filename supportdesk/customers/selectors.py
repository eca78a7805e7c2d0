"""Reads for customers and organizations."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, F, QuerySet, Value
from django.db.models.expressions import RawSQL

from supportdesk.core.compiled import CompiledQuery
from supportdesk.core.conf import product_settings
from supportdesk.customers.models import Customer, CustomerEmail, CustomerPhone, Organization
from supportdesk.customers.phones import InvalidPhoneNumber, normalize_phone
from supportdesk.customers.services import customer_search_index

_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]{6,40}$")


def _search_text(query: str) -> str:
    """Phone numbers are indexed in E.164 form (+48221234567), so a number typed the way
    people write it ("+48 22 123 45 67", "(202) 555-0143") is normalized first."""
    query = query.strip()
    if _PHONE_LIKE.match(query):
        try:
            return normalize_phone(query, product_settings().default_phone_region)
        except InvalidPhoneNumber:
            pass
    return query


def customer_list(*, query: str = "", organization_id: int | None = None) -> QuerySet[Customer]:
    """Customers with their organization joined, optionally matched by name, email or phone."""
    customers = Customer.objects.select_related("organization")
    if organization_id:
        customers = customers.filter(organization_id=organization_id)
    if query.strip():
        match = customer_search_index.matching_ids(_search_text(query))
        if match is not None:
            customers = customers.filter(pk__in=RawSQL(*match))
    return customers


def customer_for_phone(raw: str) -> Customer | None:
    """The customer who owns this number (in any spelling of it), or None."""
    try:
        number = normalize_phone(raw, product_settings().default_phone_region)
    except InvalidPhoneNumber:
        return None
    row = CustomerPhone.objects.select_related("customer").filter(number=number).order_by("id").first()
    return row.customer if row else None


def customer_detail(customer_id: int) -> Customer:
    return (
        Customer.objects.select_related("organization", "user")
        .prefetch_related("emails", "phones")
        .get(pk=customer_id)
    )


def organization_list(*, query: str = "") -> QuerySet[Organization]:
    """Organizations with their domains and member counts, optionally matched by name."""
    organizations = Organization.objects.annotate(customer_count=Count("customers")).prefetch_related(
        "domains"
    )
    if query.strip():
        organizations = organizations.filter(name__icontains=query.strip()[:100])
    return organizations


def organization_detail(organization_id: int) -> Organization:
    return (
        Organization.objects.prefetch_related("domains")
        .annotate(customer_count=Count("customers"))
        .get(pk=organization_id)
    )


def _contacts(customer_id: int) -> QuerySet[Any]:
    emails = (
        CustomerEmail.objects.filter(customer_id=customer_id)
        .annotate(kind=Value("email"), value=F("email"), primary=F("is_primary"))
        .values_list("kind", "value", "primary", "id")
        .order_by()  # SQLite allows no ORDER BY inside a UNION; sorted below
    )
    phones = (
        CustomerPhone.objects.filter(customer_id=customer_id)
        .annotate(kind=Value("phone"), value=F("number"), primary=Value(False))
        .values_list("kind", "value", "primary", "id")
        .order_by()
    )
    return emails.union(phones, all=True)


_CONTACTS: CompiledQuery[tuple[str, str, bool, int]] = CompiledQuery(_contacts)


def customer_contacts(customer_id: int) -> tuple[list[str], list[str]]:
    """A customer's email addresses (the primary first, then by address) and phone numbers
    (in the order they were added), in one query (compiled once: core/compiled.py): the ticket
    page shows both."""
    rows = _CONTACTS(customer_id=customer_id)
    addresses = sorted((row for row in rows if row[0] == "email"), key=lambda row: (not row[2], row[1]))
    numbers = sorted((row for row in rows if row[0] == "phone"), key=lambda row: row[3])
    return [row[1] for row in addresses], [row[1] for row in numbers]
