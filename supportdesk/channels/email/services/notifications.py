"""What goes out by email when something happens on a ticket (the ticket events, after commit).

Event → email (recipients; the NotificationSettings switch):

- MessageAdded by an agent, public, on an email ticket → the reply itself, `outbound_queue_reply`
  (requester, followers in Cc; always: it is the conversation).
- MessageAdded by an agent, public, on any other ticket → `agent_replied` (requester, followers
  in Cc; `customer_agent_replied`).
- TicketCreated on the email or web channel, not opened by staff → `request_received`
  (requester; `customer_request_received`).
- TicketStatusChanged to solved, not by the customer → `ticket_solved` (requester;
  `customer_ticket_solved`).
- TicketUpdated with a new assignee, or TicketCreated with one → `ticket_assigned` (the
  assignee, unless they did it themselves; `agent_ticket_assigned`).
- MessageAdded by the customer on an assigned ticket → `new_reply` (the assignee;
  `agent_new_reply`).

Chat and social tickets get no `agent_replied` email: those channels deliver replies themselves.
Tickets opened by staff, by the API or by phone get no `request_received`: the customer did not
write to us. Assignment is read from TicketUpdated (it names who acted; TicketAssigned does not).

Every notification is automatic mail, so loop protection applies (`loops`): never to our own or
machine addresses; `request_received` is not sent in answer to mail a machine wrote; customer
notifications a machine decides on (`request_received`, `ticket_solved`) are rate-limited per
address. `agent_replied` carries a person's words and is not rate-limited.

Languages: customers get the customer's language, else the ticket's, else the site's; agents
their own, else the site's. Templates: `templates/channel_email/email/<name>_subject.txt`,
`<name>.txt`, `<name>.html`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import get_supported_language_variant

from supportdesk.accounts.models import User
from supportdesk.channels.email.choices import OutboundKind
from supportdesk.channels.email.models import NotificationSettings, OutboundEmail
from supportdesk.channels.email.services import loops, outbound
from supportdesk.channels.email.services.compose import render_subject
from supportdesk.channels.email.services.mime import reply_subject
from supportdesk.core import events
from supportdesk.tickets import events as ticket_events
from supportdesk.tickets.choices import AuthorKind, Channel, EventKind, Status
from supportdesk.tickets.models import Message, Ticket, TicketEvent

log = logging.getLogger(__name__)

# Channels whose customers wrote to us themselves and expect a confirmation.
RECEIVED_CHANNELS = frozenset({Channel.EMAIL, Channel.WEB})
# Channels that deliver an agent's reply on their own (live chat, social networks).
SELF_DELIVERING_CHANNELS = frozenset({Channel.CHAT, Channel.SOCIAL})


@dataclass(frozen=True)
class Notification:
    name: str  # the template name
    switch: str  # the NotificationSettings field that turns it on or off
    for_agents: bool
    auto_submitted: str  # RFC 3834: auto-replied answers a message; auto-generated does not
    rate_limited: bool = False
    not_after_automatic: bool = False


REQUEST_RECEIVED = Notification(
    "request_received",
    "customer_request_received",
    for_agents=False,
    auto_submitted="auto-replied",
    rate_limited=True,
    not_after_automatic=True,
)
AGENT_REPLIED = Notification("agent_replied", "customer_agent_replied", False, "auto-generated")
TICKET_SOLVED = Notification(
    "ticket_solved", "customer_ticket_solved", False, "auto-generated", rate_limited=True
)
TICKET_ASSIGNED = Notification("ticket_assigned", "agent_ticket_assigned", True, "auto-generated")
NEW_REPLY = Notification("new_reply", "agent_new_reply", True, "auto-generated")
ALL = (REQUEST_RECEIVED, AGENT_REPLIED, TICKET_SOLVED, TICKET_ASSIGNED, NEW_REPLY)


def language_for(*candidates: str | None) -> str:
    """The first candidate the site has templates for (zh-TW → zh-hant), else the site's."""
    for code in candidates:
        if not code:
            continue
        try:
            return get_supported_language_variant(code.lower())
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _enabled(notification: Notification) -> bool:
    return bool(getattr(NotificationSettings.current(), notification.switch))


