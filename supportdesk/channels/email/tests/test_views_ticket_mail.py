"""The mail-related parts of the ticket page (and the portal's request page): notes under each
message from the message-notes extension point (the email channel's delivery states), quoted
history folded away, follow-up links and followers in the side panel, and a query count that
does not grow with any of them."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.channels.email.choices import OutboundKind, OutboundStatus
from supportdesk.channels.email.models import OutboundEmail
from supportdesk.customers.services import customer_create
from supportdesk.tickets import extensions
from supportdesk.tickets.extensions import MessageNote
from supportdesk.tickets.models import Message, Ticket
from supportdesk.tickets.services import Actor, message_add, ticket_add_followers

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def detail(ticket: Ticket) -> str:
    return reverse("tickets:detail", args=[ticket.pk])


class RecordingProvider:
    """A message-notes provider that remembers how often it was asked, and for which messages."""

    def __init__(self, notes: dict[str, list[MessageNote]] | None = None) -> None:
        self.calls: list[list[int]] = []
        self.notes = notes or {}

    def __call__(self, messages: Sequence[Message]) -> dict[int, list[MessageNote]]:
        self.calls.append([m.pk for m in messages])
        return {m.pk: self.notes[m.body_text] for m in messages if m.body_text in self.notes}


@pytest.fixture
def only_provider(monkeypatch: pytest.MonkeyPatch):
    """Replace the registered providers with one of the test's own."""

    def install(provider: RecordingProvider) -> RecordingProvider:
        monkeypatch.setattr(extensions, "_providers", [provider])
        return provider

    return install


@pytest.fixture
def ticket(customer, make_ticket, agent) -> Ticket:
    ticket = make_ticket(customer, subject="Printer on fire", body="It smokes.")
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Unplug it, please.")
    return ticket


# -- notes under messages ---------------------------------------------------------------------------


def test_each_message_shows_its_notes_coloured_by_tone(client_for, agent, ticket, only_provider):
    provider = only_provider(
        RecordingProvider(
            {
                "Unplug it, please.": [
                    MessageNote("Sent to customer@example.com", "success"),
                    MessageNote("Bounced: 550 5.1.1 User unknown", "error", detail="from mx.example.com"),
                ],
                "It smokes.": [MessageNote(SCRIPT, tone="<b>bold</b>")],
            }
        )
    )
    html = client_for(agent).get(detail(ticket)).content.decode()
    assert len(provider.calls) == 1 and len(provider.calls[0]) == 2  # once, for all messages
    reply_at = html.index("Unplug it, please.")
    assert html.index('<li class="note-success">Sent to customer@example.com</li>') > reply_at
    bounced = (
        '<li class="note-error">Bounced: 550 5.1.1 User unknown <span class="muted">— from mx.example.com'
    )
    assert bounced in html
    # An unknown tone becomes "info"; the text is escaped.
    assert f'<li class="note-info">{ESCAPED_SCRIPT}</li>' in html
    assert html.index(ESCAPED_SCRIPT) < reply_at
    assert "<b>bold</b>" not in html


