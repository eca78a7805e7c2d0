"""The request page: what customers see and never see, replies, marking solved, merged requests."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import User
from supportdesk.channels.web.tests.helpers import (
    agent_reply,
    close,
    csrf_client,
    customer_client,
    set_status,
    upload,
)
from supportdesk.customers.models import Customer, Organization
from supportdesk.tickets.choices import AuthorKind, Status
from supportdesk.tickets.models import Attachment, CustomField, Message, Ticket
from supportdesk.tickets.services import Actor, ticket_merge, ticket_update

pytestmark = pytest.mark.django_db


def url(ticket: Ticket, action: str = "") -> str:
    return f"/requests/{ticket.pk}/{action + '/' if action else ''}"


def state(ticket: Ticket) -> tuple[Any, ...]:
    """What a refused action must leave exactly as it was."""
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.updated_at,
        ticket.message_count,
        Message.objects.filter(ticket=ticket).count(),
    )


@pytest.fixture
def worked_ticket(
    customer: Customer, agent: User, make_ticket: Any, custom_fields: dict[str, CustomField]
) -> Ticket:
    """A request an agent has worked on: fields, tags, an assignee, a reply and an internal note."""
    ticket = make_ticket(customer, subject="Printer jams", custom_fields={"order_number": "A-7"})
    ticket_update(
        actor=Actor.staff(agent),
        ticket_id=ticket.pk,
        priority=4,
        tags=["vip-escalation"],
        custom_fields={"rma_code": "RMA-555", "fraud_score": "SECRET-SCORE-93"},
    )
    agent_reply(agent, ticket, "Have you tried turning it off and on again?")
    agent_reply(
        agent,
        ticket,
        "INTERNAL: this customer broke three printers already",
        is_public=False,
        attachments=[upload("internal-audit.txt", b"private")],
    )
    return ticket


def test_visitors_sign_in_first(client: Client, customer: Customer, make_ticket: Any) -> None:
    ticket = make_ticket(customer)
    assert client.get(url(ticket))["Location"] == f"/login/?next=/requests/{ticket.pk}/"


@pytest.mark.parametrize("role", ["agent", "administrator", "collaborator"])
def test_staff_are_sent_to_the_desk(
    role: str, request: pytest.FixtureRequest, client_for: Any, customer: Customer, make_ticket: Any
) -> None:
    ticket = make_ticket(customer)
    client = client_for(request.getfixturevalue(role))
    before = state(ticket)
    assert client.get(url(ticket))["Location"] == "/desk/"
    assert client.post(url(ticket, "reply"), {"body": "hi"})["Location"] == "/desk/"
    assert client.post(url(ticket, "solve"))["Location"] == "/desk/"
    assert state(ticket) == before


def test_the_page_shows_the_request_and_the_public_conversation(
    customer: Customer, worked_ticket: Ticket
) -> None:
    response = customer_client(customer).get(url(worked_ticket))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Printer jams" in body
    assert f"#{worked_ticket.pk}" in body
    assert 'class="badge status-open"' in body
    assert "Other" in body  # the category
    assert "Please help." in body
    assert "Have you tried turning it off and on again?" in body
    assert "Alex Agent" in body  # agents by name
    assert "Order number" in body and "A-7" in body
    assert "Return code" in body and "RMA-555" in body
    assert f'action="/requests/{worked_ticket.pk}/reply/"' in body
    assert f'action="/requests/{worked_ticket.pk}/solve/"' in body


def test_internal_notes_and_agent_only_fields_are_never_shown(
    customer: Customer, worked_ticket: Ticket
) -> None:
    body = customer_client(customer).get(url(worked_ticket)).content.decode()
    assert "INTERNAL" not in body
    assert "internal-audit.txt" not in body
    assert "Fraud score" not in body and "SECRET-SCORE-93" not in body
    assert "vip-escalation" not in body
    assert "Urgent" not in body  # the priority
    assert "Priority" not in body and "Assignee" not in body and "Group" not in body


def test_the_assignee_is_not_shown_before_they_reply(
    customer: Customer, agent: User, make_ticket: Any
) -> None:
    ticket = make_ticket(customer)
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, assignee_id=agent.pk)
    assert "Alex Agent" not in customer_client(customer).get(url(ticket)).content.decode()


def test_attachments_of_public_messages_download_and_of_notes_do_not(
    customer: Customer, agent: User, worked_ticket: Ticket
) -> None:
    client = customer_client(customer)
    agent_reply(agent, worked_ticket, "Here is the manual", attachments=[upload("manual.pdf", b"%PDF")])
    public = Attachment.objects.get(filename="manual.pdf")
    internal = Attachment.objects.get(filename="internal-audit.txt")
    body = client.get(url(worked_ticket)).content.decode()
    assert f'href="/attachments/{public.token}/"' in body
    assert str(internal.token) not in body
    download = client.get(f"/attachments/{public.token}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF"
    assert client.get(f"/attachments/{internal.token}/").status_code == 404


def test_attachments_of_someone_elses_request_do_not_download(
    customer: Customer, other_customer: Customer, make_ticket: Any
) -> None:
    theirs = make_ticket(other_customer, attachments=[upload("theirs.txt", b"private")])
    token = Attachment.objects.get(ticket=theirs).token
    assert customer_client(customer).get(f"/attachments/{token}/").status_code == 404


@pytest.mark.parametrize("ticket_id", ["other", 999999, 10**30])
def test_requests_the_customer_may_not_see_are_404(
    customer: Customer, other_customer: Customer, make_ticket: Any, ticket_id: Any
) -> None:
    theirs = make_ticket(other_customer, subject="Not yours")
    target = theirs.pk if ticket_id == "other" else ticket_id
    client = customer_client(customer)
    before = state(theirs)
    response = client.get(f"/requests/{target}/")
    assert response.status_code == 404
    assert "Not yours" not in response.content.decode()
    assert client.post(f"/requests/{target}/reply/", {"body": "hijack"}).status_code == 404
    assert client.post(f"/requests/{target}/solve/").status_code == 404
    assert state(theirs) == before


def test_organization_colleagues_see_and_reply_when_the_organization_shares(
    customer: Customer, colleague: Customer, member_of: Any, sharing: Organization, make_ticket: Any
) -> None:
    member_of(customer)
    theirs = make_ticket(colleague, subject="Shared trouble")
    client = customer_client(customer)
    body = client.get(url(theirs)).content.decode()
    assert "Shared trouble" in body
    assert "Cody Colleague" in body  # the requester, since it is not the viewer
    assert client.post(url(theirs, "reply"), {"body": "Same here"}).status_code == 302
    message = theirs.messages.order_by("-id").first()
    assert message.author_customer == customer


def test_organization_colleagues_get_404_without_sharing(
    customer: Customer, colleague: Customer, member_of: Any, organization: Organization, make_ticket: Any
) -> None:
    member_of(customer)
    theirs = make_ticket(colleague)
    client = customer_client(customer)
    before = state(theirs)
    assert client.get(url(theirs)).status_code == 404
    assert client.post(url(theirs, "reply"), {"body": "Same here"}).status_code == 404
    assert state(theirs) == before


# -- replies ------------------------------------------------------------------------------------


def test_reply_adds_a_public_customer_message_with_attachments(customer: Customer, make_ticket: Any) -> None:
    ticket = make_ticket(customer)
    client = customer_client(customer)
    response = client.post(url(ticket, "reply"), {"body": "More details", "attachments": [upload("x.log")]})
    assert response.status_code == 302
    assert response["Location"] == url(ticket) + "#latest"
    message = ticket.messages.order_by("-id").first()
    assert (message.body_text, message.is_public, message.author_kind) == (
        "More details",
        True,
        AuthorKind.CUSTOMER,
    )
    assert [a.filename for a in message.attachments.all()] == ["x.log"]
    assert "Your reply was added." in client.get(url(ticket)).content.decode()


@pytest.mark.parametrize("status", [Status.SOLVED, Status.PENDING, Status.ON_HOLD])
def test_reply_reopens_a_waiting_or_solved_request(
    customer: Customer, make_ticket: Any, status: Status
) -> None:
    ticket = make_ticket(customer)
    set_status(ticket, Status.OPEN)
    set_status(ticket, status)
    customer_client(customer).post(url(ticket, "reply"), {"body": "Still broken"})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_solved_request_says_a_reply_reopens_it(customer: Customer, make_ticket: Any) -> None:
    ticket = make_ticket(customer)
    set_status(ticket, Status.SOLVED)
    body = customer_client(customer).get(url(ticket)).content.decode()
    assert "Replying opens it again." in body
    assert "Mark as solved" not in body


def test_a_closed_request_refuses_replies(customer: Customer, make_ticket: Any) -> None:
    ticket = make_ticket(customer)
    close(ticket)
    client = customer_client(customer)
    body = client.get(url(ticket)).content.decode()
    assert "This request is closed." in body
    assert f'href="/requests/new/?follow_up={ticket.pk}"' in body
    assert "/reply/" not in body and "Mark as solved" not in body
    before = state(ticket)
    response = client.post(url(ticket, "reply"), {"body": "Hello?"}, follow=True)
    assert "This request is closed. Please open a new one." in response.content.decode()
    assert state(ticket) == before


@pytest.mark.parametrize(("body", "text"), [("", "required"), ("  \n ", "cannot be empty")])
def test_an_empty_reply_is_refused(customer: Customer, make_ticket: Any, body: str, text: str) -> None:
    ticket = make_ticket(customer)
    before = state(ticket)
    response = customer_client(customer).post(url(ticket, "reply"), {"body": body})
    assert response.status_code == 200
    assert text in " ".join(response.context["reply_form"].errors["body"])
    assert state(ticket) == before


def test_an_oversized_reply_attachment_is_refused(
    customer: Customer, make_ticket: Any, settings: Any
) -> None:
    ticket = make_ticket(customer)
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "ATTACHMENT_MAX_BYTES": 5}
    before = state(ticket)
    response = customer_client(customer).post(
        url(ticket, "reply"), {"body": "see file", "attachments": [upload("big.txt", b"123456")]}
    )
    assert response.status_code == 200
    assert "larger than the limit" in response.content.decode()
    assert state(ticket) == before
    assert not Attachment.objects.filter(filename="big.txt").exists()


def test_reply_needs_the_csrf_token(customer: Customer, make_ticket: Any) -> None:
    ticket = make_ticket(customer)
    before = state(ticket)
    assert csrf_client(customer).post(url(ticket, "reply"), {"body": "forged"}).status_code == 403
    assert state(ticket) == before


def test_reply_and_solve_only_take_post(customer: Customer, make_ticket: Any) -> None:
    ticket = make_ticket(customer)
    client = customer_client(customer)
    assert client.get(url(ticket, "reply")).status_code == 405
    assert client.get(url(ticket, "solve")).status_code == 405


# -- marking solved -----------------------------------------------------------------------------


def test_mark_as_solved(customer: Customer, make_ticket: Any) -> None:
    ticket = make_ticket(customer)
    client = customer_client(customer)
    response = client.post(url(ticket, "solve"), follow=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ticket.solved_at is not None
    assert f"Request #{ticket.pk} is marked as solved." in response.content.decode()


def test_mark_as_solved_on_a_closed_request_is_refused(customer: Customer, make_ticket: Any) -> None:
    ticket = make_ticket(customer)
    close(ticket)
    before = state(ticket)
    response = customer_client(customer).post(url(ticket, "solve"), follow=True)
    assert "Closed tickets cannot be changed." in response.content.decode()
    assert state(ticket) == before


def test_mark_as_solved_needs_the_csrf_token(customer: Customer, make_ticket: Any) -> None:
    ticket = make_ticket(customer)
    assert csrf_client(customer).post(url(ticket, "solve")).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


# -- merged requests ----------------------------------------------------------------------------


def test_a_merged_request_links_to_the_one_it_was_merged_into(
    customer: Customer, agent: User, make_ticket: Any
) -> None:
    source = make_ticket(customer, subject="Duplicate")
    target = make_ticket(customer, subject="Original")
    ticket_merge(actor=Actor.staff(agent), source_id=source.pk, target_id=target.pk)
    body = customer_client(customer).get(url(source)).content.decode()
    assert "This request was merged into" in body
    assert f'href="/requests/{target.pk}/"' in body
    assert "/reply/" not in body and "Mark as solved" not in body


def test_a_request_merged_into_one_the_customer_cannot_see_does_not_link_it(
    customer: Customer, other_customer: Customer, agent: User, make_ticket: Any
) -> None:
    source = make_ticket(customer, subject="Mine")
    target = make_ticket(other_customer, subject="Secret other request")
    ticket_merge(actor=Actor.staff(agent), source_id=source.pk, target_id=target.pk)
    body = customer_client(customer).get(url(source)).content.decode()
    assert "merged into another request" in body
    assert f"/requests/{target.pk}/" not in body
    assert "Secret other request" not in body


def test_the_page_costs_the_same_with_more_messages(
    customer: Customer, agent: User, make_ticket: Any, django_assert_num_queries: Any
) -> None:
    ticket = make_ticket(customer, attachments=[upload()])
    client = customer_client(customer)
    with CaptureQueriesContext(connection) as captured:
        client.get(url(ticket))
    for n in range(10):
        agent_reply(agent, ticket, f"Reply {n}", attachments=[upload(f"r{n}.txt")])
        agent_reply(agent, ticket, f"Note {n}", is_public=False)
    with django_assert_num_queries(len(captured.captured_queries)):
        client.get(url(ticket))
