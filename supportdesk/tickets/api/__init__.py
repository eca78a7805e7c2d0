"""REST API routers of the tickets app (wired into the API in supportdesk.api.api).

A package rather than one api.py because tickets, their conversation and the taxonomy are
each a sizeable module: tickets.py, messages.py, taxonomy.py; schemas.py and serializers.py
are shared by them.
"""

from supportdesk.tickets.api.messages import messages_router
from supportdesk.tickets.api.taxonomy import (
    categories_router,
    custom_fields_router,
    priorities_router,
    status_labels_router,
    tags_router,
)
from supportdesk.tickets.api.tickets import tickets_router

__all__ = [
    "categories_router",
    "custom_fields_router",
    "messages_router",
    "priorities_router",
    "status_labels_router",
    "tags_router",
    "tickets_router",
]
