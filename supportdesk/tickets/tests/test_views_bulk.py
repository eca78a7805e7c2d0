"""Bulk actions from the inbox: success, partial failure, invisible ids, limits, permissions."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Ticket, TicketEvent
from supportdesk.tickets.services import Actor, ticket_update

pytestmark = pytest.mark.django_db
BULK = "/desk/tickets/bulk/"


def flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def three(customer, make_ticket):
    return [make_ticket(customer, subject=f"Bulk {n}") for n in range(3)]


def test_bulk_assign_status_priority_and_tags(client_for, agent, three):
    ids = [t.pk for t in three]
    response = client_for(agent).post(
        BULK,
        {
            "ids": ids,
            "assignee": str(agent.pk),
            "status": "pending",
            "priority": "3",
            "add_tags": "vip billing",
            "next": "/desk/views/mine/?sort=created",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/desk/views/mine/?sort=created"
    assert flashes(response) == ["3 tickets updated."]
    for ticket in Ticket.objects.filter(pk__in=ids):
        assert ticket.assignee == agent
        assert ticket.status == Status.PENDING
        assert ticket.priority_id == 3
        assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "vip"]


def test_bulk_remove_tags_and_unassign(client_for, agent, manager, customer, make_ticket):
    ticket = make_ticket(customer, actor=Actor.staff(manager), assignee_id=agent.pk, tags=["a", "b"])
    response = client_for(agent).post(BULK, {"ids": [ticket.pk], "assignee": "none", "remove_tags": "a"})
    assert flashes(response) == ["1 ticket updated."]
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert list(ticket.tags.values_list("name", flat=True)) == ["b"]


def test_partial_failure_is_reported_per_ticket(client_for, agent, three):
    ticket_update(actor=Actor.staff(agent), ticket_id=three[0].pk, status=Status.SOLVED)
    ticket_update(actor=Actor.staff(agent), ticket_id=three[0].pk, status=Status.CLOSED)
    response = client_for(agent).post(BULK, {"ids": [t.pk for t in three], "status": "pending"})
    messages = flashes(response)
    assert "2 tickets updated." in messages
    assert f"Ticket #{three[0].pk} was not changed: Closed tickets cannot be changed." in messages
    assert Ticket.objects.get(pk=three[0].pk).status == Status.CLOSED
    assert Ticket.objects.get(pk=three[1].pk).status == Status.PENDING


def test_illegal_transition_in_bulk_is_reported(client_for, agent, three):
    ticket_update(actor=Actor.staff(agent), ticket_id=three[1].pk, status=Status.SOLVED)
    response = client_for(agent).post(BULK, {"ids": [three[1].pk], "status": "on_hold"})
    assert flashes(response) == [
        f"Ticket #{three[1].pk} was not changed: A ticket cannot go from “Solved” to “On hold”."
    ]
    assert Ticket.objects.get(pk=three[1].pk).status == Status.SOLVED


def test_invisible_and_unknown_ids_change_nothing(client_for, billing_agent, three):
    events = TicketEvent.objects.count()
    response = client_for(billing_agent).post(BULK, {"ids": [three[0].pk, 999999], "priority": "4"})
    messages = flashes(response)
    assert f"Ticket #{three[0].pk} was not changed: Ticket not found." in messages
    assert "Ticket #999999 was not changed: Ticket not found." in messages
    assert Ticket.objects.get(pk=three[0].pk).priority_id == 2
    assert TicketEvent.objects.count() == events


def test_more_than_a_hundred_ids_are_refused(client_for, agent, three):
    ids = [three[0].pk, *range(10_000, 10_100)]
    response = client_for(agent).post(BULK, {"ids": ids, "priority": "4"})
    assert flashes(response) == ["At most 100 tickets can be changed at once."]
    assert Ticket.objects.get(pk=three[0].pk).priority_id == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"priority": "4"}, "Select at least one ticket."),
        ({"ids": ["1"]}, "Choose a change to apply."),
        ({"ids": ["x"], "priority": "4"}, "Invalid ticket selection."),
        (
            {"ids": ["1"], "status": "deleted"},
            "Select a valid choice. deleted is not one of the available choices.",
        ),
        (
            {"ids": ["1"], "add_tags": "<script>"},
            "“<script>” is not a valid tag: use letters, digits and - _ . : / only.",
        ),
    ],
)
def test_malformed_bulk_requests(client_for, agent, three, data, message):
    events = TicketEvent.objects.count()
    response = client_for(agent).post(BULK, data)
    assert response.status_code == 302
    assert flashes(response) == [message]
    assert TicketEvent.objects.count() == events


def test_next_must_stay_on_this_site(client_for, agent, three):
    response = client_for(agent).post(
        BULK, {"ids": [three[0].pk], "priority": "4", "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("tickets:inbox")


def test_bulk_is_for_agents(client_for, collaborator, customer, three):
    for client in (client_for(collaborator), client_for(customer.user)):
        assert client.post(BULK, {"ids": [three[0].pk], "priority": "4"}).status_code == 403
    assert client_for(None).post(BULK, {"ids": [three[0].pk], "priority": "4"}).status_code == 302
    assert client_for(collaborator).get(BULK).status_code == 403
    assert Ticket.objects.get(pk=three[0].pk).priority_id == 2


def test_bulk_form_round_trip_from_the_inbox(client_for, agent, three):
    """The inbox's form carries the current URL back, so the agent lands where they were."""
    client = client_for(agent)
    text = client.get("/desk/views/unassigned/", {"sort": "created"}).content.decode()
    assert 'name="next" value="/desk/views/unassigned/?sort=created"' in text
    response = client.post(
        BULK,
        {"ids": [three[2].pk], "assignee": str(agent.pk), "next": "/desk/views/unassigned/?sort=created"},
    )
    assert response["Location"] == "/desk/views/unassigned/?sort=created"
    after = client.get(response["Location"]).content.decode()
    assert [int(pk) for pk in re.findall(r'<tr data-ticket="(\d+)"', after)] == [three[1].pk, three[0].pk]
