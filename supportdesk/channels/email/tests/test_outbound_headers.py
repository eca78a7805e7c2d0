"""An agent's reply as the customer receives it, checked header by header and part by part
(captured by a real SMTP server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.accounts.models import User
from supportdesk.channels.email import tokens
from supportdesk.channels.email.choices import Direction, OutboundKind, Security
from supportdesk.channels.email.models import EmailLink, Mailbox, OutboundEmail
from supportdesk.channels.email.tests.test_outbound_smtp import (  # noqa: F401 - fixtures
    ScriptedSmtp,
    email_ticket_fixture,
    inbound_mail,
    outbox_mailbox_fixture,
    reply_fixture,
    smtp_server_fixture,
)
from supportdesk.customers.models import Customer
from supportdesk.tickets.models import Message, Ticket
from supportdesk.tickets.services import Actor, FileData, message_add, ticket_create


def test_the_reply_headers_one_by_one(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp, agent: User
) -> None:
    agent.signature = "Alex Agent\nAcme Support, 2nd floor"
    agent.save(update_fields=["signature"])
    message = reply(email_ticket)
    sent = smtp_server.last()
    row = OutboundEmail.objects.get()

    assert sent["From"] == '"Alex Agent (Acme Support)" <support@desk.test>'
    assert sent["From"].addresses[0].display_name == "Alex Agent (Acme Support)"
    assert sent["To"] == "customer@example.com"
    assert sent["Cc"] is None
    reply_to = sent["Reply-To"].addresses[0].addr_spec
    assert reply_to.startswith("support+t") and reply_to.endswith("@desk.test")
    assert tokens.ticket_id_from_address(reply_to) == email_ticket.pk
    assert sent["Subject"] == f"Re: Printer on fire [#{email_ticket.pk}]"
    assert sent["Message-ID"] == f"<{row.message_id_header}>"
    assert row.message_id_header.endswith("@desk.test")
    link = EmailLink.objects.get(direction=Direction.OUTBOUND)
    assert (link.message_id_header, link.ticket_id, link.message_id) == (
        row.message_id_header,
        email_ticket.pk,
        message.pk,
    )
    assert sent["In-Reply-To"] == "<first.mail@example.com>"
    assert sent["References"] == "<first.mail@example.com>"
    assert sent["Content-Language"] == "en"
    assert sent["Date"] is not None and sent["Date"].datetime.tzinfo is not None
    # A person wrote this: no automatic-mail markers, so the customer's autoresponder may answer.
    assert sent["Auto-Submitted"] is None
    assert sent["X-Auto-Response-Suppress"] is None
    assert (row.kind, row.recipients, row.cc) == (OutboundKind.REPLY, ["customer@example.com"], [])


def test_the_thread_grows_with_every_email(
    email_ticket: Ticket,
    reply: Callable[..., Message],
    smtp_server: ScriptedSmtp,
    outbox_mailbox: Mailbox,
    customer: Customer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    reply(email_ticket, "First answer")
    first_out = OutboundEmail.objects.get().message_id_header
    # The customer answers by email (what the intake writes for it).
    answer = message_add(actor=Actor.of_customer(customer), ticket_id=email_ticket.pk, body="Still smoking.")
    inbound_mail(email_ticket, outbox_mailbox, "second.mail@example.com", message=answer)
    reply(email_ticket, "Second answer")
    sent = smtp_server.last()
    assert sent["In-Reply-To"] == "<second.mail@example.com>"
    assert sent["References"] == f"<first.mail@example.com> <{first_out}> <second.mail@example.com>"


def test_references_keep_the_root_and_the_last_twenty(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp, outbox_mailbox: Mailbox
) -> None:
    for n in range(30):
        EmailLink.objects.create(
            message_id_header=f"m{n}@example.com", direction=Direction.INBOUND, ticket=email_ticket
        )
    reply(email_ticket)
    references = smtp_server.last()["References"].split()
    assert len(references) == 21
    assert references[0] == "<first.mail@example.com>"
    assert references[1] == "<m10@example.com>"
    assert references[-1] == "<m29@example.com>"
    assert smtp_server.last()["In-Reply-To"] == "<m29@example.com>"


def test_followers_are_copied(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp, other_customer: Customer
) -> None:
    email_ticket.followers.create(customer=other_customer)
    reply(email_ticket)
    sent = smtp_server.last()
    assert sent["To"] == "customer@example.com"
    assert sent["Cc"] == "other@example.com"
    assert sorted(smtp_server.received[0].rcpt_tos) == ["customer@example.com", "other@example.com"]


def test_text_and_html_parts_with_the_signature_and_the_files(
    email_ticket: Ticket, reply: Callable[..., Message], smtp_server: ScriptedSmtp, agent: User
) -> None:
    agent.signature = "Alex <Agent>\nhttps://desk.test/help"
    agent.save(update_fields=["signature"])
    pdf = b"%PDF-1.4 report"
    reply(
        email_ticket,
        "Hello <script>alert(1)</script> & welcome.\nSee https://example.com/status?a=1&b=2\n\nBye",
        attachments=[
            SimpleUploadedFile("Báo cáo tháng 5.pdf", pdf, content_type="application/pdf"),
            SimpleUploadedFile("notes.txt", b"plain notes\n", content_type="text/plain"),
        ],
    )
    sent = smtp_server.last()
    assert sent.get_content_type() == "multipart/mixed"
    alternative, *files = sent.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html = alternative.get_payload()
    assert text.get_content_type() == "text/plain"
    assert text.get_content().replace("\r\n", "\n") == (
        "Hello <script>alert(1)</script> & welcome.\nSee https://example.com/status?a=1&b=2\n\nBye\n"
        "\n-- \nAlex <Agent>\nhttps://desk.test/help\n"
    )
    assert html.get_content_type() == "text/html"
    body = html.get_content()
    assert "<script>" not in body
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; welcome.<br>" in body
    assert '<a href="https://example.com/status?a=1&amp;b=2" rel="nofollow">' in body
    assert "<p>Bye</p>" in body
    assert "Alex &lt;Agent&gt;<br>" in body
    assert [(f.get_filename(), f.get_content_type(), f.get_content_disposition()) for f in files] == [
        ("Báo cáo tháng 5.pdf", "application/pdf", "attachment"),
        ("notes.txt", "text/plain", "attachment"),
    ]
    assert files[0].get_content() == pdf


def test_inline_images_travel_with_the_html(
    email_ticket: Ticket, smtp_server: ScriptedSmtp, agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    png = b"\x89PNG\r\n\x1a\n-pixels-"
    with django_capture_on_commit_callbacks(execute=True):
        message_add(
            actor=Actor.staff(agent),
            ticket_id=email_ticket.pk,
            body="See the picture.",
            body_html='<p>See the picture.</p><img src="cid:shot1@desk.test" alt="shot">',
            attachments=[FileData("shot.png", "image/png", png, content_id="shot1@desk.test", inline=True)],
        )
    sent = smtp_server.last()
    assert sent.get_content_type() == "multipart/alternative"
    text, related = sent.get_payload()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert 'src="cid:shot1@desk.test"' in html.get_content()
    assert image["Content-ID"] == "<shot1@desk.test>"
    assert image.get_content_type() == "image/png"
    assert image.get_content() == png


def test_non_ascii_names_and_subjects_are_encoded(
    customer: Customer, smtp_server: ScriptedSmtp, outbox_mailbox: Mailbox, reply: Callable[..., Message]
) -> None:
    outbox_mailbox.display_name = "Hỗ trợ Acme"
    outbox_mailbox.save(update_fields=["display_name"])
    ticket = ticket_create(
        actor=Actor.system(),
        requester=customer,
        subject="Máy in bốc khói — pilne!",
        body="x",
        channel="email",
    )
    agent = User.objects.get(email="agent@desk.test")
    agent.name = "Łukasz Żółć"
    agent.save(update_fields=["name"])
    reply(ticket, "Dziękujemy")
    raw = smtp_server.received[0].data
    assert raw.isascii()  # every header and body encoded for 7-bit transport
    sent = smtp_server.last()
    assert sent["Subject"] == f"Re: Máy in bốc khói — pilne! [#{ticket.pk}]"
    assert sent["From"].addresses[0].display_name == "Łukasz Żółć (Hỗ trợ Acme)"
    assert sent.get_body(("plain",)).get_content().startswith("Dziękujemy")


def test_the_mailbox_the_ticket_came_through_answers(
    customer: Customer, smtp_server: ScriptedSmtp, outbox_mailbox: Mailbox, reply: Callable[..., Message]
) -> None:
    sales = Mailbox.objects.create(
        name="Sales",
        email_address="sales@shop.test",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_security=Security.NONE,
    )
    ticket = ticket_create(
        actor=Actor.system(), requester=customer, subject="Quote", body="Price?", channel="email"
    )
    inbound_mail(ticket, sales, "quote@example.com")
    reply(ticket)
    sent = smtp_server.last()
    assert sent["From"].addresses[0].addr_spec == "sales@shop.test"
    assert sent["From"].addresses[0].display_name == "Alex Agent (supportdesk)"
    assert tokens.ticket_id_from_address(sent["Reply-To"].addresses[0].addr_spec) == ticket.pk
    assert sent["Reply-To"].addresses[0].addr_spec.endswith("@shop.test")
    assert sent["Message-ID"].endswith("@shop.test>")
    assert smtp_server.received[0].mail_from == "sales@shop.test"


def test_without_an_inbound_mailbox_the_default_then_the_first_active_one_answers(
    customer: Customer, smtp_server: ScriptedSmtp, outbox_mailbox: Mailbox, reply: Callable[..., Message]
) -> None:
    other = Mailbox.objects.create(
        name="Other",
        email_address="other@desk.test",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_security=Security.NONE,
    )
    ticket = ticket_create(actor=Actor.system(), requester=customer, subject="Hi", body="x", channel="email")
    reply(ticket)
    assert smtp_server.last()["From"].addresses[0].addr_spec == "support@desk.test"
    outbox_mailbox.is_default = False
    outbox_mailbox.is_active = False
    outbox_mailbox.save(update_fields=["is_default", "is_active"])
    reply(ticket, "again")
    assert smtp_server.last()["From"].addresses[0].addr_spec == other.email_address
    # No References or In-Reply-To chain to invent for a ticket with no email history but ours.
    assert smtp_server.last()["In-Reply-To"] == smtp_server.received[0].message["Message-ID"]


def test_a_desk_without_mailboxes_still_takes_replies(
    customer: Customer, agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = ticket_create(actor=Actor.system(), requester=customer, subject="Hi", body="x", channel="email")
    with django_capture_on_commit_callbacks(execute=True):
        message = message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Reply")
    assert message.pk is not None
    assert not OutboundEmail.objects.exists()


def test_internal_notes_and_customer_messages_are_not_emailed_to_the_customer(
    email_ticket: Ticket,
    agent: User,
    customer: Customer,
    smtp_server: ScriptedSmtp,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message_add(actor=Actor.staff(agent), ticket_id=email_ticket.pk, body="Internal", is_public=False)
        message_add(actor=Actor.of_customer(customer), ticket_id=email_ticket.pk, body="Me again")
    assert not OutboundEmail.objects.exists()
    assert smtp_server.received == []


def test_a_human_reply_goes_even_to_a_machine_looking_address(
    outbox_mailbox: Mailbox, smtp_server: ScriptedSmtp, reply: Callable[..., Message]
) -> None:
    # Loop protection is for automatic mail; an agent answering a no-reply sender chose to.
    robot = Customer.objects.create(name="Shop", primary_email="no-reply@shop.example")
    ticket = ticket_create(actor=Actor.system(), requester=robot, subject="Order", body="x", channel="email")
    reply(ticket)
    assert smtp_server.received[0].rcpt_tos == ["no-reply@shop.example"]


def test_our_own_addresses_are_never_written_to(
    outbox_mailbox: Mailbox, smtp_server: ScriptedSmtp, reply: Callable[..., Message]
) -> None:
    ourselves = Customer.objects.create(name="Help", primary_email="help@desk.test")
    ticket = ticket_create(
        actor=Actor.system(), requester=ourselves, subject="Loop", body="x", channel="email"
    )
    reply(ticket)
    assert not OutboundEmail.objects.exists()
    assert smtp_server.received == []
