"""The status transition table, checked exhaustively."""

import itertools

import pytest

from supportdesk.tickets.choices import UNSOLVED, Status
from supportdesk.tickets.transitions import (
    TRANSITIONS,
    can_transition,
    next_statuses,
    status_after_agent_reply,
    status_after_customer_reply,
)

ALL = list(Status)


def test_every_status_has_a_row():
    assert set(TRANSITIONS) == set(Status)


@pytest.mark.parametrize("status", ALL)
def test_staying_put_is_always_allowed(status):
    assert can_transition(status, status)
    assert can_transition(status, status, by_system=True)


def test_closed_is_final_for_people_and_system():
    for target in ALL:
        if target != Status.CLOSED:
            assert not can_transition(Status.CLOSED, target)
            assert not can_transition(Status.CLOSED, target, by_system=True)


def test_nothing_goes_back_to_new():
    for source in ALL:
        if source != Status.NEW:
            assert not can_transition(source, Status.NEW)
            assert not can_transition(source, Status.NEW, by_system=True)


def test_people_close_only_solved_tickets_system_closes_anything_open():
    for source in ALL:
        if source in (Status.SOLVED, Status.CLOSED):
            continue
        assert not can_transition(source, Status.CLOSED)
        assert can_transition(source, Status.CLOSED, by_system=True)
    assert can_transition(Status.SOLVED, Status.CLOSED)


def test_every_unsolved_status_can_be_solved_and_solved_reopens_to_open_only():
    for source in UNSOLVED:
        assert can_transition(source, Status.SOLVED)
    reopen_targets = {
        t for t in ALL if t not in (Status.SOLVED, Status.CLOSED) and can_transition(Status.SOLVED, t)
    }
    assert reopen_targets == {Status.OPEN}


def test_system_table_is_a_superset_of_the_people_table():
    for source, target in itertools.product(ALL, ALL):
        if can_transition(source, target):
            assert can_transition(source, target, by_system=True)


@pytest.mark.parametrize("status", ALL)
def test_next_statuses_lists_the_current_one_and_the_legal_targets(status):
    options = next_statuses(status)
    assert status in options
    assert all(can_transition(status, option) for option in options)
    assert options == sorted(options)


def test_customer_reply_wakes_waiting_and_solved_tickets():
    assert status_after_customer_reply(Status.PENDING) == Status.OPEN
    assert status_after_customer_reply(Status.ON_HOLD) == Status.OPEN
    assert status_after_customer_reply(Status.SOLVED) == Status.OPEN
    assert status_after_customer_reply(Status.NEW) == Status.NEW
    assert status_after_customer_reply(Status.OPEN) == Status.OPEN


def test_agent_reply_takes_new_to_open_and_leaves_the_rest():
    assert status_after_agent_reply(Status.NEW) == Status.OPEN
    for status in ALL:
        if status != Status.NEW:
            assert status_after_agent_reply(status) == status
