"""The legal status transitions: one table, no ORM (pure).

People and programs move tickets along these edges only. "Closed" is final: it is reached
from "solved" (by the auto-close task or an agent), or from any status when a ticket is merged
into another. A reply to a closed ticket opens a follow-up ticket instead of reopening it.
"""

from __future__ import annotations

from supportdesk.tickets.choices import Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# Transitions only the system makes: merging closes the merged ticket whatever its status.
SYSTEM_TRANSITIONS: dict[Status, frozenset[Status]] = {
    status: TRANSITIONS[status] | ({Status.CLOSED} if status != Status.CLOSED else set()) for status in Status
}


def can_transition(current: int, target: int, *, by_system: bool = False) -> bool:
    """Whether a ticket in `current` may move to `target`. Staying put is always allowed."""
    if current == target:
        return True
    table = SYSTEM_TRANSITIONS if by_system else TRANSITIONS
    return Status(target) in table[Status(current)]


def next_statuses(current: int) -> list[Status]:
    """The statuses a person may choose for a ticket in `current`, in display order."""
    return sorted(TRANSITIONS[Status(current)] | {Status(current)})


def status_after_customer_reply(current: int) -> Status:
    """A customer's reply wakes a ticket that waits for them or was solved."""
    if current in (Status.PENDING, Status.SOLVED, Status.ON_HOLD):
        return Status.OPEN
    return Status(current)


def status_after_agent_reply(current: int) -> Status:
    """An agent's first public reply takes a new ticket out of "new"."""
    return Status.OPEN if current == Status.NEW else Status(current)
