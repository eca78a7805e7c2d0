"""Notification emails: which event sends which email to whom, the administrator's switches, the
recipient's language, and the markers that keep autoresponders from answering them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings as django_settings

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import User
from supportdesk.channels.email import tokens
from supportdesk.channels.email.choices import OutboundKind, OutboundStatus
from supportdesk.channels.email.models import Mailbox, NotificationSettings, OutboundEmail
from supportdesk.channels.email.services import notifications
from supportdesk.channels.email.tests.test_outbound_smtp import (  # noqa: F401 - fixtures
    ScriptedSmtp,
    inbound_mail,
    outbox_mailbox_fixture,
    smtp_server_fixture,
)
from supportdesk.conftest import make_user
from supportdesk.customers.models import Customer
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import Actor, message_add, ticket_create, ticket_update


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """`with committed():` runs what the block publishes, as after a real commit."""

    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


@pytest.fixture
def switches(db: None) -> NotificationSettings:
    return NotificationSettings.current()


def _sent(smtp_server: ScriptedSmtp, template: str) -> list[Any]:
    rows = OutboundEmail.objects.filter(template=template).order_by("id")
    wanted = {f"<{r.message_id_header}>" for r in rows}
    return [c.message for c in smtp_server.received if c.message["Message-ID"] in wanted]


def _web_ticket(customer: Customer, committed: Callable[[], Any], **kwargs: Any) -> Ticket:
    with committed():
        return ticket_create(
            actor=Actor.of_customer(customer),
            requester=customer,
            subject="Printer on fire",
            body="Help",
            **kwargs,
        )


# -- request received ----------------------------------------------------------------------------


def test_a_web_request_is_confirmed(
    customer: Customer, outbox_mailbox: Mailbox, smtp_server: ScriptedSmtp, committed: Callable[[], Any]
) -> None:
    ticket = _web_ticket(customer, committed)
    [sent] = _sent(smtp_server, "request_received")
    assert sent["To"] == "customer@example.com"
    assert sent["From"] == "Acme Support <support@desk.test>"
    assert sent["Subject"] == f"We received your request: Printer on fire [#{ticket.pk}]"
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["X-Auto-Response-Suppress"] == "All"
    assert sent["Content-Language"] == "en"
    assert tokens.ticket_id_from_address(sent["Reply-To"].addresses[0].addr_spec) == ticket.pk
    text = sent.get_body(("plain",)).get_content()
    assert "Hello Carla Customer," in text
    assert f"{django_settings.SITE_URL}/requests/{ticket.pk}/" in text
    assert "simply reply to this email" in text
    html = sent.get_body(("html",)).get_content()
    assert '<html lang="en">' in html
    assert f"/requests/{ticket.pk}/" in html


def test_an_email_request_is_confirmed_in_its_thread(
    customer: Customer, outbox_mailbox: Mailbox, smtp_server: ScriptedSmtp, committed: Callable[[], Any]
) -> None:
    with committed():
        ticket = ticket_create(
            actor=Actor.system(), requester=customer, subject="Broken", body="x", channel="email"
        )
        inbound_mail(ticket, outbox_mailbox, "opening@example.com")
    [sent] = _sent(smtp_server, "request_received")
    assert sent["In-Reply-To"] == "<opening@example.com>"
    assert sent["References"] == "<opening@example.com>"


def test_imported_mail_is_history_and_sends_no_notification(
    customer: Customer, agent: User, outbox_mailbox: Mailbox, committed: Callable[[], Any]
) -> None:
    """`supportdesk mail import` of an archive must not write to customers or agents now."""
    from supportdesk.channels.email.models import InboundEmail

    with committed():
        ticket = ticket_create(
            actor=Actor.system(), requester=customer, subject="Old", body="x", channel="email"
        )
        inbound_mail(ticket, outbox_mailbox, "archived-1@example.com")
        InboundEmail.objects.filter(ticket=ticket).update(source="import")
    assert not OutboundEmail.objects.filter(template="request_received").exists()

    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, assignee_id=agent.pk)
    with committed():
        reply = message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="Later reply")
        inbound_mail(ticket, outbox_mailbox, "archived-2@example.com", message=reply)
        InboundEmail.objects.filter(message=reply).update(source="import")
    assert not OutboundEmail.objects.filter(template="new_reply").exists()


@pytest.mark.parametrize("channel", ["phone", "api", "chat", "agent"])
def test_requests_the_customer_did_not_write_to_us_are_not_confirmed(
    customer: Customer,
    agent: User,
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    committed: Callable[[], Any],
    channel: str,
) -> None:
    with committed():
        ticket_create(actor=Actor.staff(agent), requester=customer, subject="Call", body="x", channel=channel)
    assert not OutboundEmail.objects.filter(template="request_received").exists()


def test_a_web_request_an_agent_typed_in_is_not_confirmed(
    customer: Customer, agent: User, outbox_mailbox: Mailbox, committed: Callable[[], Any]
) -> None:
    with committed():
        ticket_create(
            actor=Actor.staff(agent), requester=customer, subject="For Carla", body="x", channel="web"
        )
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize(
    ("opened_by", "channel", "assign_agent", "queued"),
    [
        ("agent", "api", False, False),  # a script filing orders: no email could follow
        ("agent", "web", False, False),  # typed in by staff: not confirmed
        ("agent", "api", True, False),  # taken by whoever opened it
        ("manager", "api", True, True),  # assigned to someone else: they hear of it
        ("customer", "web", False, True),  # the customer's own request: confirmed
        ("system", "phone", False, False),
    ],
)
def test_the_worker_gets_a_new_ticket_only_when_an_email_could_follow(
    customer: Customer,
    agent: User,
    manager: User,
    committed: Callable[[], Any],
    opened_by: str,
    channel: str,
    assign_agent: bool,
    queued: bool,
) -> None:
    from unittest import mock

    from supportdesk.channels.email import tasks_notifications

    actors = {
        "agent": Actor.staff(agent),
        "manager": Actor.staff(manager),
        "customer": Actor.of_customer(customer),
        "system": Actor.system(),
    }
    with mock.patch.object(tasks_notifications, "notify_ticket_created") as task, committed():
        ticket = ticket_create(
            actor=actors[opened_by],
            requester=customer,
            subject="Order 1234",
            body="x",
            channel=channel,
            assignee_id=agent.pk if assign_agent else None,
        )
    assert task.call_args_list == ([mock.call(ticket.pk)] if queued else [])


def test_the_confirmation_can_be_switched_off(
    customer: Customer,
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    switches: NotificationSettings,
    committed: Callable[[], Any],
) -> None:
    switches.customer_request_received = False
    switches.save()
    _web_ticket(customer, committed)
    assert not OutboundEmail.objects.exists()
    assert smtp_server.received == []


# -- languages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("customer_language", "ticket_language", "expected"),
    [
        ("vi", "", "vi"),
        ("pl", "vi", "pl"),
        ("", "pl", "pl"),
        ("", "zh-tw", "zh-hant"),
        ("", "de", "en"),  # no templates in German: the site's language
        ("", "", "en"),
    ],
)
def test_customers_get_their_language(
    customer: Customer,
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    committed: Callable[[], Any],
    customer_language: str,
    ticket_language: str,
    expected: str,
) -> None:
    customer.language = customer_language
    customer.save(update_fields=["language"])
    _web_ticket(customer, committed, language=ticket_language)
    [sent] = _sent(smtp_server, "request_received")
    assert sent["Content-Language"] == expected
    # The templates were rendered with that language active (the catalogs come later, so the
    # words may still be English).
    assert f'<html lang="{expected}">' in sent.get_body(("html",)).get_content()
    assert OutboundEmail.objects.get().language == expected


def test_agents_get_their_own_language(
    customer: Customer,
    agent: User,
    manager: User,
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    customer.language = "vi"
    customer.save(update_fields=["language"])
    agent.language = "pl"
    agent.save(update_fields=["language"])
    ticket = make_ticket(customer)
    with committed():
        ticket_update(actor=Actor.staff(manager), ticket_id=ticket.pk, assignee_id=agent.pk)
    [sent] = _sent(smtp_server, "ticket_assigned")
    assert sent["Content-Language"] == "pl"
    assert '<html lang="pl">' in sent.get_body(("html",)).get_content()


# -- agent replied (tickets that did not come by email) ------------------------------------------


def test_a_reply_on_a_web_request_is_emailed_as_a_notification(
    customer: Customer,
    other_customer: Customer,
    agent: User,
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    agent.signature = "Alex, Acme"
    agent.save(update_fields=["signature"])
    ticket = make_ticket(customer)
    ticket.followers.create(customer=other_customer)
    with committed():
        message = message_add(
            actor=Actor.staff(agent), ticket_id=ticket.pk, body="Try <b>turning</b> it off."
        )
    row = OutboundEmail.objects.get()
    assert (row.kind, row.template, row.message_id, row.status) == (
        OutboundKind.NOTIFICATION,
        "agent_replied",
        message.pk,
        OutboundStatus.SENT,
    )
    sent = smtp_server.last()
    assert sent["From"] == '"Alex Agent (Acme Support)" <support@desk.test>'
    assert sent["Subject"] == f"Re: Printer on fire [#{ticket.pk}]"
    assert sent["Cc"] == "other@example.com"
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent["X-Auto-Response-Suppress"] == "All"
    assert tokens.ticket_id_from_address(sent["Reply-To"].addresses[0].addr_spec) == ticket.pk
    text = sent.get_body(("plain",)).get_content()
    assert f"Alex Agent replied to your request “Printer on fire” (#{ticket.pk}):" in text
    assert "Try <b>turning</b> it off." in text
    assert "-- \r\nAlex, Acme" in text or "-- \nAlex, Acme" in text
    assert f"/requests/{ticket.pk}/" in text
    assert "Try &lt;b&gt;turning&lt;/b&gt; it off." in sent.get_body(("html",)).get_content()


def test_a_reply_on_an_email_ticket_is_the_reply_itself(
    customer: Customer,
    agent: User,
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    committed: Callable[[], Any],
    switches: NotificationSettings,
) -> None:
    switches.customer_agent_replied = False  # only for tickets that did not come by email
    switches.save()
    ticket = ticket_create(
        actor=Actor.system(), requester=customer, subject="Mail", body="x", channel="email"
    )
    with committed():
        message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Answer")
    row = OutboundEmail.objects.get()
    assert (row.kind, row.template) == (OutboundKind.REPLY, "")
    assert smtp_server.last()["Auto-Submitted"] is None


def test_the_agent_replied_email_can_be_switched_off(
    customer: Customer,
    agent: User,
    outbox_mailbox: Mailbox,
    switches: NotificationSettings,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    switches.customer_agent_replied = False
    switches.save()
    ticket = make_ticket(customer)
    with committed():
        message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Answer")
    assert not OutboundEmail.objects.exists()


def test_chat_replies_are_not_emailed(
    customer: Customer,
    agent: User,
    outbox_mailbox: Mailbox,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(customer, channel="chat")
    with committed():
        message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Hi there")
    assert not OutboundEmail.objects.exists()


# -- solved --------------------------------------------------------------------------------------


def test_solving_tells_the_customer_how_to_reopen(
    customer: Customer,
    agent: User,
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(customer)
    with committed():
        ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
    [sent] = _sent(smtp_server, "ticket_solved")
    assert sent["Subject"] == f"Your request was solved: Printer on fire [#{ticket.pk}]"
    assert sent["Auto-Submitted"] == "auto-generated"
    text = sent.get_body(("plain",)).get_content()
    assert "just reply to this email and we will reopen your request" in text
    assert tokens.ticket_id_from_address(sent["Reply-To"].addresses[0].addr_spec) == ticket.pk


def test_a_customer_who_solved_their_own_request_gets_no_email(
    customer: Customer,
    outbox_mailbox: Mailbox,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(customer)
    with committed():
        ticket_update(actor=Actor.of_customer(customer), ticket_id=ticket.pk, status=Status.SOLVED)
    assert not OutboundEmail.objects.exists()


def test_the_solved_email_can_be_switched_off(
    customer: Customer,
    agent: User,
    outbox_mailbox: Mailbox,
    switches: NotificationSettings,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    switches.customer_ticket_solved = False
    switches.save()
    ticket = make_ticket(customer)
    with committed():
        ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
    assert not OutboundEmail.objects.exists()


# -- agents --------------------------------------------------------------------------------------


def test_an_agent_hears_of_a_ticket_assigned_to_them(
    customer: Customer,
    agent: User,
    manager: User,
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(customer)
    with committed():
        ticket_update(actor=Actor.staff(manager), ticket_id=ticket.pk, assignee_id=agent.pk)
    [sent] = _sent(smtp_server, "ticket_assigned")
    assert sent["To"] == "agent@desk.test"
    assert sent["Subject"] == f"[#{ticket.pk}] Assigned to you: Printer on fire"
    assert sent["Auto-Submitted"] == "auto-generated"
    # Agents answer in the desk: no reply token, not part of the customer's thread.
    assert sent["Reply-To"] is None
    assert sent["In-Reply-To"] is None
    text = sent.get_body(("plain",)).get_content()
    assert f"Mia Manager assigned ticket #{ticket.pk} “Printer on fire” to you." in text
    assert "Requester: Carla Customer" in text
    assert f"{django_settings.SITE_URL}/desk/tickets/{ticket.pk}/" in text


def test_taking_a_ticket_yourself_sends_nothing(
    customer: Customer,
    agent: User,
    outbox_mailbox: Mailbox,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(customer)
    with committed():
        ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, assignee_id=agent.pk)
    assert not OutboundEmail.objects.exists()


def test_a_ticket_opened_with_an_assignee_tells_them(
    customer: Customer,
    agent: User,
    manager: User,
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    committed: Callable[[], Any],
) -> None:
    with committed():
        ticket_create(
            actor=Actor.staff(manager),
            requester=customer,
            subject="Call",
            body="x",
            channel="phone",
            assignee_id=agent.pk,
        )
    [sent] = _sent(smtp_server, "ticket_assigned")
    assert sent["To"] == "agent@desk.test"


def test_the_assignment_email_can_be_switched_off(
    customer: Customer,
    agent: User,
    manager: User,
    outbox_mailbox: Mailbox,
    switches: NotificationSettings,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    switches.agent_ticket_assigned = False
    switches.save()
    ticket = make_ticket(customer)
    with committed():
        ticket_update(actor=Actor.staff(manager), ticket_id=ticket.pk, assignee_id=agent.pk)
    assert not OutboundEmail.objects.exists()


def test_the_assignee_hears_of_a_customer_reply(
    customer: Customer,
    agent: User,
    manager: User,
    outbox_mailbox: Mailbox,
    smtp_server: ScriptedSmtp,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(customer, assignee_id=None)
    ticket_update(actor=Actor.staff(manager), ticket_id=ticket.pk, assignee_id=agent.pk)
    with committed():
        message = message_add(
            actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="It <still> smokes."
        )
    [sent] = _sent(smtp_server, "new_reply")
    assert sent["To"] == "agent@desk.test"
    assert sent["Subject"] == f"[#{ticket.pk}] New reply from Carla Customer: Printer on fire"
    text = sent.get_body(("plain",)).get_content()
    assert "It <still> smokes." in text
    assert "It &lt;still&gt; smokes." in sent.get_body(("html",)).get_content()
    # The agent's notification is not the customer message's delivery: no note on it.
    from supportdesk.channels.email.services.outbound import message_notes_for

    assert message_notes_for([message]) == {}


def test_no_reply_email_without_an_assignee_or_for_the_opening_message(
    customer: Customer,
    agent: User,
    outbox_mailbox: Mailbox,
    committed: Callable[[], Any],
    switches: NotificationSettings,
) -> None:
    switches.customer_request_received = False
    switches.save()
    with committed():
        ticket = ticket_create(
            actor=Actor.staff(agent),
            requester=customer,
            subject="x",
            body="y",
            channel="web",
            assignee_id=agent.pk,
        )
    with committed():
        message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="More")
    assert list(OutboundEmail.objects.values_list("template", flat=True)) == ["new_reply"]
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, assignee_id=None)
    with committed():
        message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="Anyone?")
    assert OutboundEmail.objects.count() == 1


def test_the_new_reply_email_can_be_switched_off(
    customer: Customer,
    agent: User,
    manager: User,
    outbox_mailbox: Mailbox,
    switches: NotificationSettings,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
) -> None:
    switches.agent_new_reply = False
    switches.save()
    ticket = make_ticket(customer)
    ticket_update(actor=Actor.staff(manager), ticket_id=ticket.pk, assignee_id=agent.pk)
    with committed():
        message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="More")
    assert not OutboundEmail.objects.exists()


def test_inactive_agents_get_nothing(
    customer: Customer,
    manager: User,
    outbox_mailbox: Mailbox,
    committed: Callable[[], Any],
    make_ticket: Callable[..., Ticket],
    support_group: Any,
) -> None:
    leaver = make_user("leaver@desk.test", Role.AGENT, groups=[support_group])
    ticket = make_ticket(customer)
    ticket_update(actor=Actor.staff(manager), ticket_id=ticket.pk, assignee_id=leaver.pk)
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    with committed():
        message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="More")
    assert not OutboundEmail.objects.exists()


def test_language_for_picks_a_supported_variant(settings: Any) -> None:
    assert notifications.language_for("", None, "PL") == "pl"
    assert notifications.language_for("zh-CN") == "zh-hans"
    assert notifications.language_for("xx", "yy") == settings.LANGUAGE_CODE


@pytest.mark.parametrize("language", [code for code, _name in django_settings.LANGUAGES])
@pytest.mark.parametrize("notification", notifications.ALL, ids=lambda n: n.name)
def test_every_template_renders_in_every_language(
    notification: notifications.Notification,
    language: str,
    customer: Customer,
    make_ticket: Callable[..., Ticket],
) -> None:
    from supportdesk.channels.email.services.compose import render_bodies, render_subject

    ticket = make_ticket(customer, subject='Tiêu đề "ważny" & co')
    context = {
        "ticket": ticket,
        "ticket_id": ticket.pk,
        "subject": ticket.subject,
        "reply_subject": f"Re: {ticket.subject} [#{ticket.pk}]",
        "recipient_name": "Carla",
        "author_name": "Alex",
        "actor_name": "Mia",
        "body": "Hello",
        "body_html": "<p>Hello</p>",
        "portal_link": "https://desk.test/requests/1/",
        "desk_link": "https://desk.test/desk/tickets/1/",
    }
    subject = render_subject(notification.name, context, language)
    assert f"#{ticket.pk}" in subject and "\n" not in subject
    assert 'Tiêu đề "ważny" & co' in subject  # subjects are plain text: nothing escaped
    text, html = render_bodies(notification.name, context, language)
    assert 'Tiêu đề "ważny" & co' in text
    assert "Tiêu đề &quot;ważny&quot; &amp; co" in html
    assert f'<html lang="{language}">' in html
