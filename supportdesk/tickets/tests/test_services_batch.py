"""The batch writers write what ticket_create and message_add write for the same input."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from supportdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from supportdesk.tickets import events as ticket_events
from supportdesk.tickets.choices import AuthorKind, Channel, EventKind, Status
from supportdesk.tickets.models import Attachment, Message, Ticket, TicketEvent
from supportdesk.tickets.services import Actor, FileData, message_add, ticket_create, ticket_update
from supportdesk.tickets.services.batch import (
    NewRequest,
    RequesterReply,
    messages_add_many,
    tickets_create_many,
)
from supportdesk.tickets.services.common import ticket_search_index

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TICKET_FIELDS = [
    "subject",
    "status",
    "status_label_id",
    "priority_id",
    "category_id",
    "channel",
    "language",
    "requester_id",
    "organization_id",
    "group_id",
    "assignee_id",
    "custom_fields",
    "created_at",
    "updated_at",
    "status_changed_at",
    "first_response_at",
    "last_customer_message_at",
    "message_count",
]
MESSAGE_FIELDS = [
    "is_public",
    "author_kind",
    "author_user_id",
    "author_customer_id",
    "channel",
    "body_text",
    "body_html",
    "quoted_text",
    "language",
    "created_at",
]


def _found(text: str) -> set[int]:
    """The tickets the product's search finds for `text`."""
    match = ticket_search_index.matching_ids(text)
    assert match is not None
    return set(Ticket.objects.filter(pk__in=RawSQL(*match)).values_list("pk", flat=True))  # noqa: S611


def _ticket(pk: int) -> dict:
    return Ticket.objects.filter(pk=pk).values(*TICKET_FIELDS).get()


def _messages(pk: int) -> list[dict]:
    return list(Message.objects.filter(ticket_id=pk).order_by("id").values(*MESSAGE_FIELDS))


def _timeline(pk: int) -> list[tuple]:
    rows = TicketEvent.objects.filter(ticket_id=pk).order_by("id")
    return [
        (e.kind, e.actor_id, e.actor_customer_id, {k: v for k, v in e.data.items() if k != "message_id"})
        for e in rows
    ]


def _request(customer, **extra) -> dict:
    return {
        "subject": "Printer on fire",
        "body": "The printer is on fire. <b>Help</b>",
        "body_html": "<p>The printer is on <b>fire</b><script>x()</script></p>",
        "channel": Channel.EMAIL,
        "language": "en",
        "created_at": WHEN,
        "quoted_text": "> earlier",
        **extra,
    }


def test_new_requests_are_the_tickets_ticket_create_writes(customer, other_customer, support_group):
    one = ticket_create(actor=Actor.system(), requester=customer, **_request(customer))
    many = tickets_create_many(
        [
            NewRequest(requester=customer, **_request(customer)),
            NewRequest(requester=other_customer, **_request(other_customer, subject="Second", language="")),
        ]
    )
    assert _ticket(many[0].pk) == _ticket(one.pk)
    assert _messages(many[0].pk) == _messages(one.pk)
    assert _timeline(many[0].pk) == _timeline(one.pk)
    assert many[0].opening_message_id == Message.objects.get(ticket=many[0]).pk
    second = Ticket.objects.get(pk=many[1].pk)
    assert (second.subject, second.requester, second.language) == ("Second", other_customer, "")
    # Searchable like any ticket: by the words of its message, its subject, its requester.
    assert _found("printer") == {one.pk, many[0].pk, many[1].pk}
    assert _found(other_customer.primary_email) == {many[1].pk}


def test_new_requests_cost_the_same_few_statements_however_many(customer):
    def cost(n: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            tickets_create_many([NewRequest(requester=customer, **_request(customer)) for _ in range(n)])
        return len(queries.captured_queries)

    cost(1)  # taxonomy defaults are read by the first call of a test (no batch scope here)
    # Flat in the batch size (SQLite splits an insert past 999 parameters: a few more there).
    assert cost(5) <= 20 and cost(40) <= cost(5) + 3


def test_new_requests_keep_their_files(customer):
    files = [FileData(name="log.txt", content_type="text/plain", data=b"error 42")]
    (ticket,) = tickets_create_many([NewRequest(requester=customer, **_request(customer), attachments=files)])
    stored = Attachment.objects.get(ticket=ticket)
    assert (stored.filename, stored.size, stored.message_id) == ("log.txt", 8, ticket.opening_message_id)
    assert stored.file.read() == b"error 42"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"subject": "   "}, ValidationFailed),
        ({"body": ""}, ValidationFailed),
        ({"channel": "pigeon"}, ValidationFailed),
        (
            {"attachments": [FileData(name="empty.txt", content_type="text/plain", data=b"")]},
            ValidationFailed,
        ),
    ],
)
def test_one_bad_request_writes_nothing_of_the_batch(customer, change, error):
    items = [
        NewRequest(requester=customer, **_request(customer)),
        NewRequest(**{**_request(customer), "requester": customer, **change}),
    ]
    with pytest.raises(error):
        tickets_create_many(items)
    assert not Ticket.objects.exists() and not Message.objects.exists()


