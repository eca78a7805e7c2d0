"""Deciding what a parsed email is and writing it through the ticket services. Runs inside the
transaction of `intake.process_inbound`, with the InboundEmail row locked.

Threading, in this order (the first that applies wins):

1. our signed reply token in any recipient address (To, Cc, Delivered-To, the SMTP envelope);
2. In-Reply-To, then References (newest first), against the Message-IDs we received and sent
   (EmailLink: one indexed read, however many tickets there are);
3. our "[#123]" subject tag, only when the sender takes part in that ticket (its requester, a
   follower, or an agent);
4. otherwise a new ticket.

A reply to a merged ticket goes to the ticket it was merged into; a reply to a closed ticket
opens a follow-up ticket linked to it. A forward from a staff member opens a ticket for the
person who originally wrote. A staff member's reply is their public reply (an internal note
for collaborators).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from supportdesk.accounts.choices import ROLE_RANK, Role
from supportdesk.accounts.models import User
from supportdesk.channels.email import thread_rules, tokens
from supportdesk.channels.email.choices import Direction, InboundOutcome, InboundSource, InboundStatus
from supportdesk.channels.email.conf import email_settings
from supportdesk.channels.email.models import EmailLink, InboundEmail, Mailbox
from supportdesk.channels.email.parsing import Address, ParsedMail
from supportdesk.channels.email.services.intake_content import (
    MailContent,
    build_content,
    plausible_date,
    ticket_subject,
)
from supportdesk.core.batch import batch_cached, in_batch
from supportdesk.core.errors import Conflict, ValidationFailed
from supportdesk.core.queries import unique_row
from supportdesk.customers.models import Customer, CustomerEmail
from supportdesk.customers.services import customer_for_email, customer_get_or_create_by_email
from supportdesk.tickets.choices import Channel, Status
from supportdesk.tickets.models import Ticket, TicketFollower
from supportdesk.tickets.permissions import customer_visibility, staff_can_see
from supportdesk.tickets.services import Actor, message_add, ticket_add_followers, ticket_create

MAX_FOLLOWERS_PER_MESSAGE = 20
MAX_MERGE_HOPS = 10


class Refused(Exception):
    """The message cannot become a ticket; it is quarantined with this reason."""

    def __init__(self, reason: str, details: dict[str, Any] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.details = details or {}


@dataclass
class Outcome:
    status: str
    outcome: str = ""
    reason: str = ""
    is_automatic: bool = False
    ticket_id: int | None = None
    message_id: int | None = None


@dataclass
class Mail:
    """Everything the decision needs, read once."""

    inbound: InboundEmail
    parsed: ParsedMail
    sender: Address
    own: frozenset[str]
    reply_domain: str
    group_id: int | None = None
    staff: dict[str, User] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def is_own(self, address: str) -> bool:
        return thread_rules.is_own_address(address, self.own, self.reply_domain)

    @property
    def is_automatic(self) -> bool:
        """Written by a machine (an autoresponder, a mail system), not by a person."""
        return bool(self.parsed.auto_submitted or self.parsed.from_mailer_daemon)

    @property
    def staff_sender(self) -> User | None:
        return self.staff.get(self.sender.email)

    @property
    def created_at(self) -> datetime | None:
        """Imports keep the email's date; live mail is dated when it arrives."""
        if self.inbound.source == InboundSource.IMPORT:
            return plausible_date(self.parsed.date)
        return None


def mailbox_facts(mailbox_id: int | None) -> tuple[frozenset[str], int | None]:
    """(every address that is ours, the group for new tickets of `mailbox_id`), in one read
    (once per batch inside core.batch.batch_scope). Ours: every mailbox (active or not) with
    its aliases, and the site's sender addresses."""
    return batch_cached(("channel_email.mailbox_facts", mailbox_id), lambda: _mailbox_facts(mailbox_id))


def _mailbox_facts(mailbox_id: int | None) -> tuple[frozenset[str], int | None]:
    own: set[str] = set()
    group_id = None
    for pk, address, aliases, group in Mailbox.objects.values_list(
        "pk", "email_address", "aliases", "group_id"
    ):
        own.add(address.strip().lower())
        own.update(line.strip().lower() for line in aliases.splitlines() if line.strip())
        if pk == mailbox_id:
            group_id = group
    for configured in (settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL):
        address = parseaddr(configured or "")[1].strip().lower()
        if address:
            own.add(address)
    return frozenset(own), group_id


