"""Sending through a real SMTP server (aiosmtpd on 127.0.0.1) that can be told to answer 4xx or
5xx: retries with backoff, permanent failures, partial refusals, idempotent sending.

The scripted server and the fixtures here are shared by the other outbound, notification and
bounce test modules (imported from this one)."""

from __future__ import annotations

import smtplib
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db.utils import OperationalError
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.channels.email.choices import Direction, OutboundKind, OutboundStatus, Security
from supportdesk.channels.email.models import EmailLink, InboundEmail, Mailbox, OutboundEmail
from supportdesk.channels.email.services import outbound
from supportdesk.channels.email.tasks_outbound import send_due_outbound, send_outbound
from supportdesk.customers.models import Customer
from supportdesk.tickets.models import Message, Ticket
from supportdesk.tickets.services import Actor, message_add, ticket_create


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Captured:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)  # type: ignore[return-value]


@dataclass
class ScriptedSmtp:
    """An SMTP server that keeps what it accepts and answers as a test scripts it: the next
    RCPT or DATA commands get the scripted answers, listed addresses are always refused."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[Captured] = field(default_factory=list)
    rcpt_script: list[str] = field(default_factory=list)
    data_script: list[str] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    transactions: int = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        if self.rcpt_script:
            return self.rcpt_script.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.transactions += 1
        if self.data_script:
            return self.data_script.pop(0)
        content = envelope.original_content or envelope.content
        self.received.append(Captured(envelope.mail_from, list(envelope.rcpt_tos), bytes(content)))
        return "250 2.0.0 Message accepted for delivery"

    def last(self) -> EmailMessage:
        assert self.received, "nothing was sent"
        return self.received[-1].message


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[ScriptedSmtp]:
    server = ScriptedSmtp(port=free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture(name="outbox_mailbox")
def outbox_mailbox_fixture(db: None, smtp_server: ScriptedSmtp) -> Mailbox:
    """The default mailbox, sending through the scripted server without TLS."""
    return Mailbox.objects.create(
        name="Support",
        email_address="support@desk.test",
        aliases="help@desk.test",
        display_name="Acme Support",
        is_default=True,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_security=Security.NONE,
    )


def inbound_mail(
    ticket: Ticket,
    mailbox: Mailbox | None,
    message_id: str,
    *,
    message: Message | None = None,
    automatic: bool = False,
) -> InboundEmail:
    """What the intake leaves behind for a received email: the InboundEmail row and its link."""
    message = message or ticket.messages.order_by("-id").first()
    row = InboundEmail.objects.create(
        mailbox=mailbox,
        source="imap",
        raw=f"mail/raw/{uuid.uuid4().hex}.eml",
        sha256=uuid.uuid4().hex * 2,
        size=100,
        message_id_header=message_id,
        status="processed",
        outcome="new_ticket",
        is_automatic=automatic,
        ticket=ticket,
        message=message,
    )
    EmailLink.objects.create(
        message_id_header=message_id, direction=Direction.INBOUND, ticket=ticket, message=message
    )
    return row


@pytest.fixture(name="email_ticket")
def email_ticket_fixture(customer: Customer, outbox_mailbox: Mailbox) -> Ticket:
    """A ticket the customer opened by email through the default mailbox."""
    ticket = ticket_create(
        actor=Actor.system(),
        requester=customer,
        subject="Printer on fire",
        body="Smoke is coming out of the printer.",
        channel="email",
    )
    inbound_mail(ticket, outbox_mailbox, "first.mail@example.com")
    return ticket


@pytest.fixture(name="reply")
def reply_fixture(agent: User, django_capture_on_commit_callbacks: Any) -> Callable[..., Message]:
    """An agent's public reply through the real service, with the after-commit work run."""

    def add(
        ticket: Ticket, body: str = "We are sending a technician.", *, by: User | None = None, **kwargs: Any
    ) -> Message:
        with django_capture_on_commit_callbacks(execute=True):
            return message_add(actor=Actor.staff(by or agent), ticket_id=ticket.pk, body=body, **kwargs)

    return add


def _row() -> OutboundEmail:
    return OutboundEmail.objects.get()


def _age(row: OutboundEmail) -> None:
    """Make a waiting row due now, as if its backoff had passed."""
    OutboundEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# -- the tests ------------------------------------------------------------------------------------


