import pytest

from supportdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from supportdesk.tickets import selectors
from supportdesk.tickets.choices import EventKind, Status
from supportdesk.tickets.services import Actor, message_add, ticket_merge, ticket_share, ticket_update

pytestmark = pytest.mark.django_db


def test_merge_moves_the_conversation_and_records_both_sides(agent, collaborator, customer, make_ticket):
    target = make_ticket(customer, subject="Cannot sign in", body="First")
    source = make_ticket(customer, subject="Login broken", body="Duplicate report zebra", tags=[], actor=None)
    actor = Actor.staff(agent)
    ticket_update(actor=actor, ticket_id=source.pk, tags=["dup"])
    ticket_share(actor=actor, ticket_id=source.pk, user_id=collaborator.pk)
    message_add(actor=actor, ticket_id=source.pk, body="Answer on the duplicate")

    result = ticket_merge(actor=actor, source_id=source.pk, target_id=target.pk)
    source.refresh_from_db()
    assert result.pk == target.pk
    assert source.status == Status.CLOSED and source.merged_into_id == target.pk and source.message_count == 0
    assert target.messages.count() == 3 and result.message_count == 3
    assert list(target.tags.values_list("name", flat=True)) == ["dup"]
    assert target.shares.filter(user=collaborator).exists()
    assert source.events.filter(kind=EventKind.MERGED_INTO).exists()
    merged_from = target.events.get(kind=EventKind.MERGED_FROM)
    assert merged_from.data["ticket"]["id"] == source.pk and merged_from.data["messages"] == 2
    # The search finds the target, not the closed source.
    found = selectors.ticket_list(agent, filters=selectors.TicketFilters(text="zebra")).items
    assert [t.pk for t in found] == [target.pk]
    # The conversation reads in time order.
    times = [m.created_at for m in selectors.conversation(target, include_notes=True)]
    assert times == sorted(times)


def test_merge_rules(agent, billing_agent, collaborator, customer, make_ticket):
    a, b = make_ticket(customer), make_ticket(customer)
    with pytest.raises(ValidationFailed):
        ticket_merge(actor=Actor.staff(agent), source_id=a.pk, target_id=a.pk)
    with pytest.raises(NotFound):
        ticket_merge(actor=Actor.staff(billing_agent), source_id=a.pk, target_id=b.pk)
    with pytest.raises(PermissionDenied):
        ticket_merge(actor=Actor.staff(collaborator), source_id=a.pk, target_id=b.pk)
    with pytest.raises(PermissionDenied):
        ticket_merge(actor=Actor.of_customer(customer), source_id=a.pk, target_id=b.pk)
    ticket_merge(actor=Actor.staff(agent), source_id=a.pk, target_id=b.pk)
    with pytest.raises(Conflict):
        ticket_merge(actor=Actor.staff(agent), source_id=a.pk, target_id=b.pk)
    c = make_ticket(customer)
    with pytest.raises(Conflict):
        ticket_merge(actor=Actor.staff(agent), source_id=c.pk, target_id=a.pk)