def test_new_requests_publish_what_ticket_create_publishes(
    customer, django_capture_on_commit_callbacks, monkeypatch
):
    seen: list[object] = []
    monkeypatch.setattr("supportdesk.core.events._dispatch", seen.append)
    with django_capture_on_commit_callbacks(execute=True):
        (ticket,) = tickets_create_many([NewRequest(requester=customer, **_request(customer))])
    assert seen == [
        ticket_events.TicketCreated(
            ticket_id=ticket.pk, channel=Channel.EMAIL, created_by_id=None, assignee_id=None
        ),
        ticket_events.MessageAdded(
            ticket_id=ticket.pk,
            message_id=ticket.opening_message_id,
            is_public=True,
            author_kind=AuthorKind.CUSTOMER,
            is_opening=True,
            assignee_id=None,
        ),
    ]


def _reply(**extra) -> dict:
    return {
        "body": "Still burning.",
        "channel": Channel.EMAIL,
        "created_at": WHEN,
        "quoted_text": "> old",
        **extra,
    }


def test_replies_are_the_messages_message_add_writes(agent, customer, make_ticket):
    one, two = make_ticket(customer), make_ticket(customer)
    for ticket in (one, two):
        ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
    message_add(actor=Actor.of_customer(customer), ticket_id=one.pk, **_reply())
    messages_add_many([RequesterReply(ticket_id=two.pk, customer=customer, **_reply())])
    expected, got = _ticket(one.pk), _ticket(two.pk)
    for key in ("subject", "created_at", "status_changed_at"):
        expected.pop(key), got.pop(key)
    assert got == expected and got["status"] == Status.OPEN  # the reply reopened it
    assert _messages(two.pk)[-1] == _messages(one.pk)[-1]
    assert _timeline(two.pk)[-2:] == _timeline(one.pk)[-2:]  # the reply, then the status change
    assert [kind for kind, *_rest in _timeline(two.pk)[-2:]] == [EventKind.REPLY, EventKind.STATUS]


def test_several_replies_to_one_ticket_count_and_index_every_one(customer, make_ticket):
    ticket = make_ticket(customer)
    messages_add_many(
        [
            RequesterReply(ticket_id=ticket.pk, customer=customer, body="Kiểm tra giúp tôi"),
            RequesterReply(ticket_id=ticket.pk, customer=customer, body="打印机着火了", keep_status=True),
        ]
    )
    ticket.refresh_from_db()
    assert ticket.message_count == 3 and ticket.status == Status.NEW
    for words in ("kiem tra", "着火"):
        assert _found(words) == {ticket.pk}


def test_an_automatic_reply_keeps_a_solved_ticket_solved(agent, customer, make_ticket):
    ticket = make_ticket(customer)
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
    messages_add_many(
        [RequesterReply(ticket_id=ticket.pk, customer=customer, body="I am away.", keep_status=True)]
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED and ticket.message_count == 2


def test_replies_are_refused_whole_for_a_stranger_a_closed_or_a_missing_ticket(
    agent, customer, other_customer, make_ticket
):
    open_ticket, closed = make_ticket(customer), make_ticket(customer)
    for status in (Status.SOLVED, Status.CLOSED):
        ticket_update(actor=Actor.staff(agent), ticket_id=closed.pk, status=status)
    good = RequesterReply(ticket_id=open_ticket.pk, customer=customer, body="Hello")
    for bad, error in (
        (RequesterReply(ticket_id=open_ticket.pk, customer=other_customer, body="Me too"), PermissionDenied),
        (RequesterReply(ticket_id=closed.pk, customer=customer, body="Again"), Conflict),
        (RequesterReply(ticket_id=closed.pk + 1000, customer=customer, body="Hm"), NotFound),
    ):
        with pytest.raises(error):
            messages_add_many([good, bad])
    assert Message.objects.filter(ticket=open_ticket).count() == 1
    open_ticket.refresh_from_db()
    assert open_ticket.message_count == 1
