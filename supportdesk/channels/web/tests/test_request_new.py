"""Opening a request from the portal: categories, customer custom fields, attachments, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from supportdesk.channels.web.tests.helpers import close, csrf_client, customer_client, upload
from supportdesk.customers.models import Customer
from supportdesk.tickets.choices import AuthorKind, Channel, Status
from supportdesk.tickets.models import Attachment, Category, CustomField, Message, Ticket

pytestmark = pytest.mark.django_db

NEW = "/requests/new/"


def valid(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"subject": "The printer is on fire", "body": "Smoke everywhere.\nPlease hurry."}
    data.update(changes)
    return data


def nothing_written() -> bool:
    return not Ticket.objects.exists() and not Message.objects.exists() and not Attachment.objects.exists()


def test_visitors_sign_in_first(client: Client) -> None:
    assert client.get(NEW)["Location"] == "/login/?next=/requests/new/"
    response = client.post(NEW, valid())
    assert response.status_code == 302
    assert nothing_written()


@pytest.mark.parametrize("role", ["agent", "manager", "collaborator"])
def test_staff_are_sent_to_the_desk(role: str, request: pytest.FixtureRequest, client_for: Any) -> None:
    client = client_for(request.getfixturevalue(role))
    assert client.get(NEW)["Location"] == "/desk/"
    assert client.post(NEW, valid())["Location"] == "/desk/"
    assert nothing_written()


def test_the_form_offers_the_category_tree_and_customer_fields(
    customer: Customer, categories: dict[str, Category], custom_fields: dict[str, CustomField]
) -> None:
    client = customer_client(customer)
    body = client.get(NEW).content.decode()
    assert f'<option value="{categories["hardware"].pk}">Hardware</option>' in body
    assert f'<option value="{categories["printers"].pk}">\u00a0\u00a0\u00a0\u00a0Printers</option>' in body
    assert f'<option value="{categories["other"].pk}">Other</option>' in body
    assert "Fax machines" not in body and "Thermal paper" not in body
    for name in ("cf_order_number", "cf_quantity", "cf_purchased_on", "cf_model", "cf_under_warranty"):
        assert f'name="{name}"' in body
    assert 'type="number"' in body and 'type="date"' in body and 'type="checkbox"' in body
    assert "cf_rma_code" not in body  # visible, but agents fill it in
    assert "cf_fraud_score" not in body and "Fraud score" not in body
    assert 'enctype="multipart/form-data"' in body
    assert "multiple" in body
    # Category names follow the page's language.
    customer.user.language = "pl"
    customer.user.save(update_fields=["language"])
    assert "Sprzęt" in client.get(NEW).content.decode()


def test_creating_a_request_with_everything(
    customer: Customer, categories: dict[str, Category], custom_fields: dict[str, CustomField]
) -> None:
    client = customer_client(customer)
    data = valid(
        category=categories["printers"].pk,
        cf_order_number="  A-1001 ",
        cf_quantity="2.5",
        cf_purchased_on="2024-02-29",
        cf_model="X200",
        cf_under_warranty="on",
        attachments=[upload("photo.png", b"\x89PNG fake", "image/png"), upload("log.txt", b"line 1")],
    )
    response = client.post(NEW, data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{ticket.pk}/"
    assert ticket.subject == "The printer is on fire"
    assert ticket.requester == customer
    assert ticket.channel == Channel.WEB
    assert ticket.category == categories["printers"]
    assert ticket.status == Status.NEW
    assert ticket.custom_fields == {
        "order_number": "A-1001",
        "quantity": 2.5,
        "purchased_on": "2024-02-29",
        "model": "X200",
        "under_warranty": True,
    }
    message = ticket.messages.get()
    assert message.author_kind == AuthorKind.CUSTOMER
    assert message.author_customer == customer
    assert message.body_text == "Smoke everywhere.\nPlease hurry."
    assert sorted(a.filename for a in message.attachments.all()) == ["log.txt", "photo.png"]
    page = client.get(response["Location"]).content.decode()
    assert f"We received your request #{ticket.pk}" in page


def test_without_a_category_the_request_goes_to_other(customer: Customer) -> None:
    response = customer_client(customer).post(NEW, valid(category=""))
    assert response.status_code == 302
    assert Ticket.objects.get().category == Category.objects.get(is_fallback=True)


def test_follow_up_of_a_closed_request_is_prefilled(customer: Customer, make_ticket: Any) -> None:
    old = make_ticket(customer, subject="Broken lid")
    close(old)
    response = customer_client(customer).get(NEW, {"follow_up": old.pk})
    form = response.context["form"]
    assert form.initial["subject"] == "Follow-up: Broken lid"
    assert f"#{old.pk}" in form.initial["body"]


def test_follow_up_of_someone_elses_request_is_ignored(
    customer: Customer, other_customer: Customer, make_ticket: Any
) -> None:
    theirs = make_ticket(other_customer, subject="Secret subject")
    response = customer_client(customer).get(NEW, {"follow_up": theirs.pk})
    assert "Secret subject" not in response.content.decode()
    assert response.context["form"].initial == {}


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"subject": ""}, "subject", "required"),
        ({"body": ""}, "body", "required"),
        ({"body": "   \n  "}, "body", "cannot be empty"),
        ({"subject": "<script>alert(1)</script>"}, "subject", "cannot contain HTML"),
        ({"subject": "Hi <img src=x onerror=alert(1)>"}, "subject", "cannot contain HTML"),
        ({"subject": "x" * 251}, "subject", "at most 250"),
        ({"category": "999999"}, "category", "valid choice"),
        ({"category": "not-a-number"}, "category", "valid choice"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    customer: Customer, changes: dict[str, Any], field: str, text: str
) -> None:
    response = customer_client(customer).post(NEW, valid(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert text in " ".join(errors.get(field, [])), errors
    assert nothing_written()


def test_an_inactive_category_cannot_be_forged(customer: Customer, categories: dict[str, Category]) -> None:
    response = customer_client(customer).post(NEW, valid(category=categories["retired"].pk))
    assert "valid choice" in " ".join(response.context["form"].errors["category"])
    assert nothing_written()


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"cf_order_number": ""}, "cf_order_number", "required"),
        ({"cf_quantity": "lots"}, "cf_quantity", "number"),
        ({"cf_purchased_on": "29/02/2024"}, "cf_purchased_on", "valid date"),
        ({"cf_model": "X999"}, "cf_model", "valid choice"),
        ({"cf_order_number": "x" * 1001}, "cf_order_number", "at most 1000"),
    ],
)
def test_bad_custom_field_values_are_refused(
    customer: Customer,
    custom_fields: dict[str, CustomField],
    changes: dict[str, Any],
    field: str,
    text: str,
) -> None:
    data = valid(**{"cf_order_number": "A-1", **changes})
    response = customer_client(customer).post(NEW, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert text in " ".join(errors.get(field, [])), errors
    assert nothing_written()


def test_a_required_field_customers_cannot_fill_does_not_block_them(
    customer: Customer, custom_fields: dict[str, CustomField]
) -> None:
    internal = custom_fields["internal"]
    internal.required = True
    internal.save(update_fields=["required"])
    response = customer_client(customer).post(NEW, valid(cf_order_number="A-1", cf_fraud_score="0"))
    assert response.status_code == 302
    # A value posted for a field the customer may not fill in is ignored, not stored.
    assert "fraud_score" not in Ticket.objects.get().custom_fields


def test_service_errors_land_on_the_custom_field(
    customer: Customer, custom_fields: dict[str, CustomField]
) -> None:
    # The form thinks the field is optional; the service knows better by the time it runs.
    data = valid(cf_order_number="A-1")
    field = custom_fields["model"]
    client = customer_client(customer)
    field.required = True
    field.save(update_fields=["required"])
    response = client.post(NEW, data)
    assert "required" in " ".join(response.context["form"].errors["cf_model"])
    assert nothing_written()


def test_an_oversized_attachment_is_refused(customer: Customer, settings: Any) -> None:
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "ATTACHMENT_MAX_BYTES": 10}
    response = customer_client(customer).post(
        NEW, valid(attachments=[upload("big.bin", b"x" * 11, "application/octet-stream")])
    )
    assert response.status_code == 200
    assert "“big.bin” is larger than the limit of 10\xa0bytes." in " ".join(
        response.context["form"].errors["attachments"]
    )
    assert nothing_written()


def test_too_many_attachments_are_refused(customer: Customer, settings: Any) -> None:
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "ATTACHMENTS_PER_MESSAGE": 2}
    files = [upload(f"f{n}.txt", b"data") for n in range(3)]
    response = customer_client(customer).post(NEW, valid(attachments=files))
    assert "At most 2 files" in " ".join(response.context["form"].errors["attachments"])
    assert nothing_written()


def test_an_empty_attachment_is_refused(customer: Customer) -> None:
    response = customer_client(customer).post(NEW, valid(attachments=[upload("empty.txt", b"")]))
    assert response.status_code == 200
    assert response.context["form"].errors["attachments"]
    assert nothing_written()


def test_the_requester_cannot_be_forged(customer: Customer, other_customer: Customer) -> None:
    customer_client(customer).post(NEW, valid(requester=other_customer.pk, priority=4, assignee=1))
    ticket = Ticket.objects.get()
    assert ticket.requester == customer
    assert ticket.assignee is None
    assert ticket.priority_id == 2


def test_csrf_is_enforced(customer: Customer) -> None:
    response = csrf_client(customer).post(NEW, valid())
    assert response.status_code == 403
    assert nothing_written()
