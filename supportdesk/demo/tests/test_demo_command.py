"""`supportdesk demo`: the desk it builds through the services, its refusals, its determinism."""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F
from django.db.models.expressions import RawSQL
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import Group, User
from supportdesk.customers.models import Customer, Organization
from supportdesk.demo.credentials import DEMO_LOGINS, demo_login
from supportdesk.demo.loader import load_demo
from supportdesk.tickets.choices import Channel, EventKind, Status
from supportdesk.tickets.models import (
    Category,
    CustomField,
    Message,
    StatusLabel,
    Ticket,
    TicketEvent,
    TicketShare,
)
from supportdesk.tickets.services.common import ticket_search_index

pytestmark = pytest.mark.django_db
TICKETS = 120


def run_demo(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, **options)
    return out.getvalue()


def search(text: str) -> set[int]:
    query = ticket_search_index.matching_ids(text)
    assert query is not None
    # The index writes the SQL and binds every value.
    return set(Ticket.objects.filter(id__in=RawSQL(*query)).values_list("id", flat=True))  # noqa: S611


def test_the_demo_desk_is_complete_and_consistent():
    output = run_demo("--tickets", str(TICKETS), "--seed", "7")
    now = timezone.now()

    # The team: groups, one of each staff role, agents in the groups.
    assert set(Group.objects.values_list("name", flat=True)) == {"Support", "Billing", "Technical"}
    assert Group.objects.get(is_default=True).name == "Support"
    roles = Counter(User.objects.values_list("role", flat=True))
    assert roles[Role.ADMINISTRATOR] == roles[Role.MANAGER] == roles[Role.COLLABORATOR] == 1
    assert roles[Role.AGENT] >= 8
    assert all(g.memberships.count() >= 3 for g in Group.objects.all())

    # Customers and organizations.
    assert 140 <= Customer.objects.count() <= 160
    assert Organization.objects.count() == 12
    assert Organization.objects.filter(shares_tickets=True).count() == 1
    assert Customer.objects.filter(organization__isnull=False).count() > 80

    # The taxonomy, translated.
    refunds = Category.objects.get(name="Refunds")
    assert refunds.parent.name == "Billing"
    assert refunds.default_group.name == "Billing"
    assert refunds.translations == {
        "vi": "Hoàn tiền",
        "pl": "Zwroty płatności",
        "zh-hant": "退款",
        "zh-hans": "退款",
    }
    assert StatusLabel.objects.get(name="Waiting for parts").status == Status.ON_HOLD
    assert StatusLabel.objects.get(name="Escalated to engineering").status == Status.OPEN
    assert CustomField.objects.get(key="warranty").visible_to_customers
    assert not CustomField.objects.get(key="warranty").editable_by_customers

    # Tickets: the number asked for, every status, language and channel.
    tickets = Ticket.objects.all()
    assert tickets.count() == TICKETS
    assert set(tickets.values_list("status", flat=True)) == set(Status)
    assert set(tickets.values_list("language", flat=True)) == {"en", "vi", "pl", "zh-hans", "zh-hant"}
    assert set(tickets.values_list("channel", flat=True)) == {
        c for c in Channel if c not in ("social", "agent")
    }
    assert tickets.filter(merged_into__isnull=False).exists()
    assert tickets.filter(custom_fields__has_key="order_number").exists()
    assert tickets.exclude(tags=None).count() > TICKETS / 2
    assert TicketShare.objects.exists()
    assert Message.objects.filter(is_public=False, author_user__role=Role.COLLABORATOR).exists()
    assert Message.objects.filter(is_public=False).count() > 10

    # Counters match the rows, as the services keep them.
    mismatched = tickets.annotate(rows=Count("messages")).exclude(rows=F("message_count"))
    assert not mismatched.exists()
    sizes = Counter(tickets.filter(merged_into__isnull=True).values_list("message_count", flat=True))
    assert min(sizes) == 1 and max(sizes) <= 9
    answered = tickets.filter(messages__author_kind="agent", messages__is_public=True).distinct()
    assert answered.filter(first_response_at__isnull=True).count() == 0

    # The history is back-dated: tickets, messages and timelines spread over 90 days.
    assert now - tickets.earliest("created_at").created_at > timedelta(days=80)
    assert now - Message.objects.earliest("created_at").created_at > timedelta(days=80)
    dated = TicketEvent.objects.exclude(
        kind__in=[EventKind.STATUS, EventKind.MERGED_INTO, EventKind.MERGED_FROM]
    )
    recent = dated.filter(created_at__gt=now - timedelta(minutes=10)).count()
    assert recent / dated.count() < 0.05
    closed = tickets.filter(status=Status.CLOSED, merged_into__isnull=True)
    for ticket in closed:
        assert ticket.solved_at is not None and ticket.closed_at is not None
        assert ticket.closed_at - ticket.solved_at >= timedelta(days=4)
        assert ticket.updated_at == ticket.closed_at
    assert len({t.closed_at.date() for t in closed}) > 10

    # The search index was kept as real use keeps it, in every script.
    assert search("password") or search("hasło") or search("mật khẩu")
    assert search("退款") | search("退貨") | search("订单") | search("訂單")
    assert search("zamówienie") | search("đơn hàng")

    # The demo sign-ins work, the portal customer has several requests, and output lists them.
    for login in DEMO_LOGINS:
        assert Client().login(username=login.email, password=login.password), login.email
        assert login.email in output and login.password in output
    other_agent = User.objects.filter(role=Role.AGENT).exclude(email=demo_login(Role.AGENT).email).first()
    assert Client().login(username=other_agent.email, password=demo_login(Role.AGENT).password)
    portal = Customer.objects.get(user__email=demo_login(Role.CUSTOMER).email)
    assert portal.organization.shares_tickets
    assert portal.tickets.count() >= 3
    assert len(set(portal.tickets.values_list("status", flat=True))) >= 3

    # A second run is refused, and nothing changes.
    with pytest.raises(CommandError, match="already loaded"):
        run_demo("--tickets", "5")
    assert Ticket.objects.count() == TICKETS
    assert "demo-admin-2026" in run_demo("--logins")