def recipients(mail: Mail) -> list[str]:
    parsed = mail.parsed
    envelope = mail.inbound.details.get("envelope", {}).get("rcpt_tos", [])
    return [
        *(str(a).lower() for a in envelope),
        *(a.email for a in parsed.to),
        *(a.email for a in parsed.cc),
        *parsed.delivered_to,
    ]


def apply_parsed(inbound: InboundEmail, parsed: ParsedMail, details: dict[str, Any]) -> Outcome:
    """Decide what `parsed` is and write it. Raises Refused (quarantine) or the ticket
    services' errors; the caller's transaction rolls everything back then."""
    mail = read_mail(inbound, parsed, details)
    if mail is None:
        raise Refused(_("The message has no sender address."))
    sender, automatic = mail.sender, mail.is_automatic
    if mail.is_own(sender.email):
        return Outcome(
            InboundStatus.DISCARDED,
            InboundOutcome.IGNORED,
            _("Sent by ourselves (from %(address)s): not processed, so no mail loop can start.")
            % {"address": sender.email},
            automatic,
        )
    message_id = thread_rules.clean_message_id(parsed.message_id)
    referenced = thread_rules.referenced_ids(parsed.in_reply_to, parsed.references)
    links = message_links([message_id, *referenced])
    if message_id and (found := links.get((message_id, Direction.OUTBOUND))):
        return Outcome(
            InboundStatus.DISCARDED,
            InboundOutcome.IGNORED,
            _("A copy of an email we sent: not processed."),
            automatic,
            ticket_id=found[0],
        )
    if message_id and (found := links.get((message_id, Direction.INBOUND))):
        return Outcome(
            InboundStatus.DUPLICATE,
            "",
            _("This email (Message-ID %(id)s) was received before.") % {"id": message_id},
            automatic,
            ticket_id=found[0],
            message_id=found[1],
        )
    if parsed.bounce is not None:
        return _bounce(mail, automatic)
    mail.staff = staff_by_email([sender.email, *(a.email for a in parsed.to), *(a.email for a in parsed.cc)])
    content_outcome = _thread_and_write(mail, links, referenced)
    content_outcome.is_automatic = automatic
    if message_id and content_outcome.ticket_id is not None:
        EmailLink.objects.create(
            message_id_header=message_id,
            direction=Direction.INBOUND,
            ticket_id=content_outcome.ticket_id,
            message_id=content_outcome.message_id,
        )
    return content_outcome


def read_mail(inbound: InboundEmail, parsed: ParsedMail, details: dict[str, Any]) -> Mail | None:
    """What the decision needs about `parsed` (None without a sender address); notes the
    parser's problems in `details`."""
    sender = parsed.sender
    if sender is None or not sender.email:
        return None
    own, group_id = mailbox_facts(inbound.mailbox_id)
    if parsed.problems:
        details["problems"] = list(parsed.problems)[:50]
    return Mail(
        inbound=inbound,
        parsed=parsed,
        sender=sender,
        own=own,
        reply_domain=email_settings().reply_domain,
        group_id=group_id,
        details=details,
    )


def message_links(ids: list[str]) -> dict[tuple[str, str], tuple[int, int | None]]:
    """(bare Message-ID, direction) → (ticket id, message id) for the ids we know."""
    wanted = thread_rules.id_variants(dict.fromkeys(i for i in ids if i))
    if not wanted:
        return {}
    rows = EmailLink.objects.filter(message_id_header__in=wanted).values_list(
        "message_id_header", "direction", "ticket_id", "message_id"
    )
    return {(thread_rules.clean_message_id(mid), d): (t, m) for mid, d, t, m in rows}


def staff_by_email(addresses: list[str]) -> dict[str, User]:
    wanted = sorted({a for a in addresses if a})
    if in_batch():
        # An import batch reads the staff once (a few hundred people at most), not per message.
        staff = batch_cached("channel_email.staff", _all_staff)
        return {a: staff[a] for a in wanted if a in staff}
    users = User.objects.filter(email__in=wanted, is_active=True)
    return {u.email.lower(): u for u in users if u.is_staff_member}


