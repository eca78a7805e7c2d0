"""Bounces mark the email we sent (never a new ticket), and every emailed message shows how it
fared on the ticket page, read for all messages in one query."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.channels.email.choices import OutboundStatus
from supportdesk.channels.email.models import Mailbox, OutboundEmail
from supportdesk.channels.email.services.outbound import message_notes_for, outbound_mark_bounced
from supportdesk.channels.email.tests.test_outbound_smtp import (  # noqa: F401 - fixtures
    ScriptedSmtp,
    email_ticket_fixture,
    inbound_mail,
    outbox_mailbox_fixture,
    reply_fixture,
    smtp_server_fixture,
)
from supportdesk.customers.models import Customer
from supportdesk.tickets.extensions import message_notes
from supportdesk.tickets.models import Message, Ticket

DIAGNOSTIC = "smtp; 550 5.1.1 <customer@example.com>: Recipient address rejected: User unknown"


@pytest.fixture
def sent(email_ticket: Ticket, reply: Callable[..., Message]) -> OutboundEmail:
    reply(email_ticket)
    row = OutboundEmail.objects.get()
    assert row.status == OutboundStatus.SENT
    return row


def test_a_permanent_bounce_marks_the_email_bounced(sent: OutboundEmail) -> None:
    tickets_before = Ticket.objects.count()
    changed = outbound_mark_bounced(
        message_ids=[f"<{sent.message_id_header}>"],
        permanent=True,
        diagnostic=DIAGNOSTIC,
        recipients=["Customer@Example.com"],
    )
    assert changed == 1
    sent.refresh_from_db()
    assert sent.status == OutboundStatus.BOUNCED
    assert sent.bounce_reason == DIAGNOSTIC
    assert sent.bounced_at is not None
    assert sent.details["bounce"]["recipients"] == ["customer@example.com"]
    assert Ticket.objects.count() == tickets_before
    note = message_notes_for([sent.message])[sent.message_id][0]
    assert (note.tone, note.text) == ("error", f"Bounced: {DIAGNOSTIC}")
    # The same report processed again changes nothing.
    assert (
        outbound_mark_bounced(message_ids=[sent.message_id_header], permanent=True, diagnostic=DIAGNOSTIC)
        == 0
    )


def test_a_temporary_delay_is_recorded_but_the_email_stays_sent(sent: OutboundEmail) -> None:
    text = "smtp; 451 4.4.1 Mailbox temporarily unavailable, will keep trying"
    assert outbound_mark_bounced(message_ids=[sent.message_id_header], permanent=False, diagnostic=text) == 1
    sent.refresh_from_db()
    assert sent.status == OutboundStatus.SENT
    assert sent.last_error == text
    assert [d["diagnostic"] for d in sent.details["delays"]] == [text]
    assert outbound_mark_bounced(message_ids=[sent.message_id_header], permanent=False, diagnostic=text) == 0
    notes = message_notes_for([sent.message])[sent.message_id]
    assert [(n.tone, n.text) for n in notes] == [
        ("success", "Sent to customer@example.com"),
        ("warning", f"Delivery delayed: {text}"),
    ]
    # The final failure comes later.
    assert (
        outbound_mark_bounced(message_ids=[sent.message_id_header], permanent=True, diagnostic=DIAGNOSTIC)
        == 1
    )
    sent.refresh_from_db()
    assert sent.status == OutboundStatus.BOUNCED
    # A delay reported after the bounce changes nothing.
    assert (
        outbound_mark_bounced(message_ids=[sent.message_id_header], permanent=False, diagnostic="later") == 0
    )


def test_unknown_message_ids_change_nothing(sent: OutboundEmail) -> None:
    assert (
        outbound_mark_bounced(
            message_ids=["someone-else@example.org", "", "<>"], permanent=True, diagnostic="x"
        )
        == 0
    )
    assert outbound_mark_bounced(message_ids=[], permanent=True, diagnostic="x") == 0
    sent.refresh_from_db()
    assert sent.status == OutboundStatus.SENT


def test_a_bounce_of_a_copy_only_is_shown_for_that_address(
    email_ticket: Ticket, reply: Callable[..., Message], other_customer: Customer
) -> None:
    email_ticket.followers.create(customer=other_customer)
    message = reply(email_ticket)
    row = OutboundEmail.objects.get()
    diagnostic = "550 5.2.1 Mailbox disabled"
    changed = outbound_mark_bounced(
        message_ids=[row.message_id_header],
        permanent=True,
        diagnostic=diagnostic,
        recipients=["other@example.com"],
    )
    assert changed == 1
    row.refresh_from_db()
    assert row.status == OutboundStatus.SENT
    notes = message_notes_for([message])[message.pk]
    assert [(n.tone, n.text) for n in notes] == [
        ("success", "Sent to customer@example.com, other@example.com"),
        ("error", f"Bounced for other@example.com: {diagnostic}"),
    ]


def test_notes_for_many_messages_in_one_query(
    email_ticket: Ticket,
    reply: Callable[..., Message],
    smtp_server: ScriptedSmtp,
    customer: Customer,
    django_assert_num_queries: Any,
) -> None:
    sent_message = reply(email_ticket, "one")
    smtp_server.rcpt_script = ["451 4.7.1 Greylisted"]
    waiting = reply(email_ticket, "two")
    smtp_server.refuse["customer@example.com"] = "550 5.1.1 User unknown"
    failed = reply(email_ticket, "three")
    bounced = reply(email_ticket, "four")  # refused too; then marked bounced below for the test
    OutboundEmail.objects.filter(message=bounced).update(status=OutboundStatus.BOUNCED, bounce_reason="gone")
    customer_message = Message.objects.filter(ticket=email_ticket, author_kind="customer").first()
    queued = OutboundEmail.objects.get(message=waiting)
    queued.next_attempt_at = timezone.now() + timedelta(minutes=1)
    queued.save(update_fields=["next_attempt_at"])
    messages = [sent_message, waiting, failed, bounced, customer_message]
    with django_assert_num_queries(1):
        notes = message_notes_for(messages)
    assert notes[sent_message.pk][0].text == "Sent to customer@example.com"
    assert notes[waiting.pk][0].text.startswith("Waiting to be sent (attempt 2, next at ")
    assert notes[waiting.pk][0].detail == "customer@example.com: 451 4.7.1 Greylisted"
    assert notes[failed.pk][0].text == "Could not be sent: customer@example.com: 550 5.1.1 User unknown"
    assert notes[bounced.pk][0].text == "Bounced: gone"
    assert customer_message.pk not in notes
    # The tickets app reaches the notes through its extension point.
    assert message_notes(messages) == notes


def test_a_message_waiting_for_its_first_try(
    email_ticket: Ticket, agent: User, outbox_mailbox: Mailbox
) -> None:
    from supportdesk.channels.email.services.outbound import outbound_queue_reply
    from supportdesk.tickets.services import Actor, message_add

    message = message_add(actor=Actor.staff(agent), ticket_id=email_ticket.pk, body="Queued")
    outbound_queue_reply(message_id=message.pk)
    [note] = message_notes_for([message])[message.pk]
    assert (note.tone, note.text) == ("info", "Waiting to be sent")


def test_a_delivery_report_through_the_intake_marks_the_reply(
    sent: OutboundEmail, outbox_mailbox: Mailbox
) -> None:
    intake = pytest.importorskip("supportdesk.channels.email.services.intake")
    tickets_before = Ticket.objects.count()
    report = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: support@desk.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn.1@mx.example.com>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n"
        "--B\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "Your message could not be delivered.\r\n"
        "--B\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n"
        "\r\n"
        "Final-Recipient: rfc822; customer@example.com\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        f"Diagnostic-Code: {DIAGNOSTIC}\r\n"
        "--B\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        "From: support@desk.test\r\n"
        "To: customer@example.com\r\n"
        f"Message-ID: <{sent.message_id_header}>\r\n"
        "Subject: Re: Printer on fire\r\n"
        "--B--\r\n"
    ).encode()
    row, _created = intake.store_inbound(raw=report, source="import", mailbox=outbox_mailbox)
    intake.process_inbound(row.pk)
    sent.refresh_from_db()
    assert sent.status == OutboundStatus.BOUNCED
    assert "5.1.1" in sent.bounce_reason
    assert Ticket.objects.count() == tickets_before


def test_no_query_for_a_conversation_without_agents_replies(
    email_ticket: Ticket, django_assert_num_queries: Any
) -> None:
    from supportdesk.tickets.services import Actor, message_add

    note = message_add(actor=Actor.system(), ticket_id=email_ticket.pk, body="internal", is_public=False)
    messages = [*Message.objects.filter(ticket=email_ticket, author_kind="customer"), note]
    with django_assert_num_queries(0):
        assert message_notes_for(messages) == {}