def test_a_reply_is_queued_after_commit_and_sent_once(
    email_ticket: Ticket, agent: User, smtp_server: ScriptedSmtp, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message_add(actor=Actor.staff(agent), ticket_id=email_ticket.pk, body="On our way.")
        # Nothing is queued before the reply is committed.
        assert not OutboundEmail.objects.exists()
    row = _row()
    assert (row.kind, row.status, row.attempts) == (OutboundKind.REPLY, OutboundStatus.SENT, 1)
    assert row.sent_at is not None
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].mail_from == "support@desk.test"
    assert smtp_server.received[0].rcpt_tos == ["customer@example.com"]


def test_a_temporary_failure_is_retried_with_backoff_and_sent_once(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp
) -> None:
    smtp_server.rcpt_script = [
        "451 4.7.1 Greylisted, try again later",
        "451 4.7.1 Greylisted, try again later",
    ]
    message = reply(email_ticket)
    row = _row()
    assert (row.status, row.attempts) == (OutboundStatus.QUEUED, 1)
    assert "451 4.7.1 Greylisted" in row.last_error
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)
    notes = outbound.message_notes_for([message])[message.pk]
    assert notes[0].tone == "warning"
    assert notes[0].text.startswith("Waiting to be sent (attempt 2, next at ")

    # Not due yet: the sweep leaves it alone.
    assert send_due_outbound.call_local() == 0
    _age(row)
    assert send_due_outbound.call_local() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.QUEUED, 2)
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=110) < wait <= timedelta(minutes=2)

    _age(row)
    send_due_outbound.call_local()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboundStatus.SENT, 3, "")
    assert len(smtp_server.received) == 1
    assert outbound.message_notes_for([message])[message.pk][0].text == "Sent to customer@example.com"


def test_a_refused_recipient_fails_at_once_with_the_servers_words(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp
) -> None:
    smtp_server.refuse["customer@example.com"] = (
        "550 5.1.1 <customer@example.com>: Recipient address rejected"
    )
    message = reply(email_ticket)
    row = _row()
    assert (row.status, row.attempts, row.next_attempt_at) == (OutboundStatus.FAILED, 1, None)
    assert row.last_error == (
        "customer@example.com: 550 5.1.1 <customer@example.com>: Recipient address rejected"
    )
    note = outbound.message_notes_for([message])[message.pk][0]
    assert note.tone == "error"
    assert note.text.startswith("Could not be sent: customer@example.com: 550 5.1.1")
    # A failed email is never sent again by the sweep.
    _age(row)
    assert send_due_outbound.call_local() == 0
    assert smtp_server.received == []


def test_a_message_the_server_refuses_after_data_fails(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp
) -> None:
    smtp_server.data_script = ["554 5.7.1 Message rejected as spam"]
    reply(email_ticket)
    row = _row()
    assert row.status == OutboundStatus.FAILED
    assert row.last_error == "554 5.7.1 Message rejected as spam"


def test_a_temporary_failure_after_data_is_retried(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp
) -> None:
    smtp_server.data_script = ["452 4.3.1 Insufficient system storage"]
    reply(email_ticket)
    row = _row()
    assert (row.status, row.last_error) == (OutboundStatus.QUEUED, "452 4.3.1 Insufficient system storage")
    _age(row)
    send_due_outbound.call_local()
    row.refresh_from_db()
    assert row.status == OutboundStatus.SENT
    assert len(smtp_server.received) == 1


def test_one_refused_copy_does_not_stop_the_others(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp, other_customer: Customer
) -> None:
    email_ticket.followers.create(customer=other_customer)
    smtp_server.refuse["other@example.com"] = "550 5.1.1 No such user"
    message = reply(email_ticket)
    row = _row()
    assert row.status == OutboundStatus.SENT
    assert smtp_server.received[0].rcpt_tos == ["customer@example.com"]
    notes = outbound.message_notes_for([message])[message.pk]
    assert [(n.tone, n.text) for n in notes] == [
        ("success", "Sent to customer@example.com"),
        ("error", "Not delivered to other@example.com: 550 5.1.1 No such user"),
    ]


