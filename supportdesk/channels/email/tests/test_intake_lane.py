"""The import's fast lane decides exactly what the one-by-one path decides: the same batch of
mail, processed both ways, leaves the same tickets, messages, followers and outcomes; a lane
that cannot be written falls back to the one-by-one path, which quarantines the bad message
alone; an import queues no notification task."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import transaction

from supportdesk.channels.email import tasks_notifications
from supportdesk.channels.email.choices import InboundOutcome, InboundSource, InboundStatus
from supportdesk.channels.email.models import InboundEmail
from supportdesk.channels.email.services import intake_lane, loops
from supportdesk.channels.email.services.intake import (
    Unparsed,
    _store,
    parse_batch,
    process_stored,
    process_stored_batch,
    store_import_batch,
    write_parsed_batch,
)
from supportdesk.channels.email.tests import mailfactory
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Attachment, Message, Ticket
from supportdesk.tickets.services import Actor, ticket_update

pytestmark = pytest.mark.django_db

ANN = "Ann Nowak <ann@acme.example>"
BOB = "Bob Lê <bob@mail.example>"
CARLA = "Carla Customer <carla@example.com>"


def _batch(agent, earlier: Ticket, earlier_mail: bytes) -> list[bytes]:
    ann = mailfactory.email(sender=ANN, subject="Printer on fire", cc=["Colleague <col@acme.example>"])
    bob = mailfactory.email(sender=BOB, subject="Không đăng nhập được", body="Mật khẩu sai.")
    return [
        ann,  # copies a colleague: a follower, the ordinary path
        bob,  # a plain new request: the lane
        mailfactory.reply_to(bob, body="Vẫn lỗi."),  # refers to a message of this batch
        mailfactory.email(sender=BOB, message_id=mailfactory.header(bob, "Message-ID"), body="again"),
        mailfactory.reply_to(ann, sender=f"Agent <{agent.email}>", body="On it."),  # staff
        mailfactory.reply_to(bob, body="I am away.", headers={"Auto-Submitted": "auto-replied"}),
        mailfactory.email(sender="Desk <support@desk.test>", subject="Our own"),  # discarded
        mailfactory.reply_to(earlier_mail, body="It broke again."),  # reopens the solved ticket
        mailfactory.reply_to(earlier_mail, sender="Dan <dan@mail.example>", body="Me too."),
        mailfactory.email(sender=CARLA, subject=f"Re: [#{earlier.pk}] Old case", body="One more."),
        mailfactory.email(
            sender="Zoë <zoe@mail.example>",
            subject="发票有误",
            body="我的发票有误。",
            attachments=[("invoice.pdf", "application/pdf", b"%PDF-1.4 invoice")],
        ),
    ]


def _picture(results) -> list[tuple]:
    """What a person would see of each message's outcome, without database ids."""
    rows = []
    for result in results:
        row = InboundEmail.objects.get(pk=result.inbound_id)
        ticket = Ticket.objects.filter(pk=row.ticket_id).first()
        followers = []
        if ticket is not None:
            followers = sorted(ticket.followers.values_list("customer__primary_email", flat=True))
        message = Message.objects.filter(pk=row.message_id).first()
        rows.append(
            (
                row.status,
                row.outcome,
                row.details.get("thread"),
                row.details.get("language"),
                ticket
                and (ticket.subject, ticket.requester.primary_email, ticket.status, ticket.message_count),
                followers,
                message and (message.author_kind, message.body_text, message.is_public),
                message
                and sorted(Attachment.objects.filter(message=message).values_list("filename", "size")),
            )
        )
    return rows


def _import(raws, mailbox, *, one_by_one: bool):
    if one_by_one:
        return [
            process_stored(
                _store(raw=raw, source=InboundSource.IMPORT, mailbox=mailbox, claimed=True)[0].pk,
                raw=raw,
                claimed=True,
            )
            for raw in raws
        ]
    stored = store_import_batch([(raw, "") for raw in raws], mailbox=mailbox)
    return process_stored_batch([(row.pk, raw) for (row, _created), raw in zip(stored, raws, strict=True)])


def _run(agent, mailbox, *, one_by_one: bool) -> list[tuple]:
    # Carla's earlier request, imported and solved before the batch arrives.
    earlier_mail = mailfactory.email(sender=CARLA, subject="Old case")
    (opened,) = _import([earlier_mail], mailbox, one_by_one=True)
    ticket_update(actor=Actor.staff(agent), ticket_id=opened.ticket_id, status=Status.SOLVED)
    earlier = Ticket.objects.get(pk=opened.ticket_id)
    return _picture(_import(_batch(agent, earlier, earlier_mail), mailbox, one_by_one=one_by_one))


