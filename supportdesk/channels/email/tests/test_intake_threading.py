"""Threading: which ticket an email belongs to, and what it becomes there."""

from __future__ import annotations

import pytest

from supportdesk.accounts.choices import Role
from supportdesk.channels.email import tokens
from supportdesk.channels.email.choices import Direction, InboundOutcome, InboundStatus
from supportdesk.channels.email.models import EmailLink
from supportdesk.channels.email.tests import mailfactory
from supportdesk.conftest import make_user
from supportdesk.customers.models import Customer
from supportdesk.tickets.choices import AuthorKind, Status
from supportdesk.tickets.models import Message, Ticket, TicketFollower
from supportdesk.tickets.services import Actor, ticket_merge, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(deliver):
    """A customer's first email, already a ticket: (raw bytes, its InboundEmail)."""
    raw = mailfactory.email(
        sender="Carla Customer <customer@example.com>",
        subject="Printer on fire",
        message_id="<first@example.com>",
    )
    return raw, deliver(raw)


def close(ticket: Ticket, agent) -> None:
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.CLOSED)


# -- 1. the reply token -------------------------------------------------------------------------
def test_a_reply_to_our_signed_reply_address_threads_without_any_header(deliver, first):
    ticket = first[1].ticket
    address = tokens.reply_address("support@desk.test", ticket.pk)
    row = deliver(mailfactory.email(to=address, subject="something else entirely", body="More details here."))
    assert row.outcome == InboundOutcome.REPLY and row.ticket_id == ticket.pk
    assert row.details["thread"] == "token"


def test_the_envelope_recipient_counts_too(deliver, first):
    ticket = first[1].ticket
    envelope = {"rcpt_tos": [tokens.reply_address("support@desk.test", ticket.pk)]}
    row = deliver(mailfactory.email(subject="no headers"), source="smtp", details={"envelope": envelope})
    assert row.ticket_id == ticket.pk and row.details["thread"] == "token"


def test_a_forged_token_does_not_thread(deliver, first):
    ticket = first[1].ticket
    forged = f"support+t{ticket.pk}-aaaaaaaaaa@desk.test"
    row = deliver(mailfactory.email(to=forged, subject="Let me in"))
    assert row.outcome == InboundOutcome.NEW_TICKET and row.ticket_id != ticket.pk


# -- 2. In-Reply-To and References ------------------------------------------------------------
def test_a_reply_by_in_reply_to_adds_the_new_part_and_keeps_the_quote(deliver, first):
    raw, original = first
    row = deliver(mailfactory.reply_to(raw, body="Thank you, but it is still burning."))
    assert row.outcome == InboundOutcome.REPLY and row.ticket_id == original.ticket_id
    assert row.details["thread"] == "references"
    message = row.message
    assert message.body_text == "Thank you, but it is still burning."
    assert "the printer on the third floor is on fire" in message.quoted_text
    assert message.author_kind == AuthorKind.CUSTOMER
    assert Ticket.objects.count() == 1


def test_an_html_reply_whose_text_shows_no_quote_header_is_split_by_the_html_markers(deliver, first):
    _raw, original = first
    html = (
        '<div dir="ltr">It works again, thank you.</div><br>'
        '<div class="gmail_quote"><div class="gmail_attr">Earlier, Support said:</div>'
        '<blockquote class="gmail_quote">Have you tried turning it off and on again?</blockquote></div>'
    )
    reply = mailfactory.email(
        subject="Re: Printer on fire", in_reply_to="<first@example.com>", body="", html=html
    )
    message = deliver(reply).message
    assert message.ticket_id == original.ticket_id
    assert message.body_text.strip() == "It works again, thank you."
    assert "Have you tried turning it off and on again?" in message.quoted_text


def test_a_reply_found_only_in_references_threads(deliver, first):
    _raw, original = first
    reply = mailfactory.email(
        subject="Re: something", references=["<unknown@example.com>", "<first@example.com>"], body="Again."
    )
    assert deliver(reply).ticket_id == original.ticket_id


def test_a_reply_to_an_email_we_sent_threads(deliver, customer, make_ticket):
    ticket = make_ticket(customer)
    EmailLink.objects.create(
        message_id_header="our-reply@desk.test", direction=Direction.OUTBOUND, ticket=ticket
    )
    row = deliver(mailfactory.email(in_reply_to="<our-reply@desk.test>", subject="Re: Printer"))
    assert row.ticket_id == ticket.pk and row.outcome == InboundOutcome.REPLY


