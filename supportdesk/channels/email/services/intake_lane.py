"""The mail import's fast lane: the messages of a batch that need no decision beyond "a new
request" or "the requester answered their open ticket" are written together, through the
ticket services' batch writers (tickets.services.batch), a few statements for the whole lane
instead of a dozen per message. Every other message takes the ordinary path (intake_apply), one
at a time, in its place in the batch: the lane is written first, so order is kept.

A message takes the lane when, on facts read once per batch:
- it was written by a person (no Auto-Submitted, not a mailer daemon, not a delivery report)
  from an address that is neither staff nor ours, and copies nobody who would become a
  follower;
- its Message-ID is unknown (a message that has the id of, or refers to, a message earlier in
  the same batch is decided after the lane so far is written, on facts read again);
- it threads (by our reply token or In-Reply-To/References) to a ticket that is neither closed
  nor merged and whose requester is the sender: a reply; or it threads to nothing and has no
  "[#123]" subject tag: a new ticket.

A lane that fails to write (a bad address, a conflict with another worker) is rolled back to
its savepoint and its messages take the ordinary path one by one, which quarantines the bad one
alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from supportdesk.channels.email import thread_rules, tokens
from supportdesk.channels.email.choices import Direction, InboundOutcome, InboundStatus
from supportdesk.channels.email.models import EmailLink, InboundEmail
from supportdesk.channels.email.parsing import ParsedMail
from supportdesk.channels.email.services.intake_apply import (
    Mail,
    customer_name,
    follower_candidates,
    mail_content,
    message_links,
    read_mail,
    recipients,
    staff_by_email,
)
from supportdesk.channels.email.services.intake_content import MailContent
from supportdesk.core.queries import update_many
from supportdesk.customers.models import Customer, CustomerEmail
from supportdesk.customers.services import customers_get_or_create_by_emails
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services.batch import (
    NewRequest,
    RequesterReply,
    messages_add_many,
    tickets_create_many,
)

log = logging.getLogger(__name__)

# The InboundEmail fields a processed message gets (as intake._record writes them).
RECORDED = [
    "status",
    "outcome",
    "reason",
    "is_automatic",
    "ticket_id",
    "message_id",
    "processed_at",
    "details",
]


@dataclass
class LaneItem:
    inbound_id: int
    mail: Mail
    content: MailContent
    message_id: str
    ticket_id: int | None  # the ticket a reply goes to; None for a new ticket
    customer_id: int | None  # the requester who replies


@dataclass
class LaneResult:
    inbound_id: int
    outcome: str
    ticket_id: int


class BatchFacts:
    """What the lane's decisions read: three statements for the whole batch, and three more
    for a message that refers to one earlier in the batch (read again once that is written)."""

    def __init__(self, parsed: Sequence[ParsedMail]):
        self.links: dict[tuple[str, str], tuple[int, int | None]] = {}
        self.ticket_of: dict[str, int] = {}  # bare Message-ID → its ticket, either direction
        self.customers: dict[str, int] = {}
        self.tickets: dict[int, tuple[int, int | None, int] | None] = {}
        self.seen: set[str] = set()  # Message-IDs of the batch's messages so far
        self._read(parsed)

    def _read(self, parsed: Sequence[ParsedMail]) -> None:
        ids: list[str] = []
        senders: set[str] = set()
        for mail in parsed:
            ids.extend(_ids(mail))
            if mail.sender is not None and mail.sender.email:
                senders.add(mail.sender.email)
        found = message_links(ids)
        self.links.update(found)
        self.ticket_of.update((mid, ticket_id) for (mid, _direction), (ticket_id, _m) in found.items())
        self.customers.update(
            CustomerEmail.objects.filter(email__in=senders).values_list("email", "customer_id")
        )
        targets = set(self.ticket_of.values()) - set(self.tickets)
        self.tickets.update(
            (pk, (status, merged, requester))
            for pk, status, merged, requester in Ticket.objects.filter(pk__in=targets).values_list(
                "pk", "status", "merged_into_id", "requester_id"
            )
        )

    def follows_earlier(self, parsed: ParsedMail) -> bool:
        """Whether `parsed` has the Message-ID of, or refers to, a message earlier in the batch
        (noting its own id for the messages after it)."""
        own, *referenced = _ids(parsed)
        earlier = any(i in self.seen for i in (own, *referenced) if i)
        if own:
            self.seen.add(own)
        return earlier

    def refresh(self, parsed: ParsedMail) -> None:
        """Read the facts of `parsed` again, after the messages it refers to were written."""
        self._read([parsed])

    def ticket(self, ticket_id: int) -> tuple[int, int | None, int] | None:
        if ticket_id not in self.tickets:
            row = Ticket.objects.filter(pk=ticket_id).values_list("status", "merged_into_id", "requester_id")
            self.tickets[ticket_id] = row.first()
        return self.tickets[ticket_id]


def _ids(parsed: ParsedMail) -> list[str]:
    """The message's own Message-ID ('' if none), then those it refers to."""
    return [
        thread_rules.clean_message_id(parsed.message_id),
        *thread_rules.referenced_ids(parsed.in_reply_to, parsed.references),
    ]