def test_a_batch_through_the_lane_ends_as_it_does_one_message_at_a_time(agent, mailbox):
    with transaction.atomic():
        one_by_one = _run(agent, mailbox, one_by_one=True)
        transaction.set_rollback(True)
    batch = _run(agent, mailbox, one_by_one=False)
    assert batch == one_by_one
    outcomes = [(status, outcome) for status, outcome, *_rest in batch]
    assert outcomes == [
        (InboundStatus.PROCESSED, InboundOutcome.NEW_TICKET),
        (InboundStatus.PROCESSED, InboundOutcome.NEW_TICKET),
        (InboundStatus.PROCESSED, InboundOutcome.REPLY),
        (InboundStatus.DUPLICATE, ""),
        (InboundStatus.PROCESSED, InboundOutcome.REPLY),
        (InboundStatus.PROCESSED, InboundOutcome.REPLY),
        (InboundStatus.DISCARDED, InboundOutcome.IGNORED),
        (InboundStatus.PROCESSED, InboundOutcome.REPLY),
        (InboundStatus.PROCESSED, InboundOutcome.REPLY),
        (InboundStatus.PROCESSED, InboundOutcome.REPLY),
        (InboundStatus.PROCESSED, InboundOutcome.NEW_TICKET),
    ]
    assert batch[0][5] == ["col@acme.example"]  # the colleague follows Ann's ticket
    assert batch[7][4][2] == Status.OPEN  # Carla's reply reopened her solved ticket
    assert batch[10][7] == [("invoice.pdf", 16)]


def test_the_lane_takes_plain_requests_and_requesters_replies(agent, mailbox):
    first = mailfactory.email(sender=BOB)
    raws = [first, mailfactory.reply_to(first), mailfactory.email(sender=ANN, cc=["x@mail.example"])]
    stored = store_import_batch([(raw, "") for raw in raws], mailbox=mailbox)
    sizes: list[int] = []
    write = intake_lane._write

    def counting(items):
        sizes.append(len(items))  # the lane list is cleared after it is written
        return write(items)

    with mock.patch.object(intake_lane, "_write", counting):
        results = process_stored_batch([(row.pk, raw) for (row, _c), raw in zip(stored, raws, strict=True)])
    assert [r.outcome for r in results] == [InboundOutcome.NEW_TICKET, InboundOutcome.REPLY, "new_ticket"]
    # Bob's request went alone (his reply refers to it), then his reply; Ann copies somebody.
    assert sizes == [1, 1]


def test_a_lane_that_cannot_be_written_falls_back_and_quarantines_only_the_bad_message(mailbox):
    good = [mailfactory.email(sender=f"Person {n} <p{n}@mail.example>") for n in range(3)]
    bad = mailfactory.email(sender="Broken <broken@@mail.example>")
    raws = [good[0], bad, good[1], good[2]]
    stored = store_import_batch([(raw, "") for raw in raws], mailbox=mailbox)
    results = process_stored_batch([(row.pk, raw) for (row, _c), raw in zip(stored, raws, strict=True)])
    statuses = [r.status for r in results]
    assert statuses[0] == statuses[2] == statuses[3] == InboundStatus.PROCESSED
    assert statuses[1] == InboundStatus.QUARANTINED
    assert Ticket.objects.count() == 3 and Message.objects.count() == 3
    assert "broken@@mail.example" in InboundEmail.objects.get(pk=results[1].inbound_id).reason


def test_an_import_queues_no_notification_tasks(mailbox, django_capture_on_commit_callbacks):
    first = mailfactory.email(sender=BOB)
    raws = [first, mailfactory.reply_to(first)]
    stored = store_import_batch([(raw, "") for raw in raws], mailbox=mailbox)
    with (
        mock.patch.object(tasks_notifications, "notify_ticket_created") as created,
        mock.patch.object(tasks_notifications, "notify_message_added") as added,
        loops.importing(),  # around the commit, as the import command does
        django_capture_on_commit_callbacks(execute=True),
    ):
        process_stored_batch([(row.pk, raw) for (row, _c), raw in zip(stored, raws, strict=True)])
    created.assert_not_called()
    added.assert_not_called()
    assert Ticket.objects.count() == 1
    # The mark ends with the block.
    assert not loops.is_importing()


def test_parsing_a_batch_touches_no_database_so_it_can_run_beside_the_writes(
    mailbox, settings, django_assert_num_queries
):
    settings.SUPPORTDESK_EMAIL = {**settings.SUPPORTDESK_EMAIL, "MAX_MESSAGE_BYTES": 5_000}
    good = mailfactory.email(sender=BOB, body="Mật khẩu sai.")
    huge = mailfactory.email(sender=BOB, body="x" * 6_000)
    with django_assert_num_queries(0):
        prepared = parse_batch([(1, good), (2, b"\x00\x01 not mail"), (3, huge)])
    assert prepared[0].content is not None and prepared[0].content.language == "vi"
    assert isinstance(prepared[1].parsed, Unparsed) and prepared[1].content is None
    assert "larger than the limit" in prepared[2].parsed.reason
    # Written afterwards, the refused ones are quarantined with their reasons.
    stored = store_import_batch([(good, "a"), (b"\x00\x01 not mail", "b"), (huge, "c")], mailbox=mailbox)
    items = [(row.pk, raw) for (row, _c), raw in zip(stored, [good, b"\x00\x01 not mail", huge], strict=True)]
    results = write_parsed_batch(parse_batch(items))
    assert [r.status for r in results] == [
        InboundStatus.PROCESSED,
        InboundStatus.QUARANTINED,
        InboundStatus.QUARANTINED,
    ]
