"""A new ticket on a customer's behalf: existing or new requester, fields, files, bad input,
and the customer lookup behind the requester box."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from supportdesk.customers.models import Customer
from supportdesk.customers.services import customer_create
from supportdesk.tickets.choices import AuthorKind, Channel, FieldType, Status
from supportdesk.tickets.models import Attachment, Category, CustomField, Message, Ticket

pytestmark = pytest.mark.django_db
NEW = "/desk/tickets/new/"
LOOKUP = "/desk/tickets/new/requesters/"


def form(**values):
    data = {"channel": "phone", "subject": "Cannot log in", "body": "Called at 9:00.", "priority": "2"}
    data.update(values)
    return data


def counts():
    return (
        Ticket.objects.count(),
        Customer.objects.count(),
        Message.objects.count(),
        Attachment.objects.count(),
    )


# -- access ---------------------------------------------------------------------------------------------
def test_anonymous_is_sent_to_sign_in(client_for):
    assert client_for(None).get(NEW).status_code == 302
    assert client_for(None).post(NEW, form(requester_name="X")).status_code == 302
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("who", ["collaborator", "customer"])
def test_only_agents_open_tickets_for_customers(request, client_for, who):
    person = request.getfixturevalue(who)
    client = client_for(getattr(person, "user", person))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form(requester_name="X")).status_code == 403
    assert client.get(LOOKUP, {"q": "x"}).status_code == 403
    assert Ticket.objects.count() == 0


def test_form_defaults_to_the_phone_channel(client_for, agent):
    text = client_for(agent).get(NEW).content.decode()
    assert '<option value="phone" selected>Phone</option>' in text
    assert '<option value="2" selected>Normal</option>' in text


# -- requesters -----------------------------------------------------------------------------------------
def test_new_customer_from_name_email_and_phone(client_for, agent):
    response = client_for(agent).post(
        NEW,
        form(
            requester_name="Nina New", requester_email="Nina@Example.com", requester_phone="+48 22 123 45 67"
        ),
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    requester = ticket.requester
    assert requester.name == "Nina New"
    assert requester.primary_email == "nina@example.com"
    assert list(requester.phones.values_list("number", flat=True)) == ["+48221234567"]
    assert ticket.channel == Channel.PHONE
    assert ticket.created_by == agent
    first = ticket.messages.get()
    assert first.author_kind == AuthorKind.CUSTOMER and first.author_customer == requester
    assert first.body_text == "Called at 9:00."


def test_existing_customer_chosen_by_id(client_for, agent, customer):
    before = Customer.objects.count()
    response = client_for(agent).post(NEW, form(requester_id=str(customer.pk), requester_name="ignored"))
    assert response.status_code == 302
    assert Ticket.objects.get().requester == customer
    assert Customer.objects.count() == before


def test_existing_customer_found_by_email(client_for, agent, customer):
    before = Customer.objects.count()
    client_for(agent).post(NEW, form(requester_email="CUSTOMER@example.com", requester_name="Someone"))
    assert Ticket.objects.get().requester == customer
    assert Customer.objects.count() == before


def test_existing_customer_found_by_phone(client_for, agent):
    caller = customer_create(actor=None, name="Caller", phones=["+48 22 765 43 21"])
    client_for(agent).post(NEW, form(requester_phone="+48227654321"))
    assert Ticket.objects.get().requester == caller
    assert Customer.objects.count() == 1


def test_a_name_alone_makes_a_new_customer(client_for, agent):
    client_for(agent).post(NEW, form(requester_name="Walk-in Wanda", channel="chat"))
    ticket = Ticket.objects.get()
    assert ticket.requester.name == "Walk-in Wanda"
    assert ticket.channel == Channel.CHAT


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "Choose a customer, or enter the name, email address or phone number of a new one."),
        ({"requester_id": "999999"}, "This customer does not exist."),
        ({"requester_email": "not-an-email"}, "Enter a valid email address."),
        ({"requester_phone": "12"}, "“12” is not a valid phone number."),
        (
            {"requester_name": "Eve", "subject": "<script>alert(1)</script>"},
            "cannot contain HTML tags or scripts",
        ),
        ({"requester_name": "Eve", "subject": ""}, "This field is required."),
        ({"requester_name": "Eve", "body": ""}, "This field is required."),
        ({"requester_name": "Eve", "channel": "fax"}, "Select a valid choice."),
        ({"requester_name": "Eve", "priority": "42"}, "Select a valid choice."),
        ({"requester_name": "Eve", "tags": "ok, <b>"}, "is not a valid tag"),
        ({"requester_name": "Eve", "subject": "x" * 251}, "Ensure this value has at most 250 characters"),
    ],
)
def test_bad_input_is_reported_and_nothing_is_created(client_for, agent, values, message):
    before = counts()
    response = client_for(agent).post(NEW, form(**values))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before


def test_script_subject_keeps_the_typed_values(client_for, agent):
    response = client_for(agent).post(
        NEW, form(requester_name="Eve Example", subject="<script>x</script>", body="Please call back.")
    )
    text = response.content.decode()
    assert 'value="Eve Example"' in text
    assert "Please call back." in text
    assert "&lt;script&gt;x&lt;/script&gt;" in text
    assert "<script>x</script>" not in text


# -- fields and files -----------------------------------------------------------------------------------
def test_all_fields_are_set(client_for, agent, manager, support_group):
    category = Category.objects.create(name="Accounts")
    CustomField.objects.create(key="order_no", name="Order number", field_type=FieldType.NUMBER)
    CustomField.objects.create(
        key="plan", name="Plan", field_type=FieldType.DROPDOWN, options=["Basic", "Pro"]
    )
    CustomField.objects.create(key="callback", name="Call back", field_type=FieldType.CHECKBOX)
    response = client_for(manager).post(
        NEW,
        form(
            requester_name="Filled In",
            priority="4",
            ticket_type="2",
            category=str(category.pk),
            group=str(support_group.pk),
            assignee=str(agent.pk),
            tags="vip  Phone-Call",
            cf_order_no="1234",
            cf_plan="Pro",
            cf_callback="on",
        ),
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.priority_id == 4 and ticket.ticket_type == 2
    assert ticket.category == category and ticket.group == support_group
    assert ticket.assignee == agent and ticket.status == Status.OPEN
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["phone-call", "vip"]
    assert ticket.custom_fields == {"order_no": 1234, "plan": "Pro", "callback": True}


def test_required_and_invalid_custom_fields(client_for, agent):
    CustomField.objects.create(
        key="order_no", name="Order number", field_type=FieldType.NUMBER, required=True
    )
    client = client_for(agent)
    text = client.get(NEW).content.decode()
    assert 'name="cf_order_no"' in text and 'type="number"' in text
    response = client.post(NEW, form(requester_name="Eve", cf_order_no="twelve"))
    assert response.status_code == 200
    assert "Enter a number." in response.content.decode()
    response = client.post(NEW, form(requester_name="Eve"))
    assert "This field is required." in response.content.decode()
    assert Ticket.objects.count() == 0 and Customer.objects.count() == 0


def test_attachments_are_stored_with_the_first_message(client_for, agent):
    upload = SimpleUploadedFile("screenshot.png", b"\x89PNG data", content_type="image/png")
    client_for(agent).post(NEW, form(requester_name="Eve", attachments=[upload]))
    attachment = Attachment.objects.get()
    assert attachment.filename == "screenshot.png"
    assert attachment.message == Ticket.objects.get().messages.get()


def test_oversized_attachment_creates_nothing(client_for, agent, settings):
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "ATTACHMENT_MAX_BYTES": 5}
    upload = SimpleUploadedFile("big.bin", b"123456", content_type="application/octet-stream")
    response = client_for(agent).post(
        NEW, form(requester_name="Eve", requester_email="eve@example.com", attachments=[upload])
    )
    assert response.status_code == 200
    assert "“big.bin” is larger than the limit of 5" in response.content.decode()
    assert counts() == (0, 0, 0, 0)


# -- the requester box ----------------------------------------------------------------------------------
def test_lookup_returns_at_most_ten_matches(client_for, agent):
    for n in range(12):
        customer_create(actor=None, name=f"Lookup Person {n}", emails=[f"lookup{n}@example.com"])
    customer_create(actor=None, name="Somebody Else", emails=["else@example.com"])
    response = client_for(agent).get(LOOKUP, {"q": "lookup"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text
    assert len(re.findall(r'name="requester_id" value="\d+"', text)) == 10
    assert "Somebody Else" not in text


def test_lookup_by_email_and_no_match(client_for, agent, customer):
    client = client_for(agent)
    text = client.get(LOOKUP, {"q": "customer@example.com"}).content.decode()
    assert f'name="requester_id" value="{customer.pk}"' in text
    text = client.get(LOOKUP, {"q": "zzzz-nobody"}).content.decode()
    assert "No customer matches “zzzz-nobody”." in text
    assert "requester_id" not in client.get(LOOKUP, {"q": "  "}).content.decode()


def test_page_search_works_without_javascript(client_for, agent, customer):
    text = client_for(agent).get(NEW, {"q": "Carla", "subject": "Typed before searching"}).content.decode()
    assert f'name="requester_id" value="{customer.pk}"' in text
    assert 'value="Typed before searching"' in text


def test_link_from_a_customer_page_preselects_them(client_for, agent, customer):
    text = client_for(agent).get(NEW, {"requester": customer.pk}).content.decode()
    assert f'name="requester_id" value="{customer.pk}" checked' in text
    assert "Carla Customer" in text
