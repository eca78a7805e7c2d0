"""The built-in SMTP receiver, fed by smtplib over a real socket."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from django.db import connections

from supportdesk.channels.email import smtp_receiver, tokens
from supportdesk.channels.email.choices import InboundOutcome, InboundStatus
from supportdesk.channels.email.models import InboundEmail, Mailbox
from supportdesk.channels.email.tests import mailfactory
from supportdesk.channels.email.tests.conftest import free_port
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@dataclass
class Receiver:
    host: str
    port: int
    handler: smtp_receiver.IntakeHandler

    def client(self) -> smtplib.SMTP:
        return smtplib.SMTP(self.host, self.port, timeout=10)

    def send(self, raw: bytes, to: list[str], sender: str = "customer@example.com") -> dict:
        with self.client() as client:
            return client.sendmail(sender, to, raw)


@pytest.fixture
def receiver(mailbox) -> Iterator[Receiver]:
    """The receiver on a free port. Its database work runs on this test's connection (as
    Django's live server does), so it sees the test's rows and its writes roll back after."""
    main = connections["default"]
    main.inc_thread_sharing()
    executor = ThreadPoolExecutor(max_workers=1, initializer=lambda: connections.__setitem__("default", main))
    handler = smtp_receiver.IntakeHandler(executor=executor, manage_connections=False)
    port = free_port()
    controller = smtp_receiver.make_controller(host="127.0.0.1", port=port, handler=handler)
    controller.start()
    try:
        yield Receiver("127.0.0.1", port, handler)
    finally:
        controller.stop()
        handler.close()
        main.dec_thread_sharing()


def test_mail_for_our_mailbox_is_stored_exactly_as_received_then_processed(receiver):
    raw = mailfactory.email(subject="Via SMTP", sender="Carla <customer@example.com>")
    refused = receiver.send(raw, ["support@desk.test"])
    assert refused == {}
    row = InboundEmail.objects.get()
    assert row.source == "smtp" and row.mailbox.email_address == "support@desk.test"
    with row.raw.open("rb") as stored:
        assert stored.read() == raw, "the raw message is kept byte for byte"
    assert row.details["envelope"] == {
        "mail_from": "customer@example.com",
        "rcpt_tos": ["support@desk.test"],
        "peer": "127.0.0.1",
    }
    assert row.status == InboundStatus.PROCESSED and row.ticket.subject == "Via SMTP"


def test_the_answer_comes_after_the_store(receiver):
    with receiver.client() as client:
        client.ehlo()
        client.mail("customer@example.com")
        client.rcpt("support@desk.test")
        code, text = client.data(mailfactory.email())
    row = InboundEmail.objects.get()
    assert code == 250 and text.decode() == f"2.0.0 Stored as {row.pk}"


@pytest.mark.parametrize("address", ["help@desk.test", "SUPPORT@DESK.TEST", "support+anything@desk.test"])
def test_aliases_and_plus_addresses_are_accepted(receiver, address):
    assert receiver.send(mailfactory.email(to=address), [address]) == {}
    assert InboundEmail.objects.get().mailbox.email_address == "support@desk.test"


def test_unknown_recipients_are_refused_with_550(receiver):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        receiver.send(mailfactory.email(to="nobody@desk.test"), ["nobody@desk.test"])
    assert refused.value.recipients["nobody@desk.test"][0] == 550
    assert not InboundEmail.objects.exists()


def test_an_inactive_mailbox_takes_no_mail(receiver, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(is_active=False)
    receiver.handler.directory.forget()
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        receiver.send(mailfactory.email(), ["support@desk.test"])


def test_of_several_recipients_only_ours_are_accepted(receiver):
    refused = receiver.send(mailfactory.email(), ["stranger@elsewhere.example", "support@desk.test"])
    assert refused == {"stranger@elsewhere.example": (550, b"5.1.1 No mailbox here by that name")}
    assert InboundEmail.objects.get().details["envelope"]["rcpt_tos"] == ["support@desk.test"]


def test_mail_over_the_size_limit_is_refused_with_552(mailbox, settings):
    settings.SUPPORTDESK_EMAIL = {**settings.SUPPORTDESK_EMAIL, "MAX_MESSAGE_BYTES": 5_000}
    main = connections["default"]
    main.inc_thread_sharing()
    executor = ThreadPoolExecutor(max_workers=1, initializer=lambda: connections.__setitem__("default", main))
    handler = smtp_receiver.IntakeHandler(executor=executor, manage_connections=False)
    port = free_port()
    controller = smtp_receiver.make_controller(host="127.0.0.1", port=port, handler=handler)
    controller.start()
    try:
        big = mailfactory.email(body="z" * 20_000)
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            # smtplib announces the size (the receiver advertises SIZE): refused up front.
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                client.sendmail("customer@example.com", ["support@desk.test"], big)
            assert refused.value.smtp_code == 552
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            # A client that does not announce it is stopped while the data arrives.
            client.ehlo()
            client.mail("customer@example.com")
            client.rcpt("support@desk.test")
            code, _text = client.data(big)
            assert code == 552
    finally:
        controller.stop()
        handler.close()
        main.dec_thread_sharing()
    assert not InboundEmail.objects.exists()


def test_when_storing_fails_the_sender_is_told_to_retry(receiver, monkeypatch):
    def broken(**kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(smtp_receiver, "store_inbound", broken)
    with pytest.raises(smtplib.SMTPDataError) as error:
        receiver.send(mailfactory.email(), ["support@desk.test"])
    assert error.value.smtp_code == 451
    assert not InboundEmail.objects.exists()


def test_the_same_message_delivered_twice_is_kept_once(receiver):
    raw = mailfactory.email()
    receiver.send(raw, ["support@desk.test"])
    receiver.send(raw, ["support@desk.test"])
    assert InboundEmail.objects.count() == 1 and Ticket.objects.count() == 1


def test_a_reply_to_our_reply_address_threads_by_the_envelope(receiver):
    receiver.send(mailfactory.email(subject="Original"), ["support@desk.test"])
    ticket = Ticket.objects.get()
    address = tokens.reply_address("support@desk.test", ticket.pk)
    # Some servers rewrite To: the envelope recipient still carries the token.
    receiver.send(mailfactory.email(subject="no headers at all", body="More news."), [address])
    row = InboundEmail.objects.order_by("-pk").first()
    assert row.outcome == InboundOutcome.REPLY and row.ticket_id == ticket.pk


def test_the_directory_reads_mailboxes_once_in_a_while(mailbox, django_assert_num_queries):
    directory = smtp_receiver.MailboxDirectory(ttl=60)
    with django_assert_num_queries(1):
        assert directory.mailbox_id("support@desk.test") == mailbox.pk
        assert directory.mailbox_id("help+x@desk.test") == mailbox.pk
        assert directory.mailbox_id("other@desk.test") is None
