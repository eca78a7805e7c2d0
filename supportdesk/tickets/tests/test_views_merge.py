"""Merging from the ticket page: the confirmation step, the result on both tickets, refusals."""

import pytest
from django.urls import reverse

from supportdesk.tickets.choices import EventKind, Status
from supportdesk.tickets.models import Message, Ticket, TicketEvent
from supportdesk.tickets.services import Actor, ticket_update

pytestmark = pytest.mark.django_db


def merge_url(ticket):
    return reverse("tickets:merge", args=[ticket.pk])


@pytest.fixture
def pair(customer, make_ticket):
    source = make_ticket(customer, subject="Printer broken", body="It will not print.")
    target = make_ticket(customer, subject="Printer still broken", body="Any news?")
    return source, target


def test_merge_asks_for_confirmation_first(client_for, agent, pair):
    source, target = pair
    response = client_for(agent).get(merge_url(source), {"target": target.pk})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Printer still broken" in text
    assert f"Merge #{source.pk} into #{target.pk}" in text
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None
    # A POST without the confirmation only shows the confirmation again.
    response = client_for(agent).post(merge_url(source), {"target": target.pk})
    assert response.status_code == 200
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None


def test_merge_moves_everything_and_records_it_on_both_timelines(client_for, agent, pair):
    source, target = pair
    client = client_for(agent)
    response = client.post(merge_url(source), {"target": target.pk, "confirm": "1"}, follow=True)
    assert response.redirect_chain == [(reverse("tickets:detail", args=[target.pk]), 302)]
    text = response.content.decode()
    assert f"Ticket #{source.pk} was merged into this ticket." in text
    assert "It will not print." in text and "Any news?" in text

    merged = Ticket.objects.get(pk=source.pk)
    assert merged.merged_into_id == target.pk and merged.status == Status.CLOSED
    assert Message.objects.filter(ticket=target).count() == 2
    assert TicketEvent.objects.filter(ticket=source, kind=EventKind.MERGED_INTO).exists()
    assert TicketEvent.objects.filter(ticket=target, kind=EventKind.MERGED_FROM).exists()

    target_timeline = client.get(reverse("tickets:detail", args=[target.pk]), {"tab": "timeline"})
    assert f"Alex Agent merged #{source.pk} “Printer broken” into this ticket (1 message moved)" in (
        target_timeline.content.decode()
    )
    source_timeline = client.get(reverse("tickets:detail", args=[source.pk]), {"tab": "timeline"})
    assert f"Alex Agent merged this ticket into #{target.pk} “Printer still broken”" in (
        source_timeline.content.decode()
    )


def test_merged_ticket_shows_a_banner_and_is_read_only(client_for, agent, pair):
    source, target = pair
    client = client_for(agent)
    client.post(merge_url(source), {"target": target.pk, "confirm": "1"})
    text = client.get(reverse("tickets:detail", args=[source.pk])).content.decode()
    assert "This ticket was merged into" in text
    assert (
        f'href="{reverse("tickets:detail", args=[target.pk])}">#{target.pk} Printer still broken</a>' in text
    )
    assert reverse("tickets:reply", args=[source.pk]) not in text
    assert reverse("tickets:update", args=[source.pk]) not in text


@pytest.mark.parametrize("case", ["itself", "unknown", "invisible", "closed", "malformed"])
def test_bad_merge_targets_are_refused(
    client_for, agent, billing_group, manager, customer, make_ticket, pair, case
):
    source, target = pair
    if case == "itself":
        target_id, message = source.pk, "A ticket cannot be merged into itself."
    elif case == "unknown":
        target_id, message = 999999, "Ticket #999999 was not found."
    elif case == "invisible":
        hidden = make_ticket(
            customer, subject="Billing only", actor=Actor.staff(manager), group_id=billing_group.pk
        )
        target_id, message = hidden.pk, f"Ticket #{hidden.pk} was not found."
    elif case == "closed":
        ticket_update(actor=Actor.staff(agent), ticket_id=target.pk, status=Status.SOLVED)
        ticket_update(actor=Actor.staff(agent), ticket_id=target.pk, status=Status.CLOSED)
        target_id, message = target.pk, f"Ticket #{target.pk} is closed and cannot receive merged tickets."
    else:
        target_id, message = "abc", "Enter a whole number."
    response = client_for(agent).post(merge_url(source), {"target": target_id, "confirm": "1"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None
    assert Message.objects.filter(ticket=source).count() == 1


def test_merge_is_for_agents(client_for, collaborator, customer, pair):
    source, target = pair
    assert (
        client_for(collaborator).post(merge_url(source), {"target": target.pk, "confirm": "1"}).status_code
        == 403
    )
    assert (
        client_for(customer.user).post(merge_url(source), {"target": target.pk, "confirm": "1"}).status_code
        == 403
    )
    assert client_for(None).post(merge_url(source), {"target": target.pk, "confirm": "1"}).status_code == 302
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None
