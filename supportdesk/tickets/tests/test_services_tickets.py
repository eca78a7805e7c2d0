"""Creating and changing tickets through the services: rules, timeline, permissions."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from supportdesk.core import events
from supportdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from supportdesk.tickets import events as ticket_events
from supportdesk.tickets.choices import Channel, EventKind, FieldType, Status
from supportdesk.tickets.models import (
    Category,
    CustomField,
    Message,
    Priority,
    StatusLabel,
    Tag,
    Ticket,
    TicketEvent,
)
from supportdesk.tickets.services import (
    UNSET,
    Actor,
    ticket_create,
    ticket_share,
    ticket_update,
    tickets_bulk_update,
    tickets_close_solved,
)

pytestmark = pytest.mark.django_db


def kinds(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("id").values_list("kind", flat=True))


class TestCreate:
    def test_customer_request_lands_in_the_default_group_and_fallback_category(self, customer, make_ticket):
        ticket = make_ticket(customer, subject="  Printer   on fire ", body="Help!\r\n")
        assert ticket.subject == "Printer on fire"
        assert ticket.status == Status.NEW
        assert ticket.group.name == "Support"
        assert ticket.category.is_fallback
        assert ticket.priority.is_default
        assert ticket.message_count == 1
        message = ticket.messages.get()
        assert message.author_customer == customer and message.is_public and message.body_text == "Help!"
        assert kinds(ticket) == [EventKind.CREATED]
        assert ticket.last_customer_message_at is not None

    def test_agent_creates_for_a_customer_assigned_and_tagged(self, agent, customer, support_group):
        ticket = ticket_create(
            actor=Actor.staff(agent),
            requester=customer,
            subject="Phone call",
            body="Customer called about invoice",
            channel=Channel.PHONE,
            assignee_id=agent.pk,
            tags=["Invoice", "vip"],
            priority=4,
        )
        assert ticket.status == Status.OPEN and ticket.assignee == agent and ticket.created_by == agent
        assert sorted(ticket.tags.values_list("name", flat=True)) == ["invoice", "vip"]
        # The first message is the customer's words even though the agent typed them.
        assert ticket.messages.get().author_customer == customer

    def test_events_are_published_after_commit(
        self, customer, make_ticket, django_capture_on_commit_callbacks
    ):
        seen = []
        events.subscribe(ticket_events.TicketCreated, seen.append)
        try:
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                make_ticket(customer)
            assert seen == []
            for callback in callbacks:
                callback()
            assert [type(e) for e in seen] == [ticket_events.TicketCreated]
        finally:
            events.unsubscribe(ticket_events.TicketCreated, seen.append)

    @pytest.mark.parametrize(
        ("subject", "body", "field"),
        [
            ("", "x", "subject"),
            ("<script>alert(1)</script>", "x", "subject"),
            ("x" * 251, "x", "subject"),
            ("ok", "  \n ", "body"),
        ],
    )
    def test_bad_input_changes_nothing(self, customer, make_ticket, subject, body, field):
        with pytest.raises(ValidationFailed) as caught:
            make_ticket(customer, subject=subject, body=body)
        assert field in caught.value.details
        assert Ticket.objects.count() == 0 and Message.objects.count() == 0

    def test_customers_cannot_open_tickets_for_others_or_set_staff_fields(
        self, customer, other_customer, make_ticket
    ):
        with pytest.raises(PermissionDenied):
            ticket_create(actor=Actor.of_customer(customer), requester=other_customer, subject="x", body="y")
        with pytest.raises(PermissionDenied):
            make_ticket(customer, tags=["x"])
        assert Ticket.objects.count() == 0

    def test_collaborators_cannot_create(self, collaborator, customer):
        with pytest.raises(PermissionDenied):
            ticket_create(actor=Actor.staff(collaborator), requester=customer, subject="x", body="y")

    def test_assignee_must_be_in_the_group(self, manager, agent, customer, billing_group):
        with pytest.raises(ValidationFailed) as caught:
            ticket_create(
                actor=Actor.staff(manager),
                requester=customer,
                subject="x",
                body="y",
                group_id=billing_group.pk,
                assignee_id=agent.pk,
            )
        assert "assignee" in caught.value.details

    def test_unknown_references_are_validation_errors(self, agent, customer):
        for kwargs in (
            {"priority": 99},
            {"category_id": 999},
            {"group_id": 999},
            {"assignee_id": 999},
            {"ticket_type": 9},
            {"channel": "fax"},
        ):
            with pytest.raises(ValidationFailed):
                ticket_create(actor=Actor.staff(agent), requester=customer, subject="x", body="y", **kwargs)
        assert Ticket.objects.count() == 0

    def test_attachments_over_the_limit_store_nothing(self, customer, make_ticket, settings):
        settings.SUPPORTDESK = {**settings.SUPPORTDESK, "ATTACHMENT_MAX_BYTES": 10}
        big = SimpleUploadedFile("big.bin", b"x" * 11)
        with pytest.raises(ValidationFailed) as caught:
            make_ticket(customer, attachments=[big])
        assert caught.value.code == "attachment_too_large"
        assert Ticket.objects.count() == 0

    def test_attachment_names_are_made_safe_and_stored_under_random_names(self, customer, make_ticket):
        upload = SimpleUploadedFile(
            "../../etc/pass\x00wd<>.txt", b"hello", content_type="text/html; charset=x"
        )
        ticket = make_ticket(customer, attachments=[upload])
        attachment = ticket.attachments.get()
        assert attachment.filename == "pass_wd_.txt"
        assert "pass" not in attachment.file.name and attachment.file.name.startswith("attachments/")
        assert attachment.content_type == "text/html" and attachment.size == 5
        assert attachment.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

    def test_required_custom_fields_apply_to_agents_and_to_the_fields_customers_fill(
        self, agent, customer, make_ticket
    ):
        CustomField.objects.create(key="order", name="Order", field_type=FieldType.TEXT, required=True)
        with pytest.raises(ValidationFailed):
            ticket_create(actor=Actor.staff(agent), requester=customer, subject="x", body="y")
        make_ticket(customer)  # customers do not see this field: not required of them
        CustomField.objects.create(
            key="device",
            name="Device",
            field_type=FieldType.DROPDOWN,
            options=["Phone"],
            required=True,
            visible_to_customers=True,
            editable_by_customers=True,
        )
        with pytest.raises(ValidationFailed):
            make_ticket(customer)
        ticket = make_ticket(customer, custom_fields={"device": "Phone"})
        assert ticket.custom_fields == {"device": "Phone"}
        with pytest.raises(ValidationFailed):
            make_ticket(customer, custom_fields={"device": "Phone", "order": "123"})


class TestUpdate:
    def test_each_change_writes_one_event_and_bumps_updated_at(self, agent, customer, make_ticket):
        ticket = make_ticket(customer)
        before = ticket.updated_at
        ticket_update(
            actor=Actor.staff(agent),
            ticket_id=ticket.pk,
            subject="New subject",
            priority=3,
            assignee_id=agent.pk,
            tags=["a", "b"],
        )
        ticket.refresh_from_db()
        assert ticket.subject == "New subject" and ticket.priority_id == 3 and ticket.assignee == agent
        # Taking a new ticket opens it.
        assert ticket.status == Status.OPEN
        assert kinds(ticket)[1:] == [
            EventKind.SUBJECT,
            EventKind.PRIORITY,
            EventKind.ASSIGNEE,
            EventKind.TAGS,
            EventKind.STATUS,
        ]
        assert ticket.updated_at > before

    def test_no_change_writes_nothing(self, agent, customer, make_ticket):
        ticket = make_ticket(customer)
        ticket_update(
            actor=Actor.staff(agent), ticket_id=ticket.pk, subject=ticket.subject, priority=ticket.priority_id
        )
        assert kinds(ticket) == [EventKind.CREATED]

    def test_illegal_transition_is_a_conflict_and_changes_nothing(self, agent, customer, make_ticket):
        ticket = make_ticket(customer)
        with pytest.raises(Conflict) as caught:
            ticket_update(
                actor=Actor.staff(agent), ticket_id=ticket.pk, subject="changed", status=Status.CLOSED
            )
        assert caught.value.code == "invalid_transition"
        ticket.refresh_from_db()
        assert ticket.subject != "changed" and ticket.status == Status.NEW
        assert kinds(ticket) == [EventKind.CREATED]

    def test_status_timestamps(self, agent, customer, make_ticket):
        ticket = make_ticket(customer)
        actor = Actor.staff(agent)
        ticket_update(actor=actor, ticket_id=ticket.pk, status=Status.SOLVED)
        ticket.refresh_from_db()
        assert ticket.solved_at is not None
        ticket_update(actor=actor, ticket_id=ticket.pk, status=Status.OPEN)
        ticket.refresh_from_db()
        assert ticket.solved_at is None and ticket.reopen_count == 1
        ticket_update(actor=actor, ticket_id=ticket.pk, status=Status.SOLVED)
        ticket_update(actor=actor, ticket_id=ticket.pk, status=Status.CLOSED)
        ticket.refresh_from_db()
        assert ticket.closed_at is not None and ticket.solved_at is not None
        with pytest.raises(Conflict):
            ticket_update(actor=actor, ticket_id=ticket.pk, subject="late")

    def test_custom_status_labels_map_onto_their_category(self, agent, customer, make_ticket):
        waiting = StatusLabel.objects.create(name="Waiting for parts", status=Status.ON_HOLD)
        default_pending = StatusLabel.objects.create(
            name="Awaiting customer", status=Status.PENDING, is_default=True
        )
        ticket = make_ticket(customer)
        ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status_label_id=waiting.pk)
        ticket.refresh_from_db()
        assert ticket.status == Status.ON_HOLD and ticket.status_display == "Waiting for parts"
        ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.PENDING)
        ticket.refresh_from_db()
        assert ticket.status_label == default_pending
        with pytest.raises(ValidationFailed):
            ticket_update(
                actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.OPEN, status_label_id=waiting.pk
            )

    def test_solving_needs_required_fields(self, agent, customer, make_ticket):
        ticket = make_ticket(customer)
        CustomField.objects.create(key="cause", name="Cause", field_type=FieldType.TEXT, required=True)
        with pytest.raises(ValidationFailed):
            ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
        ticket_update(
            actor=Actor.staff(agent),
            ticket_id=ticket.pk,
            status=Status.SOLVED,
            custom_fields={"cause": "user"},
        )
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED

    def test_customers_may_only_mark_their_request_solved(self, customer, make_ticket):
        ticket = make_ticket(customer)
        actor = Actor.of_customer(customer)
        with pytest.raises(PermissionDenied):
            ticket_update(actor=actor, ticket_id=ticket.pk, priority=4)
        with pytest.raises(PermissionDenied):
            ticket_update(actor=actor, ticket_id=ticket.pk, status=Status.PENDING)
        ticket_update(actor=actor, ticket_id=ticket.pk, status=Status.SOLVED)
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        event = ticket.events.get(kind=EventKind.STATUS)
        assert event.actor_customer == customer and event.actor is None

    def test_invisible_tickets_are_not_found(
        self, billing_agent, collaborator, other_customer, customer, make_ticket
    ):
        ticket = make_ticket(customer)
        for actor in (Actor.staff(billing_agent), Actor.of_customer(other_customer)):
            with pytest.raises(NotFound):
                ticket_update(actor=actor, ticket_id=ticket.pk, status=Status.SOLVED)
        with pytest.raises(NotFound):
            ticket_update(actor=Actor.staff(collaborator), ticket_id=ticket.pk, subject="x")

    def test_collaborators_see_shared_tickets_but_cannot_change_them(
        self, agent, collaborator, customer, make_ticket
    ):
        ticket = make_ticket(customer)
        ticket_share(actor=Actor.staff(agent), ticket_id=ticket.pk, user_id=collaborator.pk)
        with pytest.raises(PermissionDenied):
            ticket_update(actor=Actor.staff(collaborator), ticket_id=ticket.pk, subject="x")
        assert EventKind.SHARED in kinds(ticket)

    def test_tags_add_and_remove(self, agent, customer, make_ticket):
        ticket = make_ticket(customer)
        actor = Actor.staff(agent)
        ticket_update(actor=actor, ticket_id=ticket.pk, add_tags=["a", "b"])
        ticket_update(actor=actor, ticket_id=ticket.pk, add_tags=["c"], remove_tags=["a"])
        assert sorted(ticket.tags.values_list("name", flat=True)) == ["b", "c"]
        with pytest.raises(ValidationFailed):
            ticket_update(actor=actor, ticket_id=ticket.pk, add_tags=["bad tag!"])
        with pytest.raises(ValidationFailed):
            ticket_update(actor=actor, ticket_id=ticket.pk, tags=[f"t{n}" for n in range(31)])
        assert Tag.objects.filter(name="t0").count() == 0

    def test_unassigning_and_unknown_values(self, agent, customer, make_ticket):
        ticket = make_ticket(customer)
        actor = Actor.staff(agent)
        ticket_update(actor=actor, ticket_id=ticket.pk, assignee_id=agent.pk)
        ticket_update(actor=actor, ticket_id=ticket.pk, assignee_id=None)
        ticket.refresh_from_db()
        assert ticket.assignee is None and ticket.assigned_at is None
        for kwargs in (
            {"priority": 42},
            {"category_id": 42},
            {"group_id": 42},
            {"assignee_id": 42},
            {"status": 99},
            {"custom_fields": "nope"},
            {"requester_id": 424242},
        ):
            with pytest.raises(ValidationFailed):
                ticket_update(actor=actor, ticket_id=ticket.pk, **kwargs)

    def test_unset_means_unchanged(self, agent, customer, make_ticket):
        ticket = make_ticket(customer)
        ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, assignee_id=UNSET, status=UNSET)
        assert kinds(ticket) == [EventKind.CREATED]


class TestBulkAndAutoClose:
    def test_bulk_reports_each_ticket(self, agent, customer, make_ticket):
        fresh = make_ticket(customer)
        solved = make_ticket(customer)
        ticket_update(actor=Actor.staff(agent), ticket_id=solved.pk, status=Status.SOLVED)
        results = tickets_bulk_update(
            actor=Actor.staff(agent), ticket_ids=[fresh.pk, solved.pk, 99999], status=Status.PENDING
        )
        assert results[fresh.pk] is None
        assert results[solved.pk] and results[99999]
        assert Ticket.objects.get(pk=fresh.pk).status == Status.PENDING
        assert Ticket.objects.get(pk=solved.pk).status == Status.SOLVED

    def test_bulk_limits(self, agent, customer):
        with pytest.raises(ValidationFailed):
            tickets_bulk_update(actor=Actor.staff(agent), ticket_ids=[], status=Status.OPEN)
        with pytest.raises(ValidationFailed):
            tickets_bulk_update(actor=Actor.staff(agent), ticket_ids=list(range(1, 102)), status=Status.OPEN)

    def test_auto_close_closes_only_old_solved_tickets(self, agent, customer, make_ticket):
        old, recent, open_ticket = make_ticket(customer), make_ticket(customer), make_ticket(customer)
        actor = Actor.staff(agent)
        ticket_update(
            actor=actor, ticket_id=old.pk, status=Status.SOLVED, at=timezone.now() - timedelta(days=10)
        )
        ticket_update(actor=actor, ticket_id=recent.pk, status=Status.SOLVED)
        assert tickets_close_solved(older_than=timedelta(days=4)) == 1
        statuses = dict(Ticket.objects.values_list("pk", "status"))
        assert statuses == {old.pk: Status.CLOSED, recent.pk: Status.SOLVED, open_ticket.pk: Status.NEW}
        closing = old.events.filter(kind=EventKind.STATUS).last()
        assert closing.actor is None and closing.actor_customer is None
        assert tickets_close_solved(older_than=timedelta(days=4)) == 0


def test_category_priority_defaults_exist_from_migrations():
    assert Category.objects.filter(is_fallback=True, name="Other").exists()
    assert list(Priority.objects.values_list("rank", flat=True)) == [1, 2, 3, 4]


def test_back_dated_changes_keep_their_time_in_the_timeline(agent, collaborator, customer, make_ticket):
    from supportdesk.tickets.services import message_add, ticket_merge

    past = timezone.now() - timedelta(days=30)
    ticket = make_ticket(customer, created_at=past)
    other = make_ticket(customer, created_at=past)
    actor = Actor.staff(agent)
    message_add(actor=actor, ticket_id=ticket.pk, body="On it", created_at=past + timedelta(hours=1))
    ticket_update(actor=actor, ticket_id=ticket.pk, status=Status.PENDING, at=past + timedelta(hours=2))
    ticket_share(actor=actor, ticket_id=ticket.pk, user_id=collaborator.pk, at=past + timedelta(hours=3))
    ticket_merge(actor=actor, source_id=other.pk, target_id=ticket.pk, at=past + timedelta(hours=4))
    recent = TicketEvent.objects.filter(created_at__gt=timezone.now() - timedelta(days=1))
    assert not recent.exists(), list(recent.values_list("kind", flat=True))


class TestFollowersAndFollowUps:
    def test_copied_customers_follow_and_see_the_ticket(self, agent, customer, other_customer, make_ticket):
        from supportdesk.tickets import selectors
        from supportdesk.tickets.services import ticket_add_followers

        ticket = make_ticket(customer, follower_ids=[other_customer.pk, customer.pk])
        assert list(ticket.followers.values_list("customer_id", flat=True)) == [other_customer.pk]
        assert ticket.pk in {t.pk for t in selectors.tickets_of_customer(other_customer)}
        assert ticket.events.filter(kind=EventKind.FOLLOWERS).count() == 1
        assert (
            ticket_add_followers(
                actor=Actor.staff(agent), ticket_id=ticket.pk, customer_ids=[other_customer.pk]
            )
            == []
        )
        with pytest.raises(PermissionDenied):
            ticket_add_followers(actor=Actor.of_customer(customer), ticket_id=ticket.pk, customer_ids=[])

    def test_a_follow_up_links_to_a_ticket_the_actor_can_see(
        self, agent, customer, other_customer, make_ticket
    ):
        first = make_ticket(customer)
        second = make_ticket(customer, follow_up_of_id=first.pk)
        assert second.follow_up_of == first and list(first.follow_ups.all()) == [second]
        assert second.events.get(kind=EventKind.CREATED).data["follow_up_of"] == first.pk
        with pytest.raises(ValidationFailed):
            make_ticket(other_customer, follow_up_of_id=first.pk)

    def test_file_data_from_mail_is_stored_with_its_content_id(self, customer, make_ticket):
        from supportdesk.tickets.services import FileData

        ticket = make_ticket(
            customer,
            attachments=[
                FileData("logo.png", "image/png", b"\x89PNG....", content_id="<logo@x>", inline=True),
                FileData("report.pdf", "application/pdf", b"%PDF"),
            ],
        )
        logo, report = ticket.attachments.order_by("filename")
        assert (logo.content_id, logo.is_inline, logo.size) == ("logo@x", True, 8)
        assert (report.content_id, report.is_inline) == ("", False)
        assert logo.file.read() == b"\x89PNG...."