def test_status_changes_are_back_dated_in_the_timeline():
    run_demo("--tickets", "30")
    status_events = TicketEvent.objects.filter(kind=EventKind.STATUS)
    assert not status_events.filter(created_at__gt=timezone.now() - timedelta(minutes=10)).exists()


def test_the_demo_is_not_loaded_beside_real_data(agent):
    with pytest.raises(CommandError, match="already holds a desk"):
        run_demo("--tickets", "5")
    assert run_demo("--if-empty", "--tickets", "5") == ""
    assert not Ticket.objects.exists()
    assert run_demo("--logins") == ""


def test_if_empty_loads_into_an_empty_desk_without_printing_the_sign_ins():
    output = run_demo("--if-empty", "--tickets", "8")
    assert Ticket.objects.count() == 8
    assert "demo-admin-2026" not in output
    assert run_demo("--if-empty", "--tickets", "8") == ""
    assert Ticket.objects.count() == 8


def test_the_ticket_count_is_checked():
    with pytest.raises(CommandError, match="between"):
        run_demo("--tickets", "-1")


class _RolledBack(Exception):
    pass


def _load_and_describe(now, seed):
    """Load the demo, describe what it made, then undo it all."""
    description = None
    try:
        with transaction.atomic():
            load_demo(tickets=30, seed=seed, now=now)
            description = (
                list(
                    Ticket.objects.order_by("created_at", "subject").values_list(
                        "subject", "status", "language", "channel", "created_at", "solved_at",
                        "requester__primary_email", "assignee__email", "priority_id", "message_count",
                    )
                ),
                list(
                    Message.objects.order_by("created_at", "body_text").values_list(
                        "body_text", "is_public", "created_at", "author_kind"
                    )
                ),
                Counter(TicketEvent.objects.values_list("kind", flat=True)),
            )  # fmt: skip
            raise _RolledBack
    except _RolledBack:
        return description


def test_the_same_seed_builds_the_same_desk():
    now = timezone.now().replace(microsecond=0)
    first = _load_and_describe(now, seed=11)
    assert not Ticket.objects.exists()
    assert _load_and_describe(now, seed=11) == first
    assert _load_and_describe(now, seed=12)[0] != first[0]