def test_a_server_that_is_down_is_tried_again(
    email_ticket: Ticket, reply: Callable[..., Message], outbox_mailbox: Mailbox, smtp_server: ScriptedSmtp
) -> None:
    outbox_mailbox.smtp_port = free_port()  # nothing listens there
    outbox_mailbox.save(update_fields=["smtp_port"])
    reply(email_ticket)
    row = _row()
    assert (row.status, row.attempts) == (OutboundStatus.QUEUED, 1)
    assert "ConnectionRefusedError" in row.last_error
    outbox_mailbox.smtp_port = smtp_server.port
    outbox_mailbox.save(update_fields=["smtp_port"])
    _age(row)
    send_due_outbound.call_local()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.SENT, 2)


def test_sending_gives_up_after_the_configured_retries(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp, settings: Any
) -> None:
    settings.SUPPORTDESK_EMAIL = {**settings.SUPPORTDESK_EMAIL, "SEND_RETRIES": 1}
    smtp_server.rcpt_script = ["421 4.3.2 Service shutting down"] * 5
    message = reply(email_ticket)
    row = _row()
    _age(row)
    send_due_outbound.call_local()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.details["failure"]) == (OutboundStatus.FAILED, 2, "gave_up")
    note = outbound.message_notes_for([message])[message.pk][0]
    assert note.text == (
        "Could not be sent: no success after 2 attempts "
        "(customer@example.com: 421 4.3.2 Service shutting down)"
    )
    assert smtp_server.received == []


def test_running_the_send_task_twice_sends_once(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp
) -> None:
    reply(email_ticket)
    row = _row()
    assert send_outbound.call_local(row.pk) == ""
    send_outbound(row.pk)  # through huey (immediate in tests)
    assert send_due_outbound.call_local() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.SENT, 1)
    assert len(smtp_server.received) == 1


def test_a_row_another_worker_is_sending_is_left_alone(
    email_ticket: Ticket, outbox_mailbox: Mailbox, smtp_server: ScriptedSmtp, agent: User
) -> None:
    # Reply without running the after-commit work, so the row stays queued.
    message = message_add(actor=Actor.staff(agent), ticket_id=email_ticket.pk, body="Hello")
    row = outbound.outbound_queue_reply(message_id=message.pk)
    assert row is not None
    # Another worker claimed it: the claim counts the attempt and leases the row.
    OutboundEmail.objects.filter(pk=row.pk).update(
        attempts=1, next_attempt_at=timezone.now() + outbound.LEASE
    )
    assert outbound.outbound_send(outbound_id=row.pk) == ""
    assert smtp_server.received == []
    # That worker died mid-send: once the lease is over the sweep sends it.
    _age(row)
    assert send_due_outbound.call_local() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.SENT, 2)
    assert len(smtp_server.received) == 1


def test_queueing_a_reply_twice_keeps_one_row(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp
) -> None:
    message = reply(email_ticket)
    assert outbound.outbound_queue_reply(message_id=message.pk) == _row()
    assert OutboundEmail.objects.count() == 1
    assert len(smtp_server.received) == 1


def test_without_own_smtp_settings_the_sites_mail_backend_sends(
    email_ticket: Ticket, reply: Callable[..., Message], outbox_mailbox: Mailbox, smtp_server: ScriptedSmtp
) -> None:
    outbox_mailbox.smtp_host = ""
    outbox_mailbox.save(update_fields=["smtp_host"])
    reply(email_ticket)
    assert _row().status == OutboundStatus.SENT
    assert smtp_server.received == []
    assert len(mail.outbox) == 1
    sent = mail.outbox[0].message()
    assert sent["Message-ID"] == f"<{_row().message_id_header}>"
    assert mail.outbox[0].recipients() == ["customer@example.com"]


