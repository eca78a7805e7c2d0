"""The only writers of tickets, messages, attachments and the ticket taxonomy.

Every public service is keyword-only, atomic, locks the rows it changes, writes the ticket's
timeline in the same transaction, and publishes domain events after commit.
"""

from supportdesk.tickets.services.actors import Actor
from supportdesk.tickets.services.attachments import FileData
from supportdesk.tickets.services.merge import ticket_merge
from supportdesk.tickets.services.messages import message_add
from supportdesk.tickets.services.tickets import (
    UNSET,
    ticket_add_followers,
    ticket_create,
    ticket_share,
    ticket_unshare,
    ticket_update,
    tickets_bulk_update,
    tickets_close_solved,
)

__all__ = [
    "UNSET",
    "Actor",
    "FileData",
    "message_add",
    "ticket_add_followers",
    "ticket_create",
    "ticket_merge",
    "ticket_share",
    "ticket_unshare",
    "ticket_update",
    "tickets_bulk_update",
    "tickets_close_solved",
]