def _all_staff() -> dict[str, User]:
    roles = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.COLLABORATOR]]
    users = User.objects.filter(is_active=True, role__in=roles)
    return {u.email.lower(): u for u in users if u.is_staff_member}


def _bounce(mail: Mail, automatic: bool) -> Outcome:
    bounce = mail.parsed.bounce
    assert bounce is not None
    changed = 0
    try:
        from supportdesk.channels.email.services.outbound import outbound_mark_bounced
    except ImportError:  # the outbound half is not installed yet: record the report only
        outbound_mark_bounced = None
    if outbound_mark_bounced is not None and bounce.original_message_ids:
        changed = outbound_mark_bounced(
            message_ids=list(bounce.original_message_ids),
            permanent=bounce.permanent,
            diagnostic=bounce.diagnostic,
            recipients=list(bounce.recipients),
        )
    mail.details["bounce"] = {
        "message_ids": list(bounce.original_message_ids)[:20],
        "recipients": list(bounce.recipients)[:20],
        "permanent": bounce.permanent,
        "diagnostic": bounce.diagnostic[:500],
        "outbound_marked": changed,
    }
    return Outcome(InboundStatus.PROCESSED, InboundOutcome.BOUNCE, "", True)


# -- threading --------------------------------------------------------------------------------
def _ticket(ticket_id: int | None) -> Ticket | None:
    if ticket_id is None:
        return None
    rows = Ticket.objects.only("id", "status", "merged_into_id", "requester_id")
    ticket = unique_row(rows.filter(pk=ticket_id))
    hops = 0
    while ticket is not None and ticket.merged_into_id and hops < MAX_MERGE_HOPS:
        ticket = unique_row(rows.filter(pk=ticket.merged_into_id))
        hops += 1
    return ticket


def _takes_part(ticket: Ticket, mail: Mail, customer: Customer | None) -> bool:
    staff = mail.staff_sender
    if staff is not None:
        return staff.is_agent
    if customer is None:
        return False
    if customer.pk == ticket.requester_id:
        return True
    return TicketFollower.objects.filter(ticket_id=ticket.pk, customer_id=customer.pk).exists()


def _find_thread(
    mail: Mail, links: dict[tuple[str, str], tuple[int, int | None]], referenced: list[str]
) -> tuple[Ticket | None, str]:
    token_ticket = tokens.find_ticket_id(recipients(mail))
    if token_ticket is not None and (ticket := _ticket(token_ticket)) is not None:
        return ticket, "token"
    by_id = {mid: ticket_id for (mid, _direction), (ticket_id, _m) in links.items()}
    ref_ticket = thread_rules.first_match(referenced, by_id)
    if ref_ticket is not None and (ticket := _ticket(ref_ticket)) is not None:
        return ticket, "references"
    subject_id = thread_rules.subject_ticket_id(mail.parsed.subject)
    if subject_id is not None and (ticket := _ticket(subject_id)) is not None:
        if _takes_part(ticket, mail, customer_for_email(mail.sender.email)):
            return ticket, "subject"
        mail.details["subject_tag_ignored"] = subject_id
    return None, "new"