def test_backoff_doubles_up_to_a_ceiling() -> None:
    waits = [outbound.backoff(n) for n in range(1, 12)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == outbound.MAX_BACKOFF
    assert waits == sorted(waits)


@pytest.mark.parametrize(
    ("error", "temporary", "text"),
    [
        (smtplib.SMTPDataError(451, b"4.3.0 Try later"), True, "451 4.3.0 Try later"),
        (smtplib.SMTPDataError(550, b"5.7.1 Rejected"), False, "550 5.7.1 Rejected"),
        (smtplib.SMTPSenderRefused(553, b"5.7.1 Not allowed", "a@b"), False, "553 5.7.1 Not allowed"),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), True, "535 5.7.8 Bad credentials"),
        (
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            True,
            "SMTPServerDisconnected: Connection unexpectedly closed",
        ),
        (TimeoutError("timed out"), True, "timed out (timed out)"),
        (
            ConnectionRefusedError(111, "Connection refused"),
            True,
            "ConnectionRefusedError: [Errno 111] Connection refused",
        ),
    ],
)
def test_errors_are_told_apart(error: BaseException, temporary: bool, text: str) -> None:
    assert outbound.classify(error) == (temporary, text)


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_email_send_it_once(customer: Customer, smtp_server: ScriptedSmtp) -> None:
    import threading
    from unittest import mock

    from django.db import connection, transaction

    ticket = ticket_create(
        actor=Actor.system(), requester=customer, subject="Race", body="x", channel="email"
    )
    mailbox = Mailbox.objects.create(
        name="Support",
        email_address="support@desk.test",
        is_default=True,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_security=Security.NONE,
    )
    with mock.patch.object(outbound, "_enqueue_send"), transaction.atomic():
        row = outbound.outbound_create(
            ticket=ticket,
            mailbox=mailbox,
            kind=OutboundKind.REPLY,
            to=["customer@example.com"],
            subject="Re: Race",
            language="en",
            from_name="Desk",
        )
    start = threading.Barrier(2)
    results: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(outbound.outbound_send(outbound_id=row.pk))
        except OperationalError as error:
            # SQLite's shared in-memory test database reports a table lock at once where a
            # file database waits; the loser then simply does not send, which is the point.
            assert connection.vendor == "sqlite" and "locked" in str(error), error
            results.append("")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["", OutboundStatus.SENT]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.SENT, 1)
    assert len(smtp_server.received) == 1


def test_a_site_without_a_mail_server_says_so_under_the_message(
    email_ticket: Ticket,
    reply: Callable[..., Message],
    outbox_mailbox: Mailbox,
    settings: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    outbox_mailbox.smtp_host = ""
    outbox_mailbox.save(update_fields=["smtp_host"])
    message = reply(email_ticket)
    assert f"Subject: Re: Printer on fire [#{email_ticket.pk}]" in capsys.readouterr().out
    [note] = outbound.message_notes_for([message])[message.pk]
    assert (note.tone, note.text) == (
        "warning",
        "Not sent: no mail server is configured, the email only went to the server log",
    )


def test_a_reply_whose_after_commit_handler_was_lost_is_sent_by_the_sweep(
    email_ticket: Ticket, agent: User, smtp_server: ScriptedSmtp
) -> None:
    Mailbox.objects.update(created_at=timezone.now() - timedelta(hours=1))
    # Committed, but the after-commit handler never ran (as when the process dies right then).
    message = message_add(actor=Actor.staff(agent), ticket_id=email_ticket.pk, body="Fixed, sorry.")
    assert not OutboundEmail.objects.exists()
    send_due_outbound.call_local()
    assert not OutboundEmail.objects.exists(), "a reply within the grace period is left to its handler"

    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    send_due_outbound.call_local()
    row = _row()
    assert (row.message_id, row.kind, row.status) == (message.pk, OutboundKind.REPLY, OutboundStatus.SENT)
    assert len(smtp_server.received) == 1
    assert "Fixed, sorry." in smtp_server.received[0].message.get_body(("plain",)).get_content()

    send_due_outbound.call_local()
    assert OutboundEmail.objects.count() == 1 and len(smtp_server.received) == 1


def test_the_sweep_leaves_old_replies_and_notes_alone(
    email_ticket: Ticket, agent: User, smtp_server: ScriptedSmtp
) -> None:
    Mailbox.objects.update(created_at=timezone.now() - timedelta(days=3, hours=1))
    old = message_add(actor=Actor.staff(agent), ticket_id=email_ticket.pk, body="Long ago.")
    note = message_add(actor=Actor.staff(agent), ticket_id=email_ticket.pk, body="Internal.", is_public=False)
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    Message.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert outbound.outbound_queue_missed_replies() == 0
    # Replies written before the desk had a mailbox (imported history, the demo) stay unsent.
    Mailbox.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert outbound.outbound_queue_missed_replies() == 0
    assert not OutboundEmail.objects.exists()