def notify_customer(
    notification: Notification,
    ticket: Ticket,
    *,
    message: Message | None = None,
    trigger_message_id: int | None = None,
) -> OutboundEmail | None:
    """Queue `notification` to the ticket's requester (and, for agent_replied, its followers)
    if it is switched on and loop protection allows. Returns the queued row or None."""
    if not _enabled(notification):
        return None
    own = loops.own_addresses()
    requester = ticket.requester
    to = loops.normalize_address(requester.primary_email)
    if reason := loops.blocked_reason(to, own):
        log.info("%s for ticket %s not sent to %r: %s", notification.name, ticket.pk, to, reason)
        return None
    if notification.not_after_automatic and loops.triggered_by_automatic_mail(
        message_id=trigger_message_id, ticket_id=ticket.pk
    ):
        log.info("%s for ticket %s not sent: it answers mail a machine wrote", notification.name, ticket.pk)
        return None
    if notification.rate_limited and loops.over_rate_limit(to):
        log.info(
            "%s for ticket %s not sent: %s had enough automatic mail this hour",
            notification.name,
            ticket.pk,
            to,
        )
        return None
    mailbox = outbound.mailbox_for_ticket(ticket.pk)
    if mailbox is None:
        return None
    cc: list[str] = []
    if notification is AGENT_REPLIED:
        cc = [
            a
            for a in outbound.customer_recipients(ticket, with_followers=True)[1]
            if not loops.blocked_reason(a, own)
        ]
    language = language_for(requester.language, ticket.language)
    context = {"recipient_name": requester.display_name}
    person = message.author_name if message is not None else ""
    subject_context = {
        "ticket": ticket,
        "ticket_id": ticket.pk,
        "subject": ticket.subject,
        "reply_subject": reply_subject(ticket.subject, ticket.pk),
        **context,
    }
    subject = render_subject(notification.name, subject_context, language)
    row = outbound.outbound_create(
        ticket=ticket,
        mailbox=mailbox,
        kind=OutboundKind.NOTIFICATION,
        template=notification.name,
        to=[to],
        cc=cc,
        message=message,
        subject=subject,
        language=language,
        from_name=outbound.sender_name(mailbox, person),
        auto_submitted=notification.auto_submitted,
        context=context,
    )
    if notification.rate_limited:
        loops.record_automatic_mail(to)
    return row


def notify_agent(
    notification: Notification,
    ticket: Ticket,
    agent: User,
    *,
    message: Message | None = None,
    context: dict[str, Any] | None = None,
) -> OutboundEmail | None:
    """Queue `notification` to `agent` if it is switched on. Agents answer in the desk, so the
    email carries neither a reply token nor the customer thread's headers."""
    if not _enabled(notification) or not agent.is_active or not agent.is_agent:
        return None
    own = loops.own_addresses()
    to = loops.normalize_address(agent.email)
    if not to or loops.is_own_address(to, own):
        return None
    mailbox = outbound.mailbox_for_ticket(ticket.pk)
    if mailbox is None:
        return None
    language = language_for(agent.language)
    context = {"recipient_name": agent.name or agent.email, **(context or {})}
    subject_context = {"ticket": ticket, "ticket_id": ticket.pk, "subject": ticket.subject, **context}
    if message is not None:
        subject_context["author_name"] = message.author_name
    return outbound.outbound_create(
        ticket=ticket,
        mailbox=mailbox,
        kind=OutboundKind.NOTIFICATION,
        template=notification.name,
        to=[to],
        message=message,
        subject=render_subject(notification.name, subject_context, language),
        language=language,
        from_name=outbound.sender_name(mailbox),
        auto_submitted=notification.auto_submitted,
        reply_token=False,
        thread=False,
        context=context,
    )


# -- event handlers (subscribed in apps.ready; each runs after the ticket change committed) --------
# TicketCreated and MessageAdded come by the hundred in a mail import: their handlers only
# enqueue a task by id (tasks_notifications), and the worker composes the email.


def _ticket(ticket_id: int) -> Ticket | None:
    return Ticket.objects.select_related("requester", "assignee").filter(pk=ticket_id).first()


def on_message_added(event: ticket_events.MessageAdded) -> None:
    """After commit: hand the work to the worker (`notify_message_added`), so whoever wrote the
    message (an import, the SMTP receiver, an agent's browser) does not wait for templates."""
    if not event.is_public or loops.is_importing():
        return
    if event.author_kind == AuthorKind.CUSTOMER and (event.is_opening or event.assignee_id is None):
        # Nobody to tell: the opening message is announced by TicketCreated, and a customer's
        # reply only goes to the ticket's assignee (the task re-checks, this only skips work).
        return
    if event.author_kind not in (AuthorKind.AGENT, AuthorKind.CUSTOMER):
        return
    from supportdesk.channels.email.tasks_notifications import notify_message_added

    notify_message_added(event.message_id)


def on_ticket_created(event: ticket_events.TicketCreated) -> None:
    """After commit: hand the work to the worker (`notify_ticket_created`); nothing for an
    imported ticket (the task would find it imported and send nothing), nor for one that calls
    for neither email: staff opening an unassigned ticket (an API script filing orders, say)
    would otherwise cost a queue write and a worker round for nothing."""
    if loops.is_importing() or not _may_notify_on_creation(event):
        return
    from supportdesk.channels.email.tasks_notifications import notify_ticket_created

    notify_ticket_created(event.ticket_id)