def _thread_and_write(
    mail: Mail, links: dict[tuple[str, str], tuple[int, int | None]], referenced: list[str]
) -> Outcome:
    parsed, staff = mail.parsed, mail.staff_sender
    forwarded = parsed.forwarded
    if (
        staff is not None
        and forwarded is not None
        and forwarded.sender is not None
        and forwarded.sender.email
        and not mail.is_own(forwarded.sender.email)
        and forwarded.sender.email not in mail.staff
        and tokens.find_ticket_id(recipients(mail)) is None
    ):
        return _forwarded_ticket(mail, staff)
    target, how = _find_thread(mail, links, referenced)
    mail.details["thread"] = how
    if target is None:
        return _new_ticket(mail, follow_up_of=None)
    if target.is_closed and (open_follow_up := _open_follow_up(target)) is not None:
        # The customer answered the old thread again: the follow-up already opened for it
        # takes the message, rather than a new follow-up per reply.
        mail.details["thread"] = f"{how}, follow-up"
        target = open_follow_up
    if target.is_closed and mail.is_automatic:
        # An out-of-office notice answering our "request solved" must not open a follow-up.
        return Outcome(
            InboundStatus.DISCARDED,
            InboundOutcome.IGNORED,
            _(
                "An automatic reply (such as an out-of-office notice) to closed ticket #%(id)d: kept "
                "here, and no follow-up ticket was opened."
            )
            % {"id": target.pk},
            True,
            ticket_id=target.pk,
        )
    if target.is_closed:
        if staff is not None:
            raise Refused(
                _(
                    "%(name)s replied by email to ticket #%(id)d, which is closed and takes no more "
                    "messages. Discard this email, or forward it to the mailbox as a new request."
                )
                % {"name": staff, "id": target.pk}
            )
        return _new_ticket(mail, follow_up_of=target)
    return _reply(mail, target)


def _requester_among(ticket: Ticket, addresses: list[str]) -> bool:
    wanted = {address.lower() for address in addresses if address}
    return (
        bool(wanted)
        and CustomerEmail.objects.filter(customer_id=ticket.requester_id, email__in=wanted).exists()
    )


def _open_follow_up(ticket: Ticket) -> Ticket | None:
    return (
        Ticket.objects.only("id", "status", "merged_into_id", "requester_id")
        .filter(follow_up_of_id=ticket.pk, status__lt=Status.CLOSED, merged_into__isnull=True)
        .order_by("-id")
        .first()
    )


def mail_content(mail: Mail, *, split_reply: bool = True, built: MailContent | None = None) -> MailContent:
    """What the services take from the mail (`built` when it was built ahead, with split_reply),
    noting the language and what was left out in the details."""
    content = built
    if content is None or not split_reply:
        content = build_content(mail.parsed, split_reply=split_reply)
    mail.details["language"] = content.language
    if content.dropped:
        mail.details["dropped"] = content.dropped
    return content


def customer_name(address: Address) -> str:
    """The name a new customer gets from an address's display name (none when it only repeats
    the address)."""
    name = " ".join((address.name or "").split())[:200]
    return "" if name.strip().lower() == address.email else name


def _customer(address: Address) -> Customer:
    try:
        customer, _created = customer_get_or_create_by_email(email=address.email, name=customer_name(address))
    except (ValidationFailed, Conflict) as error:
        raise Refused(
            _("The sender address “%(address)s” cannot be used: %(error)s")
            % {"address": address.email[:200], "error": error.message}
        ) from None
    return customer


def follower_candidates(mail: Mail, exclude: set[str]) -> list[str]:
    parsed = mail.parsed
    wanted: list[str] = []
    for address in [*parsed.to, *parsed.cc]:
        email = address.email
        if (
            not email
            or email in exclude
            or email in wanted
            or email in mail.staff
            or mail.is_own(email)
            or tokens.ticket_id_from_address(email) is not None
        ):
            continue
        wanted.append(email)
    return wanted[:MAX_FOLLOWERS_PER_MESSAGE]


def _follower_ids(mail: Mail, exclude: set[str]) -> list[int]:
    names = {a.email: a.name for a in [*mail.parsed.to, *mail.parsed.cc]}
    ids: list[int] = []
    skipped: list[str] = []
    for email in follower_candidates(mail, exclude):
        try:
            customer, _created = customer_get_or_create_by_email(
                email=email, name=" ".join((names.get(email) or "").split())[:200]
            )
        except (ValidationFailed, Conflict):
            skipped.append(email[:200])
            continue
        ids.append(customer.pk)
    if skipped:
        mail.details["followers_skipped"] = skipped
    return ids


