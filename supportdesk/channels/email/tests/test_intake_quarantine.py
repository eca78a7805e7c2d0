"""Mail that cannot become a ticket: the quarantine, and what administrators do with it."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from supportdesk.channels.email.choices import InboundOutcome, InboundStatus
from supportdesk.channels.email.models import InboundEmail
from supportdesk.channels.email.services import intake
from supportdesk.channels.email.services.intake import process_inbound, store_inbound
from supportdesk.channels.email.services.quarantine import inbound_discard, inbound_retry
from supportdesk.channels.email.tests import mailfactory
from supportdesk.core.errors import Conflict, PermissionDenied
from supportdesk.core.models import AuditEntry
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

NO_SENDER = b"To: support@desk.test\r\nSubject: who am I\r\n\r\nNobody sent this.\r\n"


def test_mail_without_a_sender_is_quarantined_with_the_reason_and_kept(deliver):
    row = deliver(NO_SENDER)
    assert row.status == InboundStatus.QUARANTINED
    assert "sender" in row.reason.lower()
    with default_storage.open(row.raw.name, "rb") as stored:
        assert stored.read() == NO_SENDER
    assert not Ticket.objects.exists()


def test_the_reason_is_written_in_the_desks_language(deliver):
    from django.utils import translation

    with translation.override("pl"):
        row = deliver(b"From: \r\nSubject: no sender\r\n\r\nHello")
    assert row.status == InboundStatus.QUARANTINED
    assert row.reason == "Wiadomość nie ma adresu nadawcy."


def test_mail_over_the_size_limit_is_quarantined_unparsed(deliver, settings, monkeypatch):
    settings.SUPPORTDESK_EMAIL = {**settings.SUPPORTDESK_EMAIL, "MAX_MESSAGE_BYTES": 2_000}
    monkeypatch.setattr(intake, "parse_message", lambda *a, **k: pytest.fail("must not be parsed"))
    row = deliver(mailfactory.email(body="x" * 5_000))
    assert row.status == InboundStatus.QUARANTINED and "limit" in row.reason


def test_an_unusable_sender_address_is_quarantined(deliver):
    row = deliver(mailfactory.email(sender="broken@-invalid-.example"))
    assert row.status == InboundStatus.QUARANTINED
    assert "broken@-invalid-.example" in row.reason


def test_a_parser_crash_is_quarantined_and_logged(deliver, monkeypatch, caplog):
    def explode(raw, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(intake, "parse_message", explode)
    row = deliver(mailfactory.email())
    assert row.status == InboundStatus.QUARANTINED
    assert "RecursionError" in row.reason and row.details["error"] == "RecursionError"
    assert "the parser failed" in caplog.text


def test_a_message_that_keeps_killing_the_worker_is_set_aside(mailbox):
    row, _ = store_inbound(raw=mailfactory.email(), source="imap", mailbox=mailbox)
    InboundEmail.objects.filter(pk=row.pk).update(attempts=intake.MAX_ATTEMPTS)
    row = process_inbound(row.pk)
    assert row.status == InboundStatus.QUARANTINED and "interrupted 3 times" in row.reason
    assert not Ticket.objects.exists()


# -- retry and discard ------------------------------------------------------------------------------------
def test_an_administrator_retries_a_quarantined_email_after_the_cause_is_fixed(
    deliver, settings, administrator
):
    settings.SUPPORTDESK_EMAIL = {**settings.SUPPORTDESK_EMAIL, "MAX_MESSAGE_BYTES": 2_000}
    row = deliver(mailfactory.email(body="y" * 5_000))
    assert row.status == InboundStatus.QUARANTINED

    settings.SUPPORTDESK_EMAIL = {**settings.SUPPORTDESK_EMAIL, "MAX_MESSAGE_BYTES": 1_000_000}
    row = inbound_retry(actor=administrator, inbound=row)
    assert row.status == InboundStatus.PROCESSED and row.outcome == InboundOutcome.NEW_TICKET
    assert row.reason == "" and row.attempts == 1
    entry = AuditEntry.objects.get(action="inbound_email.retried")
    assert entry.actor == administrator and entry.target_id == str(row.pk)


def test_a_retry_that_fails_again_goes_back_to_quarantine(deliver, administrator):
    row = deliver(NO_SENDER)
    row = inbound_retry(actor=administrator, inbound=row)
    assert row.status == InboundStatus.QUARANTINED and "sender" in row.reason.lower()


def test_only_administrators_handle_the_quarantine(deliver, agent, manager):
    row = deliver(NO_SENDER)
    for person in (agent, manager):
        with pytest.raises(PermissionDenied):
            inbound_retry(actor=person, inbound=row)
        with pytest.raises(PermissionDenied):
            inbound_discard(actor=person, inbound=row)
    row.refresh_from_db()
    assert row.status == InboundStatus.QUARANTINED


def test_processed_mail_cannot_be_retried(deliver, administrator):
    row = deliver(mailfactory.email())
    with pytest.raises(Conflict):
        inbound_retry(actor=administrator, inbound=row)
    assert Ticket.objects.count() == 1


def test_discarding_keeps_the_raw_message_and_says_who_and_why(deliver, administrator):
    row = deliver(NO_SENDER)
    quarantine_reason = row.reason
    row = inbound_discard(actor=administrator, inbound=row, reason="  spam,\n obviously ")
    assert row.status == InboundStatus.DISCARDED
    assert row.reason == "Discarded by Ada Admin. spam, obviously"
    assert row.details["quarantine_reason"] == quarantine_reason
    with default_storage.open(row.raw.name, "rb") as stored:
        assert stored.read() == NO_SENDER
    entry = AuditEntry.objects.get(action="inbound_email.discarded")
    assert entry.changes["reason"] == "spam, obviously"


def test_discarded_mail_can_still_be_retried(deliver, administrator):
    row = deliver(NO_SENDER)
    row = inbound_discard(actor=administrator, inbound=row)
    assert inbound_retry(actor=administrator, inbound=row).status == InboundStatus.QUARANTINED


def test_processed_mail_cannot_be_discarded(deliver, administrator):
    row = deliver(mailfactory.email())
    with pytest.raises(Conflict):
        inbound_discard(actor=administrator, inbound=row)