def _may_notify_on_creation(event: ticket_events.TicketCreated) -> bool:
    """Whether `ticket_created_notify` could send anything for this new ticket (the task
    checks again against the ticket as it is then)."""
    acknowledges = event.channel in RECEIVED_CHANNELS and event.created_by_id is None
    assigns = event.assignee_id is not None and event.assignee_id != event.created_by_id
    return acknowledges or assigns


def _already_notified(ticket_id: int, notification: Notification, message_id: int | None = None) -> bool:
    rows = OutboundEmail.objects.filter(ticket_id=ticket_id, template=notification.name)
    if message_id is not None:
        rows = rows.filter(message_id=message_id)
    return rows.exists()


def message_added_notify(message_id: int) -> None:
    """The email a public message causes: an agent's reply on an email ticket (the reply itself),
    `agent_replied` on other channels, `new_reply` to the assignee for a customer's reply.
    Idempotent: what is already queued for this message is not queued again."""
    with transaction.atomic():
        message = (
            Message.objects.select_related("ticket__requester", "ticket__assignee", "author_user")
            .filter(pk=message_id, is_public=True)
            .first()
        )
        if message is None:
            return
        ticket = message.ticket
        if message.author_kind == AuthorKind.AGENT:
            if ticket.channel == Channel.EMAIL:
                outbound.outbound_queue_reply(message_id=message.pk)
            elif ticket.channel not in SELF_DELIVERING_CHANNELS and not _already_notified(
                ticket.pk, AGENT_REPLIED, message.pk
            ):
                notify_customer(AGENT_REPLIED, ticket, message=message)
        elif message.author_kind == AuthorKind.CUSTOMER:
            if ticket.assignee is None or _already_notified(ticket.pk, NEW_REPLY, message.pk):
                return
            is_opening = not Message.objects.filter(ticket_id=ticket.pk, id__lt=message.pk).exists()
            if not is_opening and not loops.imported(message.pk):
                notify_agent(NEW_REPLY, ticket, ticket.assignee, message=message)


def ticket_created_notify(ticket_id: int) -> None:
    """The email a new ticket causes: `request_received` to the requester, `ticket_assigned` to
    an assignee set at creation. Idempotent: a notification already queued for the ticket is
    not queued again."""
    with transaction.atomic():
        ticket = _ticket(ticket_id)
        if ticket is None:
            return
        if (
            ticket.channel in RECEIVED_CHANNELS
            and ticket.created_by_id is None
            and not _already_notified(ticket.pk, REQUEST_RECEIVED)
        ):
            first = (
                Message.objects.filter(ticket_id=ticket.pk)
                .order_by("created_at", "id")  # the index message_ticket_time, not the whole pk
                .values_list("pk", flat=True)
                .first()
            )
            if loops.imported(first):
                log.info("ticket %s was imported: no acknowledgement", ticket.pk)
            else:
                notify_customer(REQUEST_RECEIVED, ticket, trigger_message_id=first)
        if (
            ticket.assignee is not None
            and ticket.assignee_id != ticket.created_by_id
            and not _already_notified(ticket.pk, TICKET_ASSIGNED)
        ):
            notify_agent(
                TICKET_ASSIGNED,
                ticket,
                ticket.assignee,
                context={"actor_name": _actor_name(ticket.created_by_id)},
            )


def on_status_changed(event: ticket_events.TicketStatusChanged) -> None:
    if event.new_status != Status.SOLVED:
        return
    with transaction.atomic():
        ticket = _ticket(event.ticket_id)
        if ticket is None or ticket.status != Status.SOLVED:
            return
        # A customer who marked their own request solved needs no email saying so.
        last_change = (
            TicketEvent.objects.filter(ticket_id=ticket.pk, kind=EventKind.STATUS)
            .order_by("-id")
            .values_list("actor_customer_id", flat=True)
            .first()
        )
        if last_change is None:
            notify_customer(TICKET_SOLVED, ticket)


def on_ticket_updated(event: ticket_events.TicketUpdated) -> None:
    change = event.changes.get("assignee")
    if not change or change[1] is None or change[1] == event.actor_id:
        return
    with transaction.atomic():
        ticket = _ticket(event.ticket_id)
        if ticket is None or ticket.assignee is None or ticket.assignee_id != change[1]:
            return  # reassigned again meanwhile: the later event tells the right person
        notify_agent(
            TICKET_ASSIGNED, ticket, ticket.assignee, context={"actor_name": _actor_name(event.actor_id)}
        )


def _actor_name(user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = User.objects.filter(pk=user_id).only("name", "email").first()
    return str(user) if user is not None else ""


def subscribe() -> None:
    events.subscribe(ticket_events.MessageAdded, on_message_added)
    events.subscribe(ticket_events.TicketCreated, on_ticket_created)
    events.subscribe(ticket_events.TicketStatusChanged, on_status_changed)
    events.subscribe(ticket_events.TicketUpdated, on_ticket_updated)
