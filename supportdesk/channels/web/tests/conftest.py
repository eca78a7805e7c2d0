"""Fixtures for the portal tests: organization colleagues, categories, custom fields."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from supportdesk.channels.web.tests.helpers import portal_customer
from supportdesk.customers.models import Customer, Organization
from supportdesk.tickets.choices import FieldType
from supportdesk.tickets.models import Category, CustomField


@pytest.fixture
def member_of(organization: Organization) -> Callable[[Customer], Customer]:
    """Put a customer into the shared `organization` fixture."""

    def join(person: Customer) -> Customer:
        person.organization = organization
        person.save(update_fields=["organization"])
        return person

    return join


@pytest.fixture
def colleague(organization: Organization) -> Customer:
    """Another customer of `organization` (which does not share tickets unless a test says so)."""
    return portal_customer("colleague@example.com", "Cody Colleague", organization)


@pytest.fixture
def sharing(organization: Organization) -> Organization:
    organization.shares_tickets = True
    organization.save(update_fields=["shares_tickets"])
    return organization


@pytest.fixture
def categories(db: None) -> dict[str, Category]:
    hardware = Category.objects.create(name="Hardware", position=1, translations={"pl": "Sprzęt"})
    printers = Category.objects.create(name="Printers", parent=hardware, position=1)
    retired = Category.objects.create(name="Fax machines", position=2, is_active=False)
    under_retired = Category.objects.create(name="Thermal paper", parent=retired, position=1)
    return {
        "hardware": hardware,
        "printers": printers,
        "retired": retired,
        "under_retired": under_retired,
        "other": Category.objects.get(is_fallback=True),
    }


@pytest.fixture
def custom_fields(db: None) -> dict[str, CustomField]:
    """One field of each kind customers meet, plus fields they must never see or fill in."""
    return {
        "order": CustomField.objects.create(
            key="order_number",
            name="Order number",
            field_type=FieldType.TEXT,
            required=True,
            visible_to_customers=True,
            editable_by_customers=True,
            position=1,
        ),
        "quantity": CustomField.objects.create(
            key="quantity",
            name="Quantity",
            field_type=FieldType.NUMBER,
            visible_to_customers=True,
            editable_by_customers=True,
            position=2,
        ),
        "purchased": CustomField.objects.create(
            key="purchased_on",
            name="Purchased on",
            field_type=FieldType.DATE,
            visible_to_customers=True,
            editable_by_customers=True,
            position=3,
        ),
        "model": CustomField.objects.create(
            key="model",
            name="Model",
            field_type=FieldType.DROPDOWN,
            options=["X100", "X200"],
            visible_to_customers=True,
            editable_by_customers=True,
            position=4,
        ),
        "warranty": CustomField.objects.create(
            key="under_warranty",
            name="Under warranty",
            field_type=FieldType.CHECKBOX,
            visible_to_customers=True,
            editable_by_customers=True,
            position=5,
        ),
        "rma": CustomField.objects.create(
            key="rma_code",
            name="Return code",
            field_type=FieldType.TEXT,
            visible_to_customers=True,
            editable_by_customers=False,
            position=6,
        ),
        "internal": CustomField.objects.create(
            key="fraud_score",
            name="Fraud score",
            field_type=FieldType.TEXT,
            visible_to_customers=False,
            editable_by_customers=False,
            position=7,
        ),
    }
