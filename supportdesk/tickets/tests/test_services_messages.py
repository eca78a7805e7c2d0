"""Replies and notes: who may write what, and what a message does to the ticket."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from supportdesk.tickets import selectors
from supportdesk.tickets.choices import AuthorKind, EventKind, Status
from supportdesk.tickets.models import Message
from supportdesk.tickets.services import Actor, message_add, ticket_merge, ticket_share, ticket_update

pytestmark = pytest.mark.django_db


def test_first_agent_reply_sets_first_response_and_opens(agent, customer, make_ticket):
    ticket = make_ticket(customer)
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Hello")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.first_response_at is not None and ticket.message_count == 2
    first = ticket.first_response_at
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Again")
    ticket.refresh_from_db()
    assert ticket.first_response_at == first


def test_internal_note_does_not_count_as_a_response(agent, customer, make_ticket):
    ticket = make_ticket(customer)
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Looking into it", is_public=False)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None and ticket.status == Status.NEW
    assert ticket.events.last().kind == EventKind.NOTE


def test_customer_reply_reopens_solved_and_pending(agent, customer, make_ticket):
    ticket = make_ticket(customer)
    for waiting in (Status.PENDING, Status.SOLVED):
        ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=waiting)
        message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="Still broken")
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN
    assert ticket.reopen_count == 1


def test_reply_and_solve_in_one_step(agent, customer, make_ticket):
    ticket = make_ticket(customer)
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Fixed", status=Status.SOLVED)
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


def test_customers_cannot_write_notes_or_change_status(customer, make_ticket):
    ticket = make_ticket(customer)
    with pytest.raises(PermissionDenied):
        message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="x", is_public=False)
    with pytest.raises(PermissionDenied):
        message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="x", status=Status.SOLVED)
    assert Message.objects.count() == 1


def test_collaborator_writes_notes_only_on_shared_tickets(agent, collaborator, customer, make_ticket):
    ticket = make_ticket(customer)
    with pytest.raises(NotFound):
        message_add(actor=Actor.staff(collaborator), ticket_id=ticket.pk, body="x", is_public=False)
    ticket_share(actor=Actor.staff(agent), ticket_id=ticket.pk, user_id=collaborator.pk)
    message_add(actor=Actor.staff(collaborator), ticket_id=ticket.pk, body="Finance view", is_public=False)
    with pytest.raises(PermissionDenied):
        message_add(actor=Actor.staff(collaborator), ticket_id=ticket.pk, body="x", is_public=True)
    assert Message.objects.filter(is_public=False).count() == 1


def test_other_customers_and_other_groups_cannot_write(billing_agent, other_customer, customer, make_ticket):
    ticket = make_ticket(customer)
    for actor in (Actor.of_customer(other_customer), Actor.staff(billing_agent)):
        with pytest.raises(NotFound):
            message_add(actor=actor, ticket_id=ticket.pk, body="x")


def test_closed_and_merged_tickets_take_no_messages(agent, customer, make_ticket):
    ticket, other = make_ticket(customer), make_ticket(customer)
    actor = Actor.staff(agent)
    ticket_update(actor=actor, ticket_id=ticket.pk, status=Status.SOLVED)
    ticket_update(actor=actor, ticket_id=ticket.pk, status=Status.CLOSED)
    with pytest.raises(Conflict) as caught:
        message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="hello?")
    assert caught.value.code == "ticket_closed"
    target = make_ticket(customer)
    ticket_merge(actor=actor, source_id=other.pk, target_id=target.pk)
    with pytest.raises(Conflict):
        message_add(actor=actor, ticket_id=other.pk, body="x")


def test_html_is_sanitized_and_text_kept(agent, customer, make_ticket):
    ticket = make_ticket(customer)
    message = message_add(
        actor=Actor.staff(agent),
        ticket_id=ticket.pk,
        body="Plain",
        body_html="<p>Hi<script>x()</script><img src=x onerror=y></p>",
    )
    assert "script" not in message.body_html and "onerror" not in message.body_html
    assert message.body_text == "Plain" and message.author_kind == AuthorKind.AGENT


def test_too_many_attachments_and_empty_body(agent, customer, make_ticket, settings):
    ticket = make_ticket(customer)
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "ATTACHMENTS_PER_MESSAGE": 2}
    files = [SimpleUploadedFile(f"f{n}.txt", b"x") for n in range(3)]
    with pytest.raises(ValidationFailed):
        message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="x", attachments=files)
    with pytest.raises(ValidationFailed):
        message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="   ")
    with pytest.raises(ValidationFailed):
        message_add(
            actor=Actor.staff(agent),
            ticket_id=ticket.pk,
            body="x",
            attachments=[SimpleUploadedFile("e.txt", b"")],
        )
    assert Message.objects.count() == 1


def test_message_text_is_searchable(agent, customer, make_ticket):
    ticket = make_ticket(customer, subject="Router", body="Đèn đỏ nhấp nháy")
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Proszę zrestartować urządzenie")
    for query in ("den do nhap nhay", "zrestartowac", "router"):
        assert [
            t.pk for t in selectors.ticket_list(agent, filters=selectors.TicketFilters(text=query)).items
        ] == [ticket.pk]


def test_a_collaborators_note_cannot_change_the_status(agent, collaborator, customer, make_ticket):
    ticket = make_ticket(customer)
    ticket_share(actor=Actor.staff(agent), ticket_id=ticket.pk, user_id=collaborator.pk)
    with pytest.raises(PermissionDenied):
        message_add(
            actor=Actor.staff(collaborator),
            ticket_id=ticket.pk,
            body="x",
            is_public=False,
            status=Status.SOLVED,
        )
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.message_count == 1


def test_a_refused_status_change_writes_no_message_and_no_file(agent, customer, make_ticket, settings):
    from supportdesk.tickets.models import CustomField

    ticket = make_ticket(customer)
    CustomField.objects.create(key="cause", name="Cause", field_type="text", required=True)
    upload = SimpleUploadedFile("log.txt", b"log")
    with pytest.raises(ValidationFailed):
        message_add(
            actor=Actor.staff(agent),
            ticket_id=ticket.pk,
            body="Done",
            status=Status.SOLVED,
            attachments=[upload],
        )
    assert Message.objects.count() == 1
    media = settings.MEDIA_ROOT / "attachments"
    assert not media.exists() or not any(media.rglob("*"))
