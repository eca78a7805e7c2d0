"""Views of the agent desk (mounted under /desk/): inbox, ticket page, new ticket, fragments."""

from supportdesk.tickets.views.create import requester_lookup, ticket_new
from supportdesk.tickets.views.fragments import customer_tickets, organization_tickets
from supportdesk.tickets.views.inbox import bulk_update, inbox, view_counts
from supportdesk.tickets.views.ticket import (
    ticket_detail,
    ticket_merge_view,
    ticket_reply,
    ticket_share_view,
    ticket_unshare_view,
    ticket_update,
)

__all__ = [
    "bulk_update",
    "customer_tickets",
    "inbox",
    "organization_tickets",
    "requester_lookup",
    "ticket_detail",
    "ticket_merge_view",
    "ticket_new",
    "ticket_reply",
    "ticket_share_view",
    "ticket_unshare_view",
    "ticket_update",
    "view_counts",
]
