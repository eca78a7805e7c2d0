"""The tables the bench load writes directly, and their columns in the order the rows are built.

The load bypasses the models' save(), so it must know every column. `check_columns` compares
these lists with the models at the start of a load: a field added to one of these models later
stops the load with a clear message instead of failing half-way on a NOT NULL column (or,
worse, leaving it empty where the product expects a value).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from supportdesk.customers.models import Customer, CustomerEmail
from supportdesk.tickets.models import Attachment, Message, Ticket, TicketEvent, TicketShare, TicketTag


@dataclass(frozen=True)
class Table:
    key: str  # the name of the Rows list that holds its rows
    model: type[models.Model]
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return str(self.model._meta.db_table)


TABLES: tuple[Table, ...] = (
    Table(
        "customers",
        Customer,
        (
            "id",
            "name",
            "primary_email",
            "organization_id",
            "user_id",
            "language",
            "time_zone",
            "notes",
            "created_at",
            "updated_at",
        ),
    ),
    Table("customer_emails", CustomerEmail, ("id", "customer_id", "email", "is_primary", "created_at")),
    Table(
        "tickets",
        Ticket,
        (
            "id",
            "subject",
            "status",
            "status_label_id",
            "priority_id",
            "ticket_type",
            "category_id",
            "channel",
            "language",
            "requester_id",
            "organization_id",
            "assignee_id",
            "group_id",
            "created_by_id",
            "merged_into_id",
            "follow_up_of_id",
            "custom_fields",
            "created_at",
            "updated_at",
            "status_changed_at",
            "first_response_at",
            "last_customer_message_at",
            "last_agent_message_at",
            "assigned_at",
            "solved_at",
            "closed_at",
            "reopen_count",
            "message_count",
        ),
    ),
    Table("ticket_tags", TicketTag, ("id", "ticket_id", "tag_id")),
    Table("shares", TicketShare, ("id", "ticket_id", "user_id", "shared_by_id", "created_at")),
    Table(
        "messages",
        Message,
        (
            "id",
            "ticket_id",
            "is_public",
            "author_kind",
            "author_user_id",
            "author_customer_id",
            "channel",
            "body_text",
            "body_html",
            "quoted_text",
            "language",
            "created_at",
        ),
    ),
    Table(
        "attachments",
        Attachment,
        (
            "id",
            "ticket_id",
            "message_id",
            "token",
            "file",
            "filename",
            "content_type",
            "size",
            "sha256",
            "content_id",
            "is_inline",
            "created_at",
        ),
    ),
    Table(
        "events",
        TicketEvent,
        ("id", "ticket_id", "kind", "actor_id", "actor_customer_id", "data", "created_at"),
    ),
)
# The search side tables (not models): a document per ticket and per customer.
TICKET_SEARCH = "tickets_search"
CUSTOMER_SEARCH = "customers_search"


class UnknownColumns(Exception):
    """A model has columns the bench load does not fill (or lost some it does)."""


def check_columns() -> None:
    for table in TABLES:
        actual = {str(field.column) for field in table.model._meta.concrete_fields}
        expected = set(table.columns)
        if actual != expected:
            missing, extra = sorted(actual - expected), sorted(expected - actual)
            raise UnknownColumns(f"{table.name}: not filled {missing}, unknown {extra}")