def lane_item(
    inbound_id: int,
    current: tuple[Any, ...],
    parsed: ParsedMail,
    facts: BatchFacts,
    *,
    content: MailContent | None = None,
) -> LaneItem | None:
    """The message as a lane item, or None when it takes the ordinary path. `current` is the
    locked row's (status, mailbox_id, source, details); `content` the message's content if it
    was built already (`build_content(parsed)`)."""
    message_id, *referenced = _ids(parsed)
    if current[0] != InboundStatus.RECEIVED:
        return None
    if message_id and any((message_id, d) in facts.links for d in Direction.values):
        return None  # a duplicate or a copy of our own mail
    if parsed.bounce is not None or parsed.auto_submitted or parsed.from_mailer_daemon:
        return None
    inbound = InboundEmail(pk=inbound_id, mailbox_id=current[1], source=current[2], details=current[3])
    mail = read_mail(inbound, parsed, dict(current[3] or {}))
    if mail is None or mail.is_own(mail.sender.email):
        return None
    mail.staff = staff_by_email([mail.sender.email, *(a.email for a in (*parsed.to, *parsed.cc))])
    if mail.staff_sender is not None or follower_candidates(mail, exclude={mail.sender.email}):
        return None
    if (thread := _thread(mail, facts, referenced)) is None:
        return None
    target, how = thread
    customer_id = facts.customers.get(mail.sender.email)
    if target is not None:
        row = facts.ticket(target)
        if row is None or row[1] is not None or row[0] >= Status.CLOSED or row[2] != customer_id:
            return None
    mail.details["thread"] = how
    content = mail_content(mail, built=content)
    return LaneItem(inbound_id, mail, content, message_id, target, customer_id)


def _thread(mail: Mail, facts: BatchFacts, referenced: list[str]) -> tuple[int | None, str] | None:
    """(the ticket the message threads to or None for a new ticket, how), or None when the
    ordinary path must decide (our "[#123]" tag in the subject)."""
    token_ticket = tokens.find_ticket_id(recipients(mail))
    if token_ticket is not None:
        return token_ticket, "token"
    if (ref_ticket := thread_rules.first_match(referenced, facts.ticket_of)) is not None:
        return ref_ticket, "references"
    if thread_rules.subject_ticket_id(mail.parsed.subject) is not None:
        return None
    return None, "new"


def write_lane(items: Sequence[LaneItem], ordinary: Callable[[LaneItem], None]) -> list[LaneResult]:
    """Write the lane's messages together; if that fails, hand each to `ordinary` instead
    (which writes it alone) and return no results for them."""
    if not items:
        return []
    try:
        with transaction.atomic():
            return _write(items)
    except Exception:
        # Rolled back to the savepoint: the ordinary path decides each message again and
        # quarantines the one that cannot be written.
        log.info("mail import: a batch of %d messages is written one by one", len(items), exc_info=True)
        for item in items:
            ordinary(item)
        return []


def _write(items: Sequence[LaneItem]) -> list[LaneResult]:
    new = [item for item in items if item.ticket_id is None]
    customers = customers_get_or_create_by_emails(
        [(item.mail.sender.email, customer_name(item.mail.sender)) for item in new]
    )
    tickets = tickets_create_many(
        [
            NewRequest(
                requester=customers[item.mail.sender.email.strip().lower()],
                subject=item.content.subject,
                group_id=item.mail.group_id,
                **_writing(item),
            )
            for item in new
        ]
    )
    replies = [item for item in items if item.ticket_id is not None]
    requesters = {c.pk: c for c in customers.values()}
    missing = {item.customer_id for item in replies} - set(requesters)
    requesters.update((c.pk, c) for c in _customers(missing))
    messages = messages_add_many(
        [
            RequesterReply(ticket_id=item.ticket_id, customer=requesters[item.customer_id], **_writing(item))
            for item in replies
            if item.ticket_id is not None and item.customer_id is not None
        ]
    )
    written: dict[int, tuple[str, int, int]] = {}
    for item, ticket in zip(new, tickets, strict=True):
        written[item.inbound_id] = (InboundOutcome.NEW_TICKET, ticket.pk, ticket.opening_message_id or 0)
    for item, message in zip(replies, messages, strict=True):
        written[item.inbound_id] = (InboundOutcome.REPLY, message.ticket_id, message.pk)
    EmailLink.objects.bulk_create(
        EmailLink(
            message_id_header=item.message_id,
            direction=Direction.INBOUND,
            ticket_id=written[item.inbound_id][1],
            message_id=written[item.inbound_id][2],
        )
        for item in items
        if item.message_id
    )
    now = timezone.now()
    update_many(
        [
            InboundEmail(
                pk=item.inbound_id,
                status=InboundStatus.PROCESSED,
                outcome=written[item.inbound_id][0],
                reason="",
                is_automatic=False,
                ticket_id=written[item.inbound_id][1],
                message_id=written[item.inbound_id][2],
                processed_at=now,
                details=item.mail.details,
            )
            for item in items
        ],
        RECORDED,
    )
    return [LaneResult(item.inbound_id, *written[item.inbound_id][:2]) for item in items]


def _writing(item: LaneItem) -> dict[str, Any]:
    """What the customer wrote, as the ticket services' batch writers take it."""
    content = item.content
    return {
        "body": content.body,
        "body_html": content.html,
        "language": content.language,
        "attachments": content.attachments,
        "created_at": item.mail.created_at,
        "quoted_text": content.quoted,
    }


def _customers(ids: set[int | None]) -> list[Customer]:
    return list(Customer.objects.filter(pk__in=[pk for pk in ids if pk is not None]))
