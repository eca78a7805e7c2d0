"""The hourly auto-close task. Tests run huey in immediate mode: a call runs the task at once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from supportdesk.tickets.choices import EventKind, Status
from supportdesk.tickets.models import Ticket, TicketEvent
from supportdesk.tickets.services import Actor, message_add
from supportdesk.tickets.tasks import close_solved_tickets

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(customer, agent, make_ticket):
    """Make a ticket that an agent solved `days` ago."""

    def make(days: float, subject: str = "Printer on fire") -> Ticket:
        ticket = make_ticket(customer, subject=subject)
        message_add(
            actor=Actor.staff(agent),
            ticket_id=ticket.pk,
            body="Fixed: the toner was upside down.",
            status=Status.SOLVED,
            created_at=timezone.now() - timedelta(days=days),
        )
        return Ticket.objects.get(pk=ticket.pk)

    return make


def run_task() -> int:
    """Run the task's body here and return its count (huey drops periodic tasks' results)."""
    return close_solved_tickets.call_local()


def test_closes_tickets_solved_longer_ago_than_the_limit_and_leaves_the_others(solved, customer, make_ticket):
    old, recent = solved(5, "Old"), solved(1, "Recent")
    still_open = make_ticket(customer, subject="Open")
    assert old.solved_at < timezone.now() - timedelta(days=4)

    assert run_task() == 1

    old.refresh_from_db()
    assert old.status == Status.CLOSED
    assert timezone.now() - old.closed_at < timedelta(minutes=1)
    assert Ticket.objects.get(pk=recent.pk).status == Status.SOLVED
    assert Ticket.objects.get(pk=still_open.pk).status == Status.NEW
    # The timeline says the system closed it.
    event = TicketEvent.objects.filter(ticket=old, kind=EventKind.STATUS).latest("id")
    assert (event.data["old"], event.data["new"]) == (Status.SOLVED, Status.CLOSED)
    assert event.actor is None and event.actor_customer is None
    assert event.actor_name == "System"


def test_running_it_again_changes_nothing(solved):
    ticket = solved(6)
    assert run_task() == 1
    events = TicketEvent.objects.filter(ticket=ticket).count()
    assert run_task() == 0
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_the_limit_comes_from_the_auto_close_setting(solved, settings):
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "AUTO_CLOSE_AFTER_DAYS": 10}
    five, eleven = solved(5), solved(11)
    assert run_task() == 1
    assert Ticket.objects.get(pk=five.pk).status == Status.SOLVED
    assert Ticket.objects.get(pk=eleven.pk).status == Status.CLOSED


def test_a_ticket_reopened_by_the_customer_is_not_closed(solved, customer):
    ticket = solved(7)
    message_add(actor=Actor.of_customer(customer), ticket_id=ticket.pk, body="It caught fire again.")
    assert run_task() == 0
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


def test_two_workers_never_run_it_at_once(solved):
    ticket = solved(5)
    with HUEY.lock_task("tickets-close-solved"):
        close_solved_tickets()  # another consumer holds the lock: this run is skipped
    assert Ticket.objects.get(pk=ticket.pk).status == Status.SOLVED
    assert run_task() == 1


def test_it_is_scheduled_hourly_on_the_hour():
    task = close_solved_tickets.s()
    assert task.validate_datetime(datetime(2026, 1, 1, 5, 0))
    assert not task.validate_datetime(datetime(2026, 1, 1, 5, 30))
    due = {t.name for t in HUEY.read_periodic(datetime(2026, 1, 1, 17, 0))}
    assert task.name in due
