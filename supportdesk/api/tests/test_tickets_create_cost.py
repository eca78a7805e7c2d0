"""POST /tickets with a token: what it costs (a flat number of statements) and that the answer,
built from what the service wrote, is exactly what reading the ticket again gives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.customers.models import Organization
from supportdesk.customers.services import customer_create
from supportdesk.tickets.models import Tag, Ticket, TicketEvent, TicketTag
from supportdesk.tickets.services import reference
from supportdesk.tickets.services.taxonomy import custom_field_save, priority_save, tag_delete, tag_save

pytestmark = pytest.mark.django_db

# Token and requester (read before the transaction); then ticket, tags (one statement), the
# timeline's "created" entry, the first message and the search document, in the service's
# transaction (here a savepoint: the test runs in a transaction). Reference tables (priorities,
# labels, category, group, custom fields, known tags) are cached per process.
QUERIES_KNOWN_REQUESTER = 9
# A new requester: the request's own transaction around the service's; inside it the address
# is looked up again and, in a savepoint, the organization for its domain read and the
# customer, their address and their search document written.
QUERIES_NEW_REQUESTER = QUERIES_KNOWN_REQUESTER + 9


@pytest.fixture
def api(api_with_token, token_for, agent):
    return api_with_token(token_for(agent))


@pytest.fixture
def acme_customer(db):
    organization = Organization.objects.create(name="Acme")
    person = customer_create(actor=None, name="Olga Org", emails=["olga@acme.example"])
    person.organization = organization
    person.save(update_fields=["organization"])
    return person


def _body(i, requester, **extra):
    return {
        "subject": f"Order {i} arrived damaged",
        "body": "The box was crushed and the device does not switch on.",
        "requester": requester,
        "priority": 2 + i % 2,
        "tags": ["damaged"],
        **extra,
    }


def _count(api, body):
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/tickets", body)
    assert response.status_code == 201, response.content
    return len(queries.captured_queries), response


def test_create_costs_a_flat_number_of_queries(api, customer, acme_customer, monkeypatch):
    # The cached reference rows are read again after a few seconds (other processes' changes):
    # not in the middle of this test however slow the machine.
    monkeypatch.setattr(reference, "_clock", lambda: 0.0)
    monkeypatch.setattr(reference, "_expires", 1.0)
    api.post("/tickets", _body(0, {"email": customer.primary_email}))  # fills the caches
    counts = {
        _count(api, _body(i, {"email": who.primary_email}))[0]
        for i in range(1, 5)
        for who in (customer, acme_customer)
    }
    assert counts == {QUERIES_KNOWN_REQUESTER}
    # More tags that exist already cost nothing more.
    Tag.objects.bulk_create([Tag(name="vip"), Tag(name="router")])
    api.post("/tickets", _body(5, {"email": customer.primary_email}, tags=["damaged", "vip", "router"]))
    count, _response = _count(
        api, _body(6, {"email": customer.primary_email}, tags=["router", "vip", "damaged"])
    )
    assert count == QUERIES_KNOWN_REQUESTER
    count, _response = _count(api, _body(7, {"email": "first.time@new.example", "name": "First Time"}))
    assert count == QUERIES_NEW_REQUESTER


def test_the_answer_is_what_reading_the_ticket_gives(api, customer, acme_customer, administrator):
    custom_field_save(actor=administrator, key="order", field_type="text", name="Order")
    bodies = [
        _body(1, {"email": acme_customer.primary_email}, custom_fields={"order": "A-1"}),
        _body(2, {"email": customer.primary_email}, tags=["Zebra", "apple"], priority=None),
        _body(3, {"email": "new.person@acme.example", "name": "New Person"}, tags=[]),
        {"subject": "By id", "body": "x", "requester_id": customer.pk, "ticket_type": "task"},
    ]
    for body in bodies:
        created = api.post("/tickets", body)
        assert created.status_code == 201, created.content
        read = api.get(f"/tickets/{created.json()['id']}")
        assert created.content == read.content
        assert created["Content-Type"] == read["Content-Type"]
    assert api.post("/tickets", bodies[0]).json()["organization"]["name"] == "Acme"


def test_rows_written_by_a_create(api, customer, django_capture_on_commit_callbacks):
    Tag.objects.create(name="damaged")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(
            "/tickets", _body(1, {"email": customer.primary_email}, tags=["damaged", "new-tag"])
        )
    assert len(callbacks) == 2  # TicketCreated and MessageAdded, after commit
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert sorted(TicketTag.objects.filter(ticket=ticket).values_list("tag__name", flat=True)) == [
        "damaged",
        "new-tag",
    ]
    assert ticket.messages.count() == ticket.message_count == 1
    assert ticket.opening_message_id is None or ticket.opening_message_id == ticket.messages.get().pk
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == ["created"]


def test_changed_reference_rows_are_seen_at_once(api, customer, administrator):
    first = api.post("/tickets", _body(0, {"email": customer.primary_email}, priority=None))
    assert first.json()["priority"] == {"rank": 2, "name": "Normal"}
    priority = priority_save(
        actor=administrator, priority=_priority(2), name="Routine", rank=2, is_default=True
    )
    again = api.post("/tickets", _body(2, {"email": customer.primary_email}))
    assert again.json()["priority"] == {"rank": priority.rank, "name": "Routine"}
    priority_save(actor=administrator, priority=_priority(4), name="Urgent", rank=4, is_default=True)
    default = api.post("/tickets", _body(3, {"email": customer.primary_email}, priority=None))
    assert default.json()["priority"] == {"rank": 4, "name": "Urgent"}
    custom_field_save(actor=administrator, key="serial", field_type="text", name="Serial")
    with_field = api.post(
        "/tickets", _body(4, {"email": customer.primary_email}, custom_fields={"serial": "S1"})
    )
    assert with_field.json()["custom_fields"] == {"serial": "S1"}


def test_a_renamed_or_deleted_tag_is_not_linked_from_the_cache(api, customer, administrator):
    api.post("/tickets", _body(1, {"email": customer.primary_email}))  # "damaged" is now cached
    damaged = Tag.objects.get(name="damaged")
    tag_save(actor=administrator, tag=damaged, name="broken")
    response = api.post("/tickets", _body(2, {"email": customer.primary_email}))
    assert response.json()["tags"] == ["damaged"]
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert [t.name for t in ticket.tags.all()] == ["damaged"]
    tag_delete(actor=administrator, tag=Tag.objects.get(name="damaged"))
    response = api.post("/tickets", _body(3, {"email": customer.primary_email}))
    assert response.json()["tags"] == ["damaged"]
    assert Tag.objects.filter(name="damaged").count() == 1


def test_an_unknown_priority_is_still_refused(api, customer):
    response = api.post("/tickets", _body(1, {"email": customer.primary_email}, priority=99))
    assert response.status_code == 422
    assert response.json()["details"] == {"priority": "Unknown priority."}


def _priority(rank):
    from supportdesk.tickets.models import Priority

    return Priority.objects.get(rank=rank)