def test_a_link_stored_with_angle_brackets_still_threads(deliver, customer, make_ticket):
    ticket = make_ticket(customer)
    EmailLink.objects.create(
        message_id_header="<bracketed@desk.test>", direction=Direction.OUTBOUND, ticket=ticket
    )
    assert deliver(mailfactory.email(in_reply_to="<bracketed@desk.test>")).ticket_id == ticket.pk


def test_a_reply_reopens_a_solved_ticket(deliver, first, agent):
    raw, original = first
    ticket_update(actor=Actor.staff(agent), ticket_id=original.ticket_id, status=Status.SOLVED)
    deliver(mailfactory.reply_to(raw, body="It is burning again."))
    assert Ticket.objects.get(pk=original.ticket_id).status == Status.OPEN


def test_someone_else_answering_in_the_thread_becomes_a_follower(deliver, first):
    raw, original = first
    row = deliver(mailfactory.reply_to(raw, sender="Colleague <colleague@example.com>", body="I see it too."))
    assert row.ticket_id == original.ticket_id and row.outcome == InboundOutcome.REPLY
    colleague = Customer.objects.get(primary_email="colleague@example.com")
    assert row.message.author_customer_id == colleague.pk
    assert TicketFollower.objects.filter(ticket_id=original.ticket_id, customer=colleague).exists()


# -- 3. the subject tag -------------------------------------------------------------------------
def test_the_subject_tag_threads_for_the_requester(deliver, first):
    ticket = first[1].ticket
    row = deliver(mailfactory.email(subject=f"Re: [#{ticket.pk}] Printer on fire", body="Any news?"))
    assert row.ticket_id == ticket.pk and row.details["thread"] == "subject"


def test_the_subject_tag_is_ignored_for_a_stranger(deliver, first):
    ticket = first[1].ticket
    row = deliver(
        mailfactory.email(sender="stranger@evil.example", subject=f"Re: [#{ticket.pk}] give me the data")
    )
    assert row.outcome == InboundOutcome.NEW_TICKET and row.ticket_id != ticket.pk
    assert row.details["subject_tag_ignored"] == ticket.pk
    assert not TicketFollower.objects.filter(ticket=ticket).exists()


def test_the_subject_tag_threads_for_a_follower(deliver, first):
    ticket = first[1].ticket
    deliver(mailfactory.reply_to(first[0], sender="colleague@example.com", body="Me too."))  # now a follower
    row = deliver(mailfactory.email(sender="colleague@example.com", subject=f"[#{ticket.pk}] update"))
    assert row.ticket_id == ticket.pk


def test_the_subject_tag_threads_for_an_agent_as_their_reply(deliver, first, agent):
    ticket = first[1].ticket
    row = deliver(
        mailfactory.email(
            sender="Alex Agent <agent@desk.test>", subject=f"Re: [#{ticket.pk}] x", body="On it."
        )
    )
    assert row.ticket_id == ticket.pk
    assert row.message.author_kind == AuthorKind.AGENT and row.message.author_user_id == agent.pk


# -- merged and closed tickets ----------------------------------------------------------------------
def test_a_reply_to_a_merged_ticket_goes_to_the_ticket_it_was_merged_into(deliver, first, agent, make_ticket):
    raw, original = first
    target = make_ticket(original.ticket.requester, subject="The real ticket")
    ticket_merge(actor=Actor.staff(agent), source_id=original.ticket_id, target_id=target.pk)
    row = deliver(mailfactory.reply_to(raw, body="Still on fire."))
    assert row.ticket_id == target.pk and row.outcome == InboundOutcome.REPLY


def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up(deliver, first, agent):
    raw, original = first
    close(original.ticket, agent)
    row = deliver(mailfactory.reply_to(raw, body="It started burning again today."))
    assert row.outcome == InboundOutcome.FOLLOW_UP
    follow_up = row.ticket
    assert follow_up.pk != original.ticket_id and follow_up.follow_up_of_id == original.ticket_id
    assert follow_up.subject == "Printer on fire"
    assert follow_up.requester_id == original.ticket.requester_id
    assert row.details["follow_up_of"] == original.ticket_id
    # Another answer to the old thread goes to that follow-up, not into a second one.
    again = deliver(mailfactory.reply_to(raw, body="And the smoke alarm too."))
    assert again.outcome == InboundOutcome.REPLY and again.ticket_id == follow_up.pk
    assert Ticket.objects.filter(follow_up_of_id=original.ticket_id).count() == 1