def _new_ticket(mail: Mail, *, follow_up_of: Ticket | None) -> Outcome:
    customer = _customer(mail.sender)
    content = mail_content(mail)
    followers = _follower_ids(mail, exclude={mail.sender.email})
    ticket = ticket_create(
        actor=Actor.system(),
        requester=customer,
        subject=content.subject,
        body=content.body,
        body_html=content.html,
        channel=Channel.EMAIL,
        group_id=mail.group_id,
        language=content.language,
        attachments=content.attachments,
        created_at=mail.created_at,
        follow_up_of_id=follow_up_of.pk if follow_up_of is not None else None,
        follower_ids=followers,
        quoted_text=content.quoted,
    )
    if follow_up_of is not None:
        mail.details["follow_up_of"] = follow_up_of.pk
    kind = InboundOutcome.FOLLOW_UP if follow_up_of is not None else InboundOutcome.NEW_TICKET
    return Outcome(
        InboundStatus.PROCESSED, kind, "", ticket_id=ticket.pk, message_id=ticket.opening_message_id
    )


def _forwarded_ticket(mail: Mail, staff: User) -> Outcome:
    forwarded = mail.parsed.forwarded
    assert forwarded is not None and forwarded.sender is not None
    customer = _customer(forwarded.sender)
    content = mail_content(mail, split_reply=False)
    if forwarded.subject:
        content.subject = ticket_subject(forwarded.subject, content.language)
    followers = _follower_ids(mail, exclude={forwarded.sender.email, mail.sender.email})
    actor = Actor.staff(staff) if staff.is_agent else Actor.system()
    ticket = ticket_create(
        actor=actor,
        requester=customer,
        subject=content.subject,
        body=content.body,
        body_html=content.html,
        channel=Channel.EMAIL,
        group_id=mail.group_id,
        language=content.language,
        attachments=content.attachments,
        created_at=mail.created_at,
        follower_ids=followers,
    )
    mail.details["thread"] = "forwarded"
    mail.details["forwarded_by"] = staff.email
    return Outcome(
        InboundStatus.PROCESSED,
        InboundOutcome.NEW_TICKET,
        "",
        ticket_id=ticket.pk,
        message_id=ticket.opening_message_id,
    )


def _reply(mail: Mail, ticket: Ticket) -> Outcome:
    staff = mail.staff_sender
    content = mail_content(mail)
    common: dict[str, Any] = {
        "ticket_id": ticket.pk,
        "body": content.body,
        "body_html": content.html,
        "attachments": content.attachments,
        "channel": Channel.EMAIL,
        "created_at": mail.created_at,
        "quoted_text": content.quoted,
        "language": content.language,
    }
    if staff is not None:
        if not staff_can_see(staff, ticket.pk):
            raise Refused(
                _(
                    "%(name)s replied by email to ticket #%(id)d, which they may not see (it belongs to "
                    "a group they are not in). Give them access to the ticket, then retry this email."
                )
                % {"name": staff, "id": ticket.pk}
            )
        message = message_add(actor=Actor.staff(staff), is_public=staff.is_agent, **common)
        if _requester_among(ticket, [a.email for a in (*mail.parsed.to, *mail.parsed.cc)]):
            # The agent wrote to the customer directly: the desk must not email it again.
            mail.details["delivered_to_requester"] = True
    else:
        customer = _customer(mail.sender)
        if customer.pk != ticket.requester_id and not _can_see(customer, ticket):
            # Whoever answers in the thread (a colleague copied on it, the customer from a
            # second address) is copied on the ticket, as if the requester had CC'd them.
            ticket_add_followers(actor=Actor.system(), ticket_id=ticket.pk, customer_ids=[customer.pk])
            mail.details["sender_added_as_follower"] = True
        # An autoresponder's answer is recorded on the ticket but does not reopen it.
        message = message_add(actor=Actor.of_customer(customer), keep_status=mail.is_automatic, **common)
    followers = _follower_ids(mail, exclude={mail.sender.email})
    if followers:
        added = ticket_add_followers(actor=Actor.system(), ticket_id=ticket.pk, customer_ids=followers)
        if added:
            mail.details["followers_added"] = len(added)
    return Outcome(
        InboundStatus.PROCESSED, InboundOutcome.REPLY, "", ticket_id=ticket.pk, message_id=message.pk
    )


def _can_see(customer: Customer, ticket: Ticket) -> bool:
    return Ticket.objects.filter(customer_visibility(customer) & Q(pk=ticket.pk)).exists()
