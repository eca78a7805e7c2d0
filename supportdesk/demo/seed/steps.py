"""Plain data passed between the generator's parts: the rows of a batch, per table, and the
steps a ticket's plan is made of (before they are placed in time)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from supportdesk.demo.seed.refs import StaffRef


@dataclass(slots=True)
class IdCounters:
    """The next id of each table the generator writes; it numbers rows itself, so nothing is
    read back from the database during the load."""

    ticket: int = 1
    message: int = 1
    event: int = 1
    attachment: int = 1
    ticket_tag: int = 1
    share: int = 1
    customer_email: int = 1


@dataclass
class Rows:
    """The rows of one batch of tickets, per table, in `columns.py` order."""

    customers: list[tuple[Any, ...]] = field(default_factory=list)
    customer_emails: list[tuple[Any, ...]] = field(default_factory=list)
    customer_documents: list[tuple[int, str]] = field(default_factory=list)
    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    ticket_tags: list[tuple[Any, ...]] = field(default_factory=list)
    shares: list[tuple[Any, ...]] = field(default_factory=list)
    messages: list[tuple[Any, ...]] = field(default_factory=list)
    attachments: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    ticket_documents: list[tuple[int, str]] = field(default_factory=list)


@dataclass(slots=True)
class MessageStep:
    author: StaffRef | None  # None: the requester
    public: bool
    text: str
    document: str  # normalized
    html: str = ""
    quote_of: str = ""  # the text this email reply quotes
    status: int | None = None  # the status an agent sets with the reply
    files: tuple[str, ...] = ()


@dataclass(slots=True)
class UpdateStep:
    actor: StaffRef | None  # None: the system (auto-close)
    changes: dict[str, Any]


@dataclass(slots=True)
class ShareStep:
    actor: StaffRef
    user: StaffRef


Step = MessageStep | UpdateStep | ShareStep
