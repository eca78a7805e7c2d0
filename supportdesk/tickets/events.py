"""Domain events the tickets app publishes (after commit). Higher layers subscribe to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TicketCreated:
    ticket_id: int
    channel: str
    # Who opened it (None: the customer, or the system) and who it went to: subscribers decide
    # from these whether there is anything to do without reading the ticket again.
    created_by_id: int | None
    assignee_id: int | None


@dataclass(frozen=True)
class TicketUpdated:
    ticket_id: int
    actor_id: int | None
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketStatusChanged:
    ticket_id: int
    old_status: int
    new_status: int


@dataclass(frozen=True)
class TicketAssigned:
    ticket_id: int
    assignee_id: int | None
    previous_assignee_id: int | None


@dataclass(frozen=True)
class MessageAdded:
    ticket_id: int
    message_id: int
    is_public: bool
    author_kind: str
    # The ticket's first message (announced by TicketCreated too), and the ticket's assignee
    # when the message was written: subscribers skip work without reading the ticket again.
    is_opening: bool = False
    assignee_id: int | None = None


@dataclass(frozen=True)
class TicketMerged:
    source_id: int
    target_id: int
