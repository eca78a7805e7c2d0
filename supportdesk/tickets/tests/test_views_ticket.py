"""The ticket page: access per role, conversation and timeline, replies and notes with files,
the side panel, sharing, read-only closed tickets, and a query count independent of its length."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.tickets.choices import EventKind, FieldType, Status
from supportdesk.tickets.models import (
    Attachment,
    CustomField,
    Message,
    StatusLabel,
    Ticket,
    TicketEvent,
    TicketShare,
)
from supportdesk.tickets.services import Actor, message_add, ticket_share, ticket_update

pytestmark = pytest.mark.django_db


def detail(ticket):
    return reverse("tickets:detail", args=[ticket.pk])


def reply_url(ticket):
    return reverse("tickets:reply", args=[ticket.pk])


def fields_url(ticket):
    return reverse("tickets:update", args=[ticket.pk])


@pytest.fixture
def ticket(customer, make_ticket, agent):
    """A Support ticket with a customer message, an agent reply and an internal note."""
    ticket = make_ticket(customer, subject="Printer on fire", body="It smokes.")
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="Unplug it, please.")
    message_add(
        actor=Actor.staff(agent), ticket_id=ticket.pk, body="Secret: call the vendor.", is_public=False
    )
    return Ticket.objects.get(pk=ticket.pk)


def panel_post(ticket, **changes):
    """The side panel as the browser would send it: every current value, with `changes`."""
    ticket = Ticket.objects.get(pk=ticket.pk)
    data = {
        "status": Status(ticket.status).name.lower()
        if not ticket.status_label_id
        else f"label:{ticket.status_label_id}",
        "priority": str(ticket.priority_id),
        "ticket_type": str(ticket.ticket_type or ""),
        "category": str(ticket.category_id or ""),
        "group": str(ticket.group_id or ""),
        "assignee": str(ticket.assignee_id or ""),
        "tags": " ".join(ticket.tags.values_list("name", flat=True)),
    }
    data.update(changes)
    return data


# -- access ---------------------------------------------------------------------------------------------
def test_anonymous_is_sent_to_sign_in(client_for, ticket):
    response = client_for(None).get(detail(ticket))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client_for(None).post(reply_url(ticket), {"body": "x"}).status_code == 302
    assert Message.objects.filter(ticket=ticket).count() == 3


def test_customer_is_refused(client_for, customer, ticket):
    client = client_for(customer.user)
    assert client.get(detail(ticket)).status_code == 403
    assert client.post(reply_url(ticket), {"kind": "public", "body": "hello"}).status_code == 403
    assert Message.objects.filter(ticket=ticket).count() == 3


def test_agent_of_another_group_gets_404_everywhere(client_for, billing_agent, ticket):
    client = client_for(billing_agent)
    assert client.get(detail(ticket)).status_code == 404
    assert client.post(reply_url(ticket), {"kind": "public", "body": "hi"}).status_code == 404
    assert client.post(fields_url(ticket), panel_post(ticket, priority="4")).status_code == 404
    assert client.get(reverse("tickets:merge", args=[ticket.pk])).status_code == 404
    assert Message.objects.filter(ticket=ticket).count() == 3
    assert Ticket.objects.get(pk=ticket.pk).priority_id == 2


def test_unknown_ticket_is_404(client_for, agent):
    assert client_for(agent).get("/desk/tickets/999999/").status_code == 404


@pytest.mark.parametrize("role", ["agent", "manager", "administrator"])
def test_staff_see_the_whole_conversation_with_notes(request, client_for, ticket, role):
    response = client_for(request.getfixturevalue(role)).get(detail(ticket))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Printer on fire" in text
    assert "It smokes." in text and "Unplug it, please." in text
    assert "Secret: call the vendor." in text
    assert 'class="message note"' in text and 'class="message customer"' in text
    assert 'class="message agent"' in text
    assert 'value="public"' in text  # agents can reply publicly
    assert reverse("tickets:update", args=[ticket.pk]) in text


def test_collaborator_needs_a_share_then_may_only_add_notes(client_for, collaborator, agent, ticket):
    client = client_for(collaborator)
    assert client.get(detail(ticket)).status_code == 404
    ticket_share(actor=Actor.staff(agent), ticket_id=ticket.pk, user_id=collaborator.pk)
    response = client.get(detail(ticket))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Secret: call the vendor." in text
    assert 'value="public"' not in text
    assert "Add an internal note" in text
    assert reverse("tickets:update", args=[ticket.pk]) not in text  # no field form

    # A public reply is refused and changes nothing.
    response = client.post(reply_url(ticket), {"kind": "public", "body": "Hi customer"})
    assert response.status_code == 200
    assert not Message.objects.filter(body_text="Hi customer").exists()

    # A note is fine, and cannot smuggle a status change in.
    response = client.post(reply_url(ticket), {"kind": "note", "body": "Sales says yes", "then": "solved"})
    assert response.status_code == 302
    note = Message.objects.get(body_text="Sales says yes")
    assert not note.is_public and note.author_user == collaborator
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN

    # Fields, merging and sharing are for agents.
    assert client.post(fields_url(ticket), panel_post(ticket, priority="4")).status_code == 403
    assert client.get(reverse("tickets:merge", args=[ticket.pk])).status_code == 403
    assert (
        client.post(reverse("tickets:share", args=[ticket.pk]), {"user": collaborator.pk}).status_code == 403
    )


# -- conversation and timeline --------------------------------------------------------------------------
def test_html_bodies_are_sanitized_again_when_shown(client_for, agent, ticket):
    message = Message.objects.filter(ticket=ticket).first()
    # As if stored by an older, looser version of the sanitizer.
    Message.objects.filter(pk=message.pk).update(
        body_html='<p>Hello <b>there</b><img src="x" onerror="alert(1)"><script>alert(2)</script></p>'
    )
    text = client_for(agent).get(detail(ticket)).content.decode()
    assert "<b>there</b>" in text
    assert "onerror" not in text
    assert "alert(2)" not in text


def test_plain_text_bodies_are_escaped(client_for, agent, ticket):
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="<script>alert(1)</script> done")
    text = client_for(agent).get(detail(ticket)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; done" in text
    assert "<script>alert(1)" not in text


def test_timeline_tells_who_did_what(client_for, agent, ticket):
    ticket_update(
        actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED, priority=4, tags=["vip"]
    )
    response = client_for(agent).get(detail(ticket), {"tab": "timeline"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Carla Customer created the ticket (channel: Web portal)" in text
    assert "Alex Agent replied" in text
    assert "Alex Agent added an internal note" in text
    assert "Alex Agent changed the status from Open to Solved" in text
    assert "Alex Agent changed the priority from Normal to Urgent" in text
    assert "Alex Agent added the tags vip" in text
    assert "It smokes." not in text  # the conversation is the other tab


def test_tab_switch_over_htmx_returns_the_panel_only(client_for, agent, ticket):
    response = client_for(agent).get(
        detail(ticket), {"tab": "timeline"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-panel"
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="tab-panel">')
    assert "<html" not in text
    assert "created the ticket" in text


# -- replies, notes and files ---------------------------------------------------------------------------
def test_reply_with_attachments_is_stored_and_downloadable(client_for, agent, customer, ticket):
    client = client_for(agent)
    files = [
        SimpleUploadedFile("log.txt", b"line one\nline two", content_type="text/plain"),
        SimpleUploadedFile("photo.png", b"\x89PNG fake", content_type="image/png"),
    ]
    response = client.post(
        reply_url(ticket), {"kind": "public", "body": "See attached.", "attachments": files}
    )
    assert response.status_code == 302
    message = Message.objects.get(body_text="See attached.")
    assert response["Location"] == f"{detail(ticket)}#message-{message.pk}"
    assert message.is_public and message.author_user == agent
    stored = list(message.attachments.order_by("filename"))
    assert [a.filename for a in stored] == ["log.txt", "photo.png"]

    page = client.get(detail(ticket)).content.decode()
    link = reverse("files:attachment", args=[stored[0].token])
    assert link in page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"line one\nline two"
    # The customer may fetch a file of a public reply too; another agent's group may not.
    assert client_for(customer.user).get(link).status_code == 200


def test_note_with_attachment_is_hidden_from_the_customer(client_for, agent, customer, ticket):
    client = client_for(agent)
    upload = SimpleUploadedFile("internal.txt", b"secret", content_type="text/plain")
    response = client.post(
        reply_url(ticket), {"kind": "note", "body": "Internal file", "attachments": upload}
    )
    assert response.status_code == 302
    note = Message.objects.get(body_text="Internal file")
    assert not note.is_public
    attachment = note.attachments.get()
    link = reverse("files:attachment", args=[attachment.token])
    assert client.get(link).status_code == 200
    assert client_for(customer.user).get(link).status_code == 404


def test_oversized_attachment_is_refused_and_nothing_is_stored(client_for, agent, ticket, settings):
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "ATTACHMENT_MAX_BYTES": 10}
    before = Message.objects.count()
    upload = SimpleUploadedFile("big.bin", b"x" * 11, content_type="application/octet-stream")
    response = client_for(agent).post(
        reply_url(ticket), {"kind": "public", "body": "Too big", "attachments": upload}
    )
    assert response.status_code == 200
    assert "“big.bin” is larger than the limit of 10" in response.content.decode()
    assert Message.objects.count() == before
    assert Attachment.objects.count() == 0
    assert "Too big" in response.content.decode()  # the typed text is kept


def test_empty_reply_is_an_error(client_for, agent, ticket):
    response = client_for(agent).post(reply_url(ticket), {"kind": "public", "body": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == 3


def test_send_and_solve(client_for, agent, ticket):
    response = client_for(agent).post(
        reply_url(ticket), {"kind": "public", "body": "Fixed.", "then": "solved"}
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == Status.SOLVED


def test_send_and_set_pending(client_for, agent, ticket):
    client_for(agent).post(reply_url(ticket), {"kind": "public", "body": "Any news?", "then": "pending"})
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING


def test_unknown_then_value_is_refused(client_for, agent, ticket):
    response = client_for(agent).post(reply_url(ticket), {"kind": "public", "body": "x", "then": "closed"})
    assert response.status_code == 200
    assert Message.objects.filter(ticket=ticket).count() == 3


# -- closed and solved tickets --------------------------------------------------------------------------
def test_closed_ticket_is_read_only(client_for, agent, ticket):
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.CLOSED)
    client = client_for(agent)
    text = client.get(detail(ticket)).content.decode()
    assert "This ticket is closed" in text
    assert reply_url(ticket) not in text
    assert fields_url(ticket) not in text
    response = client.post(reply_url(ticket), {"kind": "public", "body": "Late reply"})
    assert response.status_code == 200
    assert "This ticket is closed" in response.content.decode()
    assert not Message.objects.filter(body_text="Late reply").exists()


def test_solved_ticket_can_be_reopened(client_for, agent, ticket):
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
    response = client_for(agent).post(fields_url(ticket), panel_post(ticket, status="open"))
    assert response.status_code == 302
    reopened = Ticket.objects.get(pk=ticket.pk)
    assert reopened.status == Status.OPEN
    assert reopened.reopen_count == 1


# -- the side panel -------------------------------------------------------------------------------------
def test_panel_writes_only_the_changed_fields(client_for, agent, ticket):
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    response = client_for(agent).post(
        fields_url(ticket), panel_post(ticket, priority="4", tags="vip, Hardware")
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority_id == 4
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["hardware", "vip"]
    kinds = list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("id")
        .values_list("kind", flat=True)[events_before:]
    )
    assert sorted(kinds) == [EventKind.PRIORITY, EventKind.TAGS]


def test_unchanged_panel_writes_nothing(client_for, agent, ticket):
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    response = client_for(agent).post(fields_url(ticket), panel_post(ticket), follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before


def test_a_deactivated_category_and_agent_stay_selectable_on_their_tickets_only(
    client_for, agent, manager, customer, make_ticket, ticket
):
    from supportdesk.tickets.models import Category

    retired = Category.objects.create(name="Retired things")
    ticket_update(
        actor=Actor.staff(manager), ticket_id=ticket.pk, category_id=retired.pk, assignee_id=agent.pk
    )
    Category.objects.filter(pk=retired.pk).update(is_active=False)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    page = client_for(manager).get(detail(ticket)).content.decode()
    assert f'<option value="{retired.pk}" selected>Retired things</option>' in page
    assert f'<option value="{agent.pk}" selected>{agent.name}</option>' in page
    # The panel saves unchanged; other tickets are not offered either.
    assert client_for(manager).post(fields_url(ticket), panel_post(ticket), follow=True).status_code == 200
    other = client_for(manager).get(detail(make_ticket(customer, subject="Other"))).content.decode()
    assert "Retired things" not in other and f">{agent.name}</option>" not in other


def test_assign_to_me(client_for, manager, ticket):
    response = client_for(manager).post(fields_url(ticket), panel_post(ticket, assign_to_me="1"))
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).assignee == manager
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNEE).count() == 1


def test_assigning_an_agent_outside_the_group_is_an_error(client_for, agent, billing_agent, ticket):
    response = client_for(agent).post(fields_url(ticket), panel_post(ticket, assignee=str(billing_agent.pk)))
    assert response.status_code == 200
    assert "Bea Billing is not a member of the group Support." in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None


def test_illegal_transition_is_an_error_and_changes_nothing(client_for, agent, ticket):
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
    events_before = TicketEvent.objects.count()
    response = client_for(agent).post(fields_url(ticket), panel_post(ticket, status="pending", priority="4"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    after = Ticket.objects.get(pk=ticket.pk)
    assert after.status == Status.SOLVED and after.priority_id == 2
    assert TicketEvent.objects.count() == events_before


def test_status_options_follow_the_transition_table(client_for, agent, ticket):
    text = client_for(agent).get(detail(ticket)).content.decode()
    status_select = re.search(r'<select name="status".*?</select>', text, re.S).group(0)
    assert 'value="pending"' in status_select and 'value="solved"' in status_select
    assert 'value="closed"' not in status_select and 'value="new"' not in status_select


def test_custom_status_label(client_for, agent, ticket):
    label = StatusLabel.objects.create(name="Waiting for parts", status=Status.ON_HOLD)
    text = client_for(agent).get(detail(ticket)).content.decode()
    assert f'value="label:{label.pk}"' in text and "On hold: Waiting for parts" in text
    response = client_for(agent).post(fields_url(ticket), panel_post(ticket, status=f"label:{label.pk}"))
    assert response.status_code == 302
    after = Ticket.objects.get(pk=ticket.pk)
    assert after.status == Status.ON_HOLD and after.status_label == label
    assert "Waiting for parts" in client_for(agent).get(detail(ticket)).content.decode()


def test_a_deactivated_current_label_stays_on_its_ticket_only(
    client_for, agent, customer, make_ticket, ticket
):
    label = StatusLabel.objects.create(name="Waiting for parts", status=Status.ON_HOLD)
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status_label_id=label.pk)
    label.is_active = False
    label.save(update_fields=["is_active"])
    page = client_for(agent).get(detail(ticket)).content.decode()
    assert f'<option value="label:{label.pk}" selected>' in page
    other = make_ticket(customer, subject="Other")
    ticket_update(actor=Actor.staff(agent), ticket_id=other.pk, status=Status.ON_HOLD)
    assert f'value="label:{label.pk}"' not in client_for(agent).get(detail(other)).content.decode()


def test_bad_tag_is_an_error(client_for, agent, ticket):
    response = client_for(agent).post(fields_url(ticket), panel_post(ticket, tags="ok <script>"))
    assert response.status_code == 200
    assert "is not a valid tag" in response.content.decode()
    assert not Ticket.objects.get(pk=ticket.pk).tags.exists()


# -- sharing --------------------------------------------------------------------------------------------
def test_share_and_unshare(client_for, agent, collaborator, ticket):
    client = client_for(agent)
    page = client.get(detail(ticket)).content.decode()
    assert f'<option value="{collaborator.pk}">Cole Collaborator</option>' in page
    response = client.post(reverse("tickets:share", args=[ticket.pk]), {"user": collaborator.pk}, follow=True)
    assert "The ticket is now shared with Cole Collaborator." in response.content.decode()
    assert TicketShare.objects.filter(ticket=ticket, user=collaborator).exists()
    assert client_for(collaborator).get(detail(ticket)).status_code == 200

    response = client.post(reverse("tickets:unshare", args=[ticket.pk, collaborator.pk]))
    assert response.status_code == 302
    assert not TicketShare.objects.exists()
    assert client_for(collaborator).get(detail(ticket)).status_code == 404


def test_share_with_a_customer_is_refused(client_for, agent, customer, ticket):
    response = client_for(agent).post(reverse("tickets:share", args=[ticket.pk]), {"user": customer.user.pk})
    assert response.status_code == 302
    assert not TicketShare.objects.exists()


# -- requester panel and query count --------------------------------------------------------------------
def test_requester_panel(client_for, agent, customer, make_ticket, ticket):
    other = make_ticket(customer, subject="Earlier question")
    text = client_for(agent).get(detail(ticket)).content.decode()
    assert "customer@example.com" in text
    assert f'href="{reverse("tickets:detail", args=[other.pk])}"' in text
    assert "Earlier question" in text


def _add_messages(agent, ticket, count):
    for n in range(count):
        message_add(
            actor=Actor.staff(agent),
            ticket_id=ticket.pk,
            body=f"Message {n}",
            is_public=n % 2 == 0,
            attachments=[SimpleUploadedFile(f"f{n}.txt", b"data", content_type="text/plain")],
        )


@pytest.mark.parametrize("tab", ["conversation", "timeline"])
def test_ticket_page_query_count_does_not_grow_with_messages(
    client_for, agent, customer, make_ticket, django_assert_num_queries, tab
):
    ticket = make_ticket(customer, subject="Long thread")
    client = client_for(agent)
    _add_messages(agent, ticket, 1)  # with the opening message: 2
    client.get(detail(ticket))  # the reference lists are read once, then kept
    with CaptureQueriesContext(connection) as small:
        assert client.get(detail(ticket), {"tab": tab}).status_code == 200
    _add_messages(agent, ticket, 8)  # 10
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(detail(ticket), {"tab": tab})
    if tab == "conversation":
        assert response.content.decode().count('<article class="message') == 10


# The reads of an agent's ticket page, each one query whatever the ticket: session, user, the
# agent's groups (visibility), ticket with its joins, tags, shares, other tickets of the
# requester, follow-ups, followers, the requester's emails and phones (together), messages,
# attachments, the messages' notes (the email channel's delivery states; this ticket has an
# agent's reply). The staff (assignees and collaborators), groups, categories, priorities,
# status labels and custom fields come from the reference cache once a page has read them.
TICKET_PAGE_QUERIES = 13


def test_ticket_page_query_count(client_for, agent, ticket, django_assert_num_queries):
    client = client_for(agent)
    client.get(detail(ticket))  # the session's first use; the reference lists are read and kept
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        response = client.get(detail(ticket))
    assert response.content.decode().count('<article class="message') == 3


# -- custom fields in the panel -------------------------------------------------------------------------
@pytest.fixture
def definitions(db):
    return [
        CustomField.objects.create(key="order_no", name="Order number", field_type=FieldType.NUMBER),
        CustomField.objects.create(
            key="plan", name="Plan", field_type=FieldType.DROPDOWN, options=["Basic", "Pro"]
        ),
        CustomField.objects.create(key="callback", name="Call back", field_type=FieldType.CHECKBOX),
        CustomField.objects.create(key="due", name="Due", field_type=FieldType.DATE),
        CustomField.objects.create(key="serial", name="Serial", field_type=FieldType.TEXT),
    ]


def test_custom_fields_are_typed_inputs(client_for, agent, ticket, definitions):
    text = client_for(agent).get(detail(ticket)).content.decode()
    assert re.search(r'<input type="number" name="cf_order_no" step="any"', text)
    assert '<select name="cf_plan"' in text and '<option value="Pro">Pro</option>' in text
    assert '<input type="checkbox" name="cf_callback"' in text
    assert '<input type="date" name="cf_due"' in text
    assert '<input type="text" name="cf_serial"' in text


def test_custom_fields_update_and_timeline(client_for, agent, ticket, definitions):
    client = client_for(agent)
    values = {
        "cf_order_no": "12.5",
        "cf_plan": "Pro",
        "cf_callback": "on",
        "cf_due": "2030-01-31",
        "cf_serial": "A-1",
    }
    response = client.post(fields_url(ticket), panel_post(ticket, **values))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.custom_fields == {
        "order_no": 12.5,
        "plan": "Pro",
        "callback": True,
        "due": "2030-01-31",
        "serial": "A-1",
    }
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.FIELDS).count() == 1
    timeline = client.get(detail(ticket), {"tab": "timeline"}).content.decode()
    assert "Alex Agent changed custom fields (callback: empty → yes; due: empty → 2030-01-31;" in timeline

    # Sending the same values again changes nothing; clearing one removes it.
    client.post(fields_url(ticket), panel_post(ticket, **values))
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.FIELDS).count() == 1
    client.post(fields_url(ticket), panel_post(ticket, **{**values, "cf_serial": "", "cf_callback": ""}))
    ticket.refresh_from_db()
    assert "serial" not in ticket.custom_fields
    assert ticket.custom_fields["callback"] is False


def test_invalid_custom_field_is_an_error_on_that_field(client_for, agent, ticket, definitions):
    response = client_for(agent).post(
        fields_url(ticket), panel_post(ticket, cf_order_no="lots", cf_due="31/01/2030", priority="4")
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Enter a number." in text
    after = Ticket.objects.get(pk=ticket.pk)
    assert after.custom_fields == {} and after.priority_id == 2
