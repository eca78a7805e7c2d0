"""A whole conversation by email through the real intake and a real SMTP server: the customer
writes, gets a confirmation, the agent answers, and the customer's answer to that email lands
on the same ticket, however the customer's mail program threads it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from supportdesk.accounts.models import User
from supportdesk.channels.email.choices import OutboundStatus
from supportdesk.channels.email.models import InboundEmail, Mailbox, OutboundEmail
from supportdesk.channels.email.tests.test_outbound_smtp import (  # noqa: F401 - fixtures
    ScriptedSmtp,
    outbox_mailbox_fixture,
    smtp_server_fixture,
)
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import Actor, message_add

intake = pytest.importorskip("supportdesk.channels.email.services.intake")


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


def _receive(raw: str, mailbox: Mailbox, committed: Callable[[], Any]) -> InboundEmail:
    with committed():
        row, _created = intake.store_inbound(raw=raw.encode(), source="smtp", mailbox=mailbox)
        return intake.process_inbound(row.pk)


FIRST = (
    "From: Dana Doe <dana@example.org>\r\n"
    "To: support@desk.test\r\n"
    "Subject: Invoice 2291 is wrong\r\n"
    "Message-ID: <dana.1@example.org>\r\n"
    "Date: Mon, 02 Mar 2026 10:00:00 +0100\r\n"
    "\r\n"
    "The invoice shows two licences; we have one.\r\n"
)


def _answer(*, to: str, in_reply_to: str, references: str, subject: str, message_id: str) -> str:
    return (
        "From: Dana Doe <dana@example.org>\r\n"
        f"To: {to}\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{message_id}>\r\n"
        f"In-Reply-To: {in_reply_to}\r\n"
        f"References: {references}\r\n"
        "Date: Mon, 02 Mar 2026 12:00:00 +0100\r\n"
        "\r\n"
        "Thanks, that fixes it.\r\n"
    )


@pytest.mark.parametrize("threading", ["reply token", "in-reply-to"])
def test_a_conversation_by_email_stays_on_one_ticket(
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    agent: User,
    committed: Callable[[], Any],
    threading: str,
) -> None:
    first = _receive(FIRST, outbox_mailbox, committed)
    ticket = Ticket.objects.get(pk=first.ticket_id)
    assert ticket.channel == "email"
    [confirmation] = [c.message for c in smtp_server.received]
    assert confirmation["To"] == "dana@example.org"
    assert confirmation["In-Reply-To"] == "<dana.1@example.org>"
    assert confirmation["Auto-Submitted"] == "auto-replied"

    with committed():
        message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Fixed: the second licence is gone.")
    reply = smtp_server.last()
    assert reply["In-Reply-To"] == "<dana.1@example.org>"
    assert OutboundEmail.objects.filter(status=OutboundStatus.SENT).count() == 2

    # The customer's mail program answers: to the Reply-To address, or (when a gateway rewrote
    # the recipient) to the plain mailbox address with only the threading headers.
    to = reply["Reply-To"].addresses[0].addr_spec if threading == "reply token" else "support@desk.test"
    answer = _answer(
        to=to,
        in_reply_to=reply["Message-ID"],
        references=f"{reply['References']} {reply['Message-ID']}",
        subject="Re: Invoice 2291",  # the subject tag dropped on purpose
        message_id="dana.2@example.org",
    )
    second = _receive(answer, outbox_mailbox, committed)
    assert second.ticket_id == ticket.pk
    assert Ticket.objects.count() == 1
    assert ticket.messages.count() == 3
    # A customer's answer is not automatic mail: nothing more goes to the customer.
    assert OutboundEmail.objects.count() == 2