def test_an_agent_replying_to_a_closed_ticket_is_quarantined_with_the_reason(deliver, first, agent):
    raw, original = first
    close(original.ticket, agent)
    row = deliver(mailfactory.reply_to(raw, sender="agent@desk.test", body="Closing note."))
    assert row.status == InboundStatus.QUARANTINED and "closed" in row.reason


# -- staff ------------------------------------------------------------------------------------------
def test_an_agents_email_reply_is_their_public_reply(deliver, first, agent):
    raw, original = first
    row = deliver(
        mailfactory.reply_to(raw, sender="Alex Agent <agent@desk.test>", body="We are sending someone.")
    )
    message = row.message
    assert (
        message.author_kind == AuthorKind.AGENT and message.author_user_id == agent.pk and message.is_public
    )
    ticket = Ticket.objects.get(pk=original.ticket_id)
    assert ticket.first_response_at is not None and ticket.status == Status.OPEN
    assert not Customer.objects.filter(primary_email="agent@desk.test").exists()


def test_a_collaborators_email_reply_is_an_internal_note(deliver, first, collaborator, agent):
    raw, original = first
    from supportdesk.tickets.services import ticket_share

    ticket_share(actor=Actor.staff(agent), ticket_id=original.ticket_id, user_id=collaborator.pk)
    row = deliver(mailfactory.reply_to(raw, sender="collab@desk.test", body="Finance says yes."))
    assert row.outcome == InboundOutcome.REPLY and not row.message.is_public


def test_an_agent_who_cannot_see_the_ticket_is_quarantined(deliver, first, billing_agent):
    raw, _original = first
    row = deliver(mailfactory.reply_to(raw, sender="billing@desk.test", body="?"))
    assert row.status == InboundStatus.QUARANTINED
    assert f"replied by email to ticket #{_original.ticket_id}, which they may not see" in row.reason
    assert "Give them access to the ticket, then retry this email." in row.reason


def test_a_forward_from_an_agent_opens_a_ticket_for_the_original_sender(deliver, agent):
    original = mailfactory.email(
        sender="Olga Original <olga@example.com>", subject="Broken lamp", body="My lamp broke."
    )
    row = deliver(mailfactory.forward(original, by="Alex Agent <agent@desk.test>"))
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert row.outcome == InboundOutcome.NEW_TICKET and row.details.get("thread") == "forwarded"
    ticket = row.ticket
    assert ticket.requester.primary_email == "olga@example.com" and ticket.requester.name == "Olga Original"
    assert ticket.subject == "Broken lamp" and ticket.created_by_id == agent.pk
    assert "My lamp broke." in row.message.body_text
    assert row.details["forwarded_by"] == "agent@desk.test"


def test_a_forward_from_a_customer_is_their_own_ticket(deliver):
    original = mailfactory.email(sender="olga@example.com", subject="Broken lamp", body="My lamp broke.")
    row = deliver(mailfactory.forward(original, by="Carla <customer@example.com>"))
    assert row.ticket.requester.primary_email == "customer@example.com"


# -- followers ----------------------------------------------------------------------------------------
def test_copied_people_become_followers_but_not_us_nor_staff(deliver, agent):
    raw = mailfactory.email(
        to=["support@desk.test", "Boss <boss@example.com>"],
        cc=["Pat Partner <pat@example.com>", "help@desk.test", "agent@desk.test", "customer@example.com"],
    )
    row = deliver(raw)
    followers = set(
        TicketFollower.objects.filter(ticket=row.ticket).values_list("customer__primary_email", flat=True)
    )
    assert followers == {"boss@example.com", "pat@example.com"}
    assert Customer.objects.get(primary_email="pat@example.com").name == "Pat Partner"


def test_people_copied_on_a_reply_are_added_as_followers(deliver, first):
    raw, original = first
    deliver(mailfactory.reply_to(raw, cc=["new.person@example.com"], body="Adding my manager."))
    assert TicketFollower.objects.filter(
        ticket_id=original.ticket_id, customer__primary_email="new.person@example.com"
    ).exists()


