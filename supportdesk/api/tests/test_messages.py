"""A ticket's messages (JSON and multipart with attachments) and its timeline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.api.tests.conftest import db_state, error_of
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Attachment, Message
from supportdesk.tickets.services import Actor, message_add, ticket_share, ticket_update

pytestmark = pytest.mark.django_db

MESSAGE_KEYS = {
    "id",
    "ticket_id",
    "is_public",
    "author",
    "channel",
    "body",
    "body_html",
    "created_at",
    "attachments",
}


@pytest.fixture
def ticket(make_ticket, customer):
    return make_ticket(customer)


@pytest.fixture
def shared_ticket(ticket, manager, collaborator):
    ticket_share(actor=Actor.staff(manager), ticket_id=ticket.pk, user_id=collaborator.pk)
    return ticket


def upload(name="notes.txt", content=b"hello", content_type="text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# -- list ---------------------------------------------------------------------------------------


def test_messages_oldest_first_with_notes_for_staff(api_as, agent, customer, ticket):
    message_add(
        actor=Actor.staff(agent), ticket_id=ticket.pk, body="Internal: check the toner", is_public=False
    )
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="We are on it.")
    message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="Thanks!")
    response = api_as(agent).get(f"/tickets/{ticket.pk}/messages")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [m["body"] for m in items] == [
        "Please help.",
        "Internal: check the toner",
        "We are on it.",
        "Thanks!",
    ]
    assert [m["is_public"] for m in items] == [True, False, True, True]
    assert all(set(m) == MESSAGE_KEYS for m in items)
    assert items[0]["author"] == {
        "type": "customer",
        "id": customer.pk,
        "name": "Carla Customer",
        "email": "customer@example.com",
    }
    assert items[1]["author"] == {"type": "agent", "id": agent.pk, "name": "Alex Agent", "email": agent.email}
    assert response.json()["next_cursor"] is None


def test_messages_per_role(api_as, agent, billing_agent, manager, collaborator, customer, ticket):
    assert api_as(agent).get(f"/tickets/{ticket.pk}/messages").status_code == 200
    assert api_as(manager).get(f"/tickets/{ticket.pk}/messages").status_code == 200
    assert error_of(api_as(billing_agent).get(f"/tickets/{ticket.pk}/messages"))["code"] == "ticket_not_found"
    assert error_of(api_as(collaborator).get(f"/tickets/{ticket.pk}/messages"))["code"] == "ticket_not_found"
    assert error_of(api_as(customer.user).get(f"/tickets/{ticket.pk}/messages"))["code"] == "staff_only"
    ticket_share(actor=Actor.staff(manager), ticket_id=ticket.pk, user_id=collaborator.pk)
    message_add(actor=Actor.staff(manager), ticket_id=ticket.pk, body="Note", is_public=False)
    items = api_as(collaborator).get(f"/tickets/{ticket.pk}/messages").json()["items"]
    assert [m["is_public"] for m in items] == [True, False]  # collaborators see notes: they write them


def test_messages_pagination(api_as, agent, ticket):
    for i in range(6):
        message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body=f"Reply {i}", is_public=False)
    client, bodies, cursor = api_as(agent), [], None
    while True:
        page = client.get(
            f"/tickets/{ticket.pk}/messages", {"limit": 3} | ({"cursor": cursor} if cursor else {})
        )
        bodies += [m["body"] for m in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert bodies == ["Please help."] + [f"Reply {i}" for i in range(6)]
    response = client.get(f"/tickets/{ticket.pk}/messages", {"limit": 101})
    assert response.status_code == 422


def _messages_with_attachments(ticket, agent, customer, count):
    for i in range(count):
        actor = Actor.staff(agent) if i % 2 else Actor.of_customer(customer)
        message_add(actor=actor, ticket_id=ticket.pk, body=f"Message {i}", attachments=[upload(f"f{i}.txt")])


def test_messages_list_costs_the_same_for_3_and_20(api_as, agent, customer, ticket):
    client = api_as(agent)
    _messages_with_attachments(ticket, agent, customer, 2)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(f"/tickets/{ticket.pk}/messages", {"limit": 100}).json()["items"]) == 3
    _messages_with_attachments(ticket, agent, customer, 17)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"/tickets/{ticket.pk}/messages", {"limit": 100}).json()["items"]) == 20
    assert len(few) == len(many)


# -- add, JSON ----------------------------------------------------------------------------------


def test_agent_replies_publicly(api_as, agent, ticket):
    response = api_as(agent).post(f"/tickets/{ticket.pk}/messages", {"body": "We are on it."})
    assert response.status_code == 201
    data = response.json()
    assert set(data) == MESSAGE_KEYS
    assert data["is_public"] is True and data["author"]["id"] == agent.pk and data["attachments"] == []
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.first_response_at is not None
    assert ticket.message_count == 2


def test_reply_and_change_status_in_one_step(api_as, agent, ticket):
    response = api_as(agent).post(f"/tickets/{ticket.pk}/messages", {"body": "Fixed.", "status": "solved"})
    assert response.status_code == 201
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


def test_collaborator_adds_a_note_to_a_shared_ticket(api_as, collaborator, shared_ticket):
    response = api_as(collaborator).post(
        f"/tickets/{shared_ticket.pk}/messages", {"body": "Sales says: refund OK", "is_public": False}
    )
    assert response.status_code == 201
    assert response.json()["is_public"] is False
    assert response.json()["author"]["id"] == collaborator.pk


@pytest.mark.parametrize(
    "body",
    [
        {"body": "Public answer"},
        {"body": "Public answer", "is_public": True},
        {"body": "A note that solves it", "is_public": False, "status": "solved"},
    ],
)
def test_collaborator_cannot_reply_publicly_or_change_status(body, api_as, collaborator, shared_ticket):
    client = api_as(collaborator)
    before = db_state()
    response = client.post(f"/tickets/{shared_ticket.pk}/messages", body)
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert db_state() == before


def test_collaborator_cannot_write_on_unshared_tickets(api_as, collaborator, ticket):
    client = api_as(collaborator)
    before = db_state()
    for body in ({"body": "x", "is_public": False}, {"body": "x", "is_public": False, "status": "solved"}):
        response = client.post(f"/tickets/{ticket.pk}/messages", body)
        assert response.status_code == 404
        assert error_of(response)["code"] == "ticket_not_found"
    assert db_state() == before


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        ({"body": ""}, 422, "validation_failed", "body"),
        ({"body": "   \n  "}, 422, "validation_failed", "body"),
        ({}, 422, "validation_failed", "body"),
        ({"body": "x", "status": "unsolved"}, 422, "validation_failed", "status"),
        ({"body": "x", "status": "closed"}, 409, "invalid_transition", None),
        ({"body": "x", "attachments": []}, 422, "validation_failed", "attachments"),
        ({"body": "x", "author_id": 1}, 422, "validation_failed", "author_id"),
    ],
)
def test_bad_messages_change_nothing(body, status, code, field, api_as, agent, ticket):
    client = api_as(agent)
    before = db_state()
    response = client.post(f"/tickets/{ticket.pk}/messages", body)
    assert response.status_code == status, response.content
    error = error_of(response)
    assert error["code"] == code
    if field:
        assert field in error["details"], error
    assert db_state() == before


def test_closed_and_merged_tickets_take_no_messages(api_as, agent, customer, make_ticket, ticket):
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.CLOSED)
    client = api_as(agent)
    before = db_state()
    response = client.post(f"/tickets/{ticket.pk}/messages", {"body": "Hello?"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "ticket_closed"
    assert db_state() == before


# -- add, multipart with files ------------------------------------------------------------------


def test_upload_attachments(api_as, agent, ticket):
    client = api_as(agent)
    data = {
        "body": "Logs attached.",
        "is_public": "false",
        "attachments": [upload("log.txt", b"line 1\n"), upload("../../etc/passwd", b"x", "text/html")],
    }
    response = client.upload(f"/tickets/{ticket.pk}/messages/upload", data)
    assert response.status_code == 201, response.content
    message = response.json()
    assert message["is_public"] is False and message["body"] == "Logs attached."
    files = message["attachments"]
    assert [f["filename"] for f in files] == ["log.txt", "passwd"]
    assert files[0]["size"] == 7 and files[0]["content_type"] == "text/plain"
    stored = Attachment.objects.get(pk=files[0]["id"])
    assert files[0]["url"] == f"/attachments/{stored.token}/"
    download = client.client.get(files[0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"line 1\n"
    listed = client.get(f"/tickets/{ticket.pk}/messages").json()["items"][-1]
    assert listed["attachments"] == files


def test_upload_reply_with_status(api_as, agent, ticket):
    data = {"body": "Here is the fix.", "status": "pending", "attachments": [upload()]}
    response = api_as(agent).upload(f"/tickets/{ticket.pk}/messages/upload", data)
    assert response.status_code == 201
    assert response.json()["is_public"] is True
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING


@pytest.mark.parametrize(
    "data, code, field",
    [
        ({"body": "No files"}, "validation_failed", "attachments"),
        ({"attachments": [b"x"]}, "validation_failed", "body"),
        ({"body": "x", "is_public": "maybe"}, "validation_failed", "is_public"),
        ({"body": "x", "status": "gone"}, "validation_failed", "status"),
        ({"body": "x", "author": "me", "attachments": [("a.txt", b"x")]}, "validation_failed", "author"),
        (
            {"body": "x", "other_file": "file", "attachments": [("a.txt", b"x")]},
            "validation_failed",
            "other_file",
        ),
        ({"body": "x", "attachments": [("empty.txt", b"")]}, "attachment_empty", "attachments"),
        ({"body": "x", "attachments": [("big.bin", b"x" * 2048)]}, "attachment_too_large", "attachments"),
        (
            {"body": "x", "attachments": [(f"{i}.txt", b"x") for i in range(4)]},
            "too_many_attachments",
            "attachments",
        ),
        ({"body": "bad\x00body", "attachments": [("a.txt", b"x")]}, "validation_failed", "body"),
    ],
)
def test_bad_uploads_store_nothing(data, code, field, api_as, agent, ticket, settings):
    settings.SUPPORTDESK = {
        **settings.SUPPORTDESK,
        "ATTACHMENT_MAX_BYTES": 1024,
        "ATTACHMENTS_PER_MESSAGE": 3,
    }
    data = dict(data)
    if "attachments" in data:
        data["attachments"] = [
            upload(*item) if isinstance(item, tuple) else upload() for item in data["attachments"]
        ]
    if "other_file" in data:
        data["other_file"] = upload()
    client = api_as(agent)
    before = db_state()
    response = client.upload(f"/tickets/{ticket.pk}/messages/upload", data)
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert error["code"] == code
    assert field in error["details"], error
    assert db_state() == before
    assert not Message.objects.filter(body_text__startswith="x").exists()


def test_collaborator_uploads_only_notes(api_as, collaborator, shared_ticket):
    client = api_as(collaborator)
    response = client.upload(
        f"/tickets/{shared_ticket.pk}/messages/upload",
        {
            "body": "Contract",
            "is_public": "false",
            "attachments": [upload("contract.pdf", b"%PDF", "application/pdf")],
        },
    )
    assert response.status_code == 201
    before = db_state()
    response = client.upload(
        f"/tickets/{shared_ticket.pk}/messages/upload", {"body": "Public", "attachments": [upload()]}
    )
    assert response.status_code == 403
    assert db_state() == before


# -- timeline -----------------------------------------------------------------------------------


def test_events_per_role(api_as, agent, billing_agent, collaborator, manager, customer, ticket):
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, assignee_id=agent.pk, priority=3)
    response = api_as(agent).get(f"/tickets/{ticket.pk}/events")
    assert response.status_code == 200
    events = response.json()["items"]
    assert [e["kind"] for e in events] == ["created", "priority", "assignee", "status"]
    assert events[0]["actor"]["type"] == "customer" and events[0]["actor"]["id"] == customer.pk
    assert events[1]["actor"] == {"type": "agent", "id": agent.pk, "name": "Alex Agent", "email": agent.email}
    assert events[1]["data"]["new"] == {"id": 3, "name": "High"}
    assert set(events[0]) == {"id", "kind", "actor", "data", "created_at"}
    assert api_as(manager).get(f"/tickets/{ticket.pk}/events").status_code == 200
    for user, code in ((billing_agent, "ticket_not_found"), (collaborator, "ticket_not_found")):
        assert error_of(api_as(user).get(f"/tickets/{ticket.pk}/events"))["code"] == code
    assert error_of(api_as(customer.user).get(f"/tickets/{ticket.pk}/events"))["code"] == "staff_only"
    ticket_share(actor=Actor.staff(manager), ticket_id=ticket.pk, user_id=collaborator.pk)
    assert api_as(collaborator).get(f"/tickets/{ticket.pk}/events").status_code == 200
