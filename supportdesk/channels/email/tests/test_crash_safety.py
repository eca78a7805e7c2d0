"""Processing interrupted at any point leaves the message RECEIVED (to be processed again) or
QUARANTINED, never half-written; concurrent stores and processing never double anything.
(The test that really kills a process is test_crash_import.py.)"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from supportdesk.channels.email.choices import InboundStatus
from supportdesk.channels.email.models import EmailLink, InboundEmail
from supportdesk.channels.email.services import intake, intake_apply
from supportdesk.channels.email.services.intake import process_inbound, store_inbound
from supportdesk.channels.email.tests import mailfactory
from supportdesk.customers.models import Customer
from supportdesk.tickets.models import Attachment, Message, Ticket, TicketEvent


class Died(BaseException):
    """Stands in for the process dying (SIGKILL, power loss): nothing catches it."""


def nothing_written() -> None:
    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0
    assert TicketEvent.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert EmailLink.objects.count() == 0
    assert not Customer.objects.filter(primary_email="carla@example.com").exists()


RAW = mailfactory.email(
    sender="Carla <carla@example.com>",
    cc=["pat@example.com"],
    attachments=[("a.txt", "text/plain", b"attached")],
)


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["ticket_create", "EmailLink", "_record"])
def test_an_error_after_the_ticket_was_written_rolls_everything_back_and_quarantines(
    mailbox, monkeypatch, where
):
    def fail(*args, **kwargs):
        raise RuntimeError(f"disk full while writing ({where})")

    if where == "ticket_create":
        real = intake_apply.ticket_create

        def create_then_fail(**kwargs):
            real(**kwargs)  # the ticket, message, attachment, customer and followers are written...
            fail()  # ...and then something breaks

        monkeypatch.setattr(intake_apply, "ticket_create", create_then_fail)
    elif where == "EmailLink":
        monkeypatch.setattr(intake_apply.EmailLink.objects, "create", fail)
    else:
        monkeypatch.setattr(intake, "_record", fail)
    row, _ = store_inbound(raw=RAW, source="imap", mailbox=mailbox)

    row = process_inbound(row.pk)

    assert row.status == InboundStatus.QUARANTINED
    assert "disk full" in row.reason
    nothing_written()


@pytest.mark.django_db
def test_dying_in_the_middle_leaves_the_message_received_and_a_rerun_writes_it_once(mailbox, monkeypatch):
    real = intake_apply.ticket_create

    def create_then_die(**kwargs):
        real(**kwargs)
        raise Died

    monkeypatch.setattr(intake_apply, "ticket_create", create_then_die)
    row, _ = store_inbound(raw=RAW, source="imap", mailbox=mailbox)
    with pytest.raises(Died):
        process_inbound(row.pk)
    row.refresh_from_db()
    assert row.status == InboundStatus.RECEIVED and row.attempts == 1
    nothing_written()

    monkeypatch.setattr(intake_apply, "ticket_create", real)  # "after the restart"
    row = process_inbound(row.pk)
    assert row.status == InboundStatus.PROCESSED and row.attempts == 2
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1 and Attachment.objects.count() == 1


@pytest.mark.django_db
def test_dying_while_parsing_leaves_the_message_received(mailbox, monkeypatch):
    def die(*args, **kwargs):
        raise Died

    monkeypatch.setattr(intake, "parse_message", die)
    row, _ = store_inbound(raw=RAW, source="imap", mailbox=mailbox)
    with pytest.raises(Died):
        process_inbound(row.pk)
    row.refresh_from_db()
    assert row.status == InboundStatus.RECEIVED
    nothing_written()


@pytest.mark.django_db
def test_dying_after_the_file_was_written_but_before_the_row_loses_nothing(mailbox, monkeypatch):
    real_save = InboundEmail.save

    def die_on_save(self, *args, **kwargs):
        raise Died

    monkeypatch.setattr(InboundEmail, "save", die_on_save)
    with pytest.raises(Died):
        store_inbound(raw=RAW, source="imap", mailbox=mailbox)
    assert not InboundEmail.objects.exists()
    monkeypatch.setattr(InboundEmail, "save", real_save)
    # The server still has the message (we never acknowledged it): the next fetch stores it.
    row, created = store_inbound(raw=RAW, source="imap", mailbox=mailbox)
    assert created and process_inbound(row.pk).status == InboundStatus.PROCESSED


# -- concurrency -----------------------------------------------------------------------------------------
def _in_threads(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_stores_keep_one_row(mailbox):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot be written from several threads")
    raw = mailfactory.email()
    results = _in_threads(4, lambda: store_inbound(raw=raw, source="smtp", mailbox=mailbox))
    assert len({row.pk for row, _created in results}) == 1
    assert sum(created for _row, created in results) == 1
    assert InboundEmail.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_processing_the_same_message_write_it_once(mailbox):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot be written from several threads")
    row, _ = store_inbound(raw=RAW, source="imap", mailbox=mailbox)
    _in_threads(3, lambda: intake.process_stored(row.pk))
    row.refresh_from_db()
    assert row.status == InboundStatus.PROCESSED
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_copies_with_the_same_message_id_processed_at_once_make_one_ticket(mailbox):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot be written from several threads")
    copies = [
        mailfactory.email(message_id="<twin@example.com>", headers={"X-Copy": str(n)}) for n in range(3)
    ]
    rows = [store_inbound(raw=raw, source="imap", mailbox=mailbox)[0] for raw in copies]
    pending = list(rows)
    lock = threading.Lock()

    def next_row():
        with lock:
            return pending.pop()

    _in_threads(3, lambda: intake.process_stored(next_row().pk))
    statuses = sorted(InboundEmail.objects.values_list("status", flat=True))
    assert statuses == [InboundStatus.DUPLICATE, InboundStatus.DUPLICATE, InboundStatus.PROCESSED]
    assert Ticket.objects.count() == 1
