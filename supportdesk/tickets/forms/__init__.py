"""Forms of the agent desk: inbox filters, bulk actions, the ticket page and new tickets.

Forms parse and shape input; the rules (transitions, tag syntax, custom field types, upload
limits) live in the services, whose errors the views put back on these forms. Choices that come
from the database (agents, groups, categories, priorities) are read once by the view and handed
to every form on the page as one DeskChoices.
"""

from supportdesk.tickets.forms.base import DeskChoices
from supportdesk.tickets.forms.inbox import BulkActionForm, InboxFilterForm
from supportdesk.tickets.forms.ticket import MergeForm, NewTicketForm, ReplyForm, ShareForm, TicketFieldsForm

__all__ = [
    "BulkActionForm",
    "DeskChoices",
    "InboxFilterForm",
    "MergeForm",
    "NewTicketForm",
    "ReplyForm",
    "ShareForm",
    "TicketFieldsForm",
]