def test_the_htmx_conversation_tab_shows_the_notes_too(client_for, agent, ticket, only_provider):
    provider = only_provider(RecordingProvider({"Unplug it, please.": [MessageNote("Waiting to be sent")]}))
    response = client_for(agent).get(
        detail(ticket), {"tab": "conversation"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-panel"
    )
    html = response.content.decode()
    assert '<li class="note-info">Waiting to be sent</li>' in html and "<html" not in html
    assert len(provider.calls) == 1
    client_for(agent).get(detail(ticket), {"tab": "timeline"})
    assert len(provider.calls) == 1  # the timeline does not ask


def test_the_email_channels_delivery_states_show_on_the_ticket(client_for, agent, ticket):
    """The real provider registered by the email channel: a failed and a bounced email."""
    reply = Message.objects.get(ticket=ticket, body_text="Unplug it, please.")
    common = {
        "ticket": ticket,
        "message": reply,
        "kind": OutboundKind.REPLY,
        "recipients": ["customer@example.com"],
    }
    OutboundEmail.objects.create(
        **common,
        subject="Re: Printer on fire",
        message_id_header="<a@desk.test>",
        status=OutboundStatus.FAILED,
        last_error="550 5.7.1 Relaying denied",
    )
    html = client_for(agent).get(detail(ticket)).content.decode()
    assert 'class="note-error"' in html and "550 5.7.1 Relaying denied" in html


def test_no_notes_no_list(client_for, agent, ticket, only_provider):
    only_provider(RecordingProvider())
    assert 'class="message-notes"' not in client_for(agent).get(detail(ticket)).content.decode()


# -- quoted text ------------------------------------------------------------------------------------


def test_quoted_history_is_folded_away_and_escaped(client_for, agent, customer, ticket):
    quoted = f"On Monday, Alex wrote:\n> Unplug it, please.\n> {SCRIPT}"
    message_add(
        actor=Actor.of_customer(customer),
        ticket_id=ticket.pk,
        body="Done, still smoking.",
        quoted_text=quoted,
        channel="email",
    )
    html = client_for(agent).get(detail(ticket)).content.decode()
    assert html.count('<details class="quoted-text">') == 1
    start = html.index('<details class="quoted-text">')
    folded = html[start : html.index("</details>", start)]
    assert "<summary>Show quoted text</summary>" in folded
    assert "On Monday, Alex wrote:\n&gt; Unplug it, please.\n&gt; " + ESCAPED_SCRIPT in folded
    assert html.index("Done, still smoking.") < start
    # The customer's portal folds it the same way.
    portal = (
        client_for(customer.user).get(reverse("portal:request_detail", args=[ticket.pk])).content.decode()
    )
    assert '<details class="quoted-text">' in portal and ESCAPED_SCRIPT in portal
    assert "<summary>Show quoted text</summary>" in portal


# -- follow-ups and followers --------------------------------------------------------------------------


def test_follow_up_links_both_ways(client_for, agent, customer, make_ticket, ticket):
    follow_up = make_ticket(
        customer, subject="Printer on fire again", body="It is back.", follow_up_of_id=ticket.pk
    )
    client = client_for(agent)
    earlier = client.get(detail(ticket)).content.decode()
    assert f'Followed up by <a href="{detail(follow_up)}">#{follow_up.pk}</a>' in earlier
    later = client.get(detail(follow_up)).content.decode()
    assert f'Follow-up of <a href="{detail(ticket)}">#{ticket.pk}</a>' in later
    assert "Printer on fire" in later


def test_follow_ups_the_viewer_may_not_see_are_not_linked(
    client_for, billing_agent, manager, customer, make_ticket, billing_group
):
    hidden = make_ticket(customer, subject="Support only", body="x")  # the Support group's
    visible = make_ticket(
        customer,
        subject="Billing question",
        body="y",
        follow_up_of_id=hidden.pk,
        actor=Actor.staff(manager),
        group_id=billing_group.pk,
    )
    html = client_for(billing_agent).get(detail(visible)).content.decode()
    assert "Follow-up of" not in html and detail(hidden) not in html


def test_followers_are_listed_and_escaped(client_for, agent, ticket):
    copied = customer_create(actor=None, name=SCRIPT, emails=["boss@example.com"])
    colleague = customer_create(actor=None, name="Bo Colleague", emails=["bo@example.com"])
    ticket_add_followers(
        actor=Actor.staff(agent), ticket_id=ticket.pk, customer_ids=[copied.pk, colleague.pk]
    )
    html = client_for(agent).get(detail(ticket)).content.decode()
    assert "Followers" in html and "Customers copied on this ticket" in html
    assert ESCAPED_SCRIPT in html and "<script>alert(1)" not in html
    assert "Bo Colleague" in html and "bo@example.com" in html
    assert reverse("customers:detail", args=[colleague.pk]) in html


def test_without_follow_ups_or_followers_the_panels_are_absent(client_for, agent, ticket):
    html = client_for(agent).get(detail(ticket)).content.decode()
    assert 'class="panel follow-ups"' not in html and 'class="panel followers"' not in html


# -- query counts -------------------------------------------------------------------------------------


def test_the_ticket_page_query_count_stays_flat(
    client_for, agent, customer, make_ticket, ticket, only_provider, django_assert_num_queries
):
    only_provider(RecordingProvider({"It smokes.": [MessageNote("Sent", "success")]}))
    client = client_for(agent)
    client.get(detail(ticket))  # the reference lists are read once, then kept
    with CaptureQueriesContext(connection) as small:
        assert client.get(detail(ticket)).status_code == 200
    for number in range(6):
        message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body=f"More {number}", quoted_text="> old")
        make_ticket(customer, subject=f"Again {number}", body="z", follow_up_of_id=ticket.pk)
    people = [customer_create(actor=None, name=f"Copied {n}", emails=[f"c{n}@example.com"]) for n in range(5)]
    ticket_add_followers(actor=Actor.staff(agent), ticket_id=ticket.pk, customer_ids=[p.pk for p in people])
    # The panels' queries run whether or not there is anything to show: the count is the same.
    with CaptureQueriesContext(connection) as grown:
        client.get(detail(ticket))
    for number in range(6, 12):
        message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body=f"More {number}", quoted_text="> old")
        make_ticket(customer, subject=f"Again {number}", body="z", follow_up_of_id=ticket.pk)
    more = [
        customer_create(actor=None, name=f"Copied {n}", emails=[f"c{n}@example.com"]) for n in range(5, 12)
    ]
    ticket_add_followers(actor=Actor.staff(agent), ticket_id=ticket.pk, customer_ids=[p.pk for p in more])
    with django_assert_num_queries(len(grown.captured_queries)):
        response = client.get(detail(ticket))
    assert len(grown.captured_queries) == len(small.captured_queries)
    html = response.content.decode()
    assert html.count('<details class="quoted-text">') == 12
    assert html.count("Followed up by") == 12
