"""Template helpers for the portal pages."""

from __future__ import annotations

from django import template

from supportdesk.tickets.choices import status_slug as _status_slug

register = template.Library()


@register.filter
def status_slug(status: int) -> str:
    """The CSS suffix of a status badge (status-new, status-open, …)."""
    try:
        return _status_slug(int(status))
    except (TypeError, ValueError):
        return ""
