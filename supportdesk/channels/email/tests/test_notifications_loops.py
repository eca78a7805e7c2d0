"""Loop protection of automatic mail: never to our own or machine addresses, never in answer to
mail a machine wrote, and at most N automatic emails an hour to one address."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from supportdesk.channels.email.models import AutoReplyRecord, Mailbox, OutboundEmail
from supportdesk.channels.email.services import loops
from supportdesk.channels.email.tests.test_outbound_smtp import (  # noqa: F401 - fixtures
    ScriptedSmtp,
    inbound_mail,
    outbox_mailbox_fixture,
    smtp_server_fixture,
)
from supportdesk.customers.models import Customer
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import Actor, ticket_create


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


def _email_request(
    committed: Callable[[], Any], mailbox: Mailbox, address: str, *, automatic: bool = False, n: int = 0
) -> Ticket:
    sender = Customer.objects.filter(primary_email=address).first() or Customer.objects.create(
        name="Sender", primary_email=address
    )
    with committed():
        ticket = ticket_create(
            actor=Actor.system(), requester=sender, subject="Hello", body="x", channel="email"
        )
        inbound_mail(ticket, mailbox, f"in{n}.{ticket.pk}@example.net", automatic=automatic)
    return ticket


@pytest.mark.parametrize(
    "address",
    [
        "support@desk.test",  # the mailbox itself
        "help@desk.test",  # its alias
        "support+t5-abcdefghij@desk.test",  # one of our reply addresses
        "MAILER-DAEMON@mx.example.net",
        "postmaster@example.net",
        "noreply@shop.example",
        "no-reply@shop.example",
        "do-not-reply@bank.example",
        "bounces+123@lists.example",
        "owner-users@lists.example",
        "users-request@lists.example",
    ],
)
def test_no_automatic_mail_to_ourselves_or_machines(
    outbox_mailbox: Mailbox, smtp_server: ScriptedSmtp, committed: Callable[[], Any], address: str
) -> None:
    _email_request(committed, outbox_mailbox, address)
    assert not OutboundEmail.objects.exists()
    assert smtp_server.received == []


def test_no_confirmation_for_mail_a_machine_wrote(
    outbox_mailbox: Mailbox, smtp_server: ScriptedSmtp, committed: Callable[[], Any]
) -> None:
    # An out-of-office reply from a person's address: the intake marked it automatic.
    _email_request(committed, outbox_mailbox, "ann@example.net", automatic=True)
    assert not OutboundEmail.objects.exists()
    _email_request(committed, outbox_mailbox, "ann@example.net", automatic=False, n=1)
    assert OutboundEmail.objects.count() == 1


def test_automatic_mail_to_one_address_is_rate_limited(
    outbox_mailbox: Mailbox, smtp_server: ScriptedSmtp, committed: Callable[[], Any], settings: Any
) -> None:
    settings.SUPPORTDESK_EMAIL = {**settings.SUPPORTDESK_EMAIL, "AUTO_REPLIES_PER_SENDER_PER_HOUR": 2}
    for n in range(4):
        _email_request(committed, outbox_mailbox, "Ann@Example.net", n=n)
    assert OutboundEmail.objects.count() == 2
    assert len(smtp_server.received) == 2
    assert AutoReplyRecord.objects.filter(recipient="ann@example.net").count() == 2
    # Another address is not affected.
    _email_request(committed, outbox_mailbox, "bob@example.net", n=9)
    assert OutboundEmail.objects.count() == 3
    # An hour later the address gets confirmations again.
    AutoReplyRecord.objects.update(sent_at=timezone.now() - timedelta(minutes=61))
    _email_request(committed, outbox_mailbox, "ann@example.net", n=10)
    assert OutboundEmail.objects.count() == 4


def test_old_rate_limit_records_are_forgotten(db: None) -> None:
    AutoReplyRecord.objects.create(recipient="a@example.net", sent_at=timezone.now() - timedelta(days=2))
    AutoReplyRecord.objects.create(recipient="a@example.net")
    assert loops.forget_old_records() == 1
    assert AutoReplyRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("address", "machine"),
    [
        ("mailer-daemon@x.org", True),
        ("Mailer_Daemon@x.org", True),
        ("Mail Delivery System <MAILER-DAEMON@x.org>", True),
        ("no.reply@x.org", True),
        ("donotreply@x.org", True),
        ("bounce-42@x.org", True),
        ("ann@x.org", False),
        ("norah@x.org", False),
        ("replies@x.org", False),
        ("postmasters-friend@x.org", False),
        ("", False),
    ],
)
def test_machine_addresses(address: str, machine: bool) -> None:
    assert loops.is_machine_address(address) is machine


def test_own_addresses_cover_aliases_plus_parts_and_the_site_sender(
    outbox_mailbox: Mailbox, settings: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "Desk <desk@site.test>"
    own = loops.own_addresses()
    assert {"support@desk.test", "help@desk.test", "desk@site.test"} <= own
    assert loops.is_own_address("Support+anything@Desk.test", own)
    assert loops.is_own_address("Help Desk <help@desk.test>", own)
    assert not loops.is_own_address("support@desk.test.evil.example", own)
    assert loops.blocked_reason("ann@example.net", own) == ""
    assert loops.blocked_reason("not an address", own) == "no usable address"


def test_no_automatic_mail_goes_to_the_reply_domain_that_intake_treats_as_ours(
    outbox_mailbox: Mailbox, settings: Any
) -> None:
    settings.SUPPORTDESK_EMAIL = {**settings.SUPPORTDESK_EMAIL, "REPLY_DOMAIN": "replies.desk.test"}
    own = loops.own_addresses()
    assert loops.is_own_address("anything@Replies.desk.test", own)
    assert loops.blocked_reason("anything@replies.desk.test", own)
    assert not loops.is_own_address("anything@desk.test", own)