def test_replies_thread_as_fast_as_new_tickets_in_queries(deliver, first, django_assert_max_num_queries):
    """A reply is one indexed EmailLink read away from its ticket: no scan over messages."""
    raw, _original = first
    for n in range(30):
        deliver(mailfactory.email(subject=f"Filler {n}", sender=f"filler{n}@example.com"))
    with django_assert_max_num_queries(40):
        row = deliver(mailfactory.reply_to(raw, body="Any news?"))
    assert row.outcome == InboundOutcome.REPLY


def test_a_staff_member_writing_a_new_email_is_a_customer_request(deliver, agent):
    row = deliver(mailfactory.email(sender="agent@desk.test", subject="My own laptop is broken"))
    assert row.outcome == InboundOutcome.NEW_TICKET
    assert row.message.author_kind == AuthorKind.CUSTOMER


def test_an_inactive_staff_member_is_treated_as_a_customer(deliver, first):
    make_user("gone@desk.test", Role.AGENT, is_active=False)
    raw, original = first
    row = deliver(mailfactory.reply_to(raw, sender="gone@desk.test", body="old colleague"))
    assert row.message.author_kind == AuthorKind.CUSTOMER
    assert Message.objects.filter(ticket_id=original.ticket_id).count() == 2


def test_an_agents_email_reply_is_emailed_to_the_customer_only_when_they_did_not_get_it(
    deliver, first, agent, django_capture_on_commit_callbacks
):
    from supportdesk.channels.email.choices import OutboundKind
    from supportdesk.channels.email.models import OutboundEmail

    raw, _original = first
    # Answering the desk's notification: only the desk got it, so the desk sends it on.
    with django_capture_on_commit_callbacks(execute=True):
        only_desk = deliver(mailfactory.reply_to(raw, sender="agent@desk.test", body="Someone is coming."))
    assert OutboundEmail.objects.filter(message_id=only_desk.message_id, kind=OutboundKind.REPLY).exists()
    # Reply-all from the agent's mail client: the customer has it already.
    with django_capture_on_commit_callbacks(execute=True):
        reply_all = deliver(
            mailfactory.reply_to(
                raw, sender="agent@desk.test", cc=["customer@example.com"], body="Here in five minutes."
            )
        )
    assert reply_all.message.author_kind == AuthorKind.AGENT and reply_all.details["delivered_to_requester"]
    assert not OutboundEmail.objects.filter(message_id=reply_all.message_id).exists()


def test_imported_agent_replies_are_history_and_never_emailed(
    mailbox, first, agent, django_capture_on_commit_callbacks
):
    from supportdesk.channels.email.models import OutboundEmail
    from supportdesk.channels.email.services.intake import process_inbound, store_inbound

    raw, _original = first
    archived = mailfactory.reply_to(raw, sender="agent@desk.test", body="Answered back in 2024.")
    with django_capture_on_commit_callbacks(execute=True):
        row, _created = store_inbound(raw=archived, source="import", mailbox=mailbox)
        row = process_inbound(row.pk)
    assert row.message.author_kind == AuthorKind.AGENT
    assert not OutboundEmail.objects.filter(message_id=row.message_id).exists()


AUTO_REPLY = {"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"}


def test_an_out_of_office_reply_is_kept_on_a_solved_ticket_without_reopening_it(deliver, first, agent):
    raw, original = first
    ticket_update(actor=Actor.staff(agent), ticket_id=original.ticket_id, status=Status.SOLVED)
    row = deliver(mailfactory.reply_to(raw, body="I am out of the office until Monday.", headers=AUTO_REPLY))
    assert row.outcome == InboundOutcome.REPLY and row.is_automatic
    assert row.message.body_text.startswith("I am out of the office")
    assert Ticket.objects.get(pk=original.ticket_id).status == Status.SOLVED


def test_an_out_of_office_reply_to_a_closed_ticket_opens_no_follow_up(deliver, first, agent):
    raw, original = first
    close(original.ticket, agent)
    row = deliver(mailfactory.reply_to(raw, body="I am out of the office until Monday.", headers=AUTO_REPLY))
    assert row.status == InboundStatus.DISCARDED and row.is_automatic
    assert f"closed ticket #{original.ticket_id}" in row.reason and "no follow-up" in row.reason
    assert Ticket.objects.count() == 1
