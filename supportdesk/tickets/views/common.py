"""Helpers shared by the desk views: request typing, choice lists, lookups that 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from supportdesk.accounts import selectors as account_selectors
from supportdesk.accounts.models import Group, User
from supportdesk.core.errors import NotFound
from supportdesk.tickets import selectors
from supportdesk.tickets.forms import DeskChoices
from supportdesk.tickets.models import Category, CustomField, Priority, StatusLabel, Ticket


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (for type checkers)."""

    htmx: HtmxDetails
    user: User


def load_choices() -> DeskChoices:
    """The options of the desk's select boxes: one query per list, shared by a page's forms."""
    return DeskChoices(
        # Only what an option shows: a desk with hundreds of agents lists them all.
        agents=list(account_selectors.assignable_agents().only("id", "name", "email")),
        groups=list(Group.objects.order_by("name")),
        categories=list(Category.objects.filter(is_active=True).order_by("position", "name", "id")),
        priorities=list(Priority.objects.order_by("-rank")),
    )


def active_status_labels() -> list[StatusLabel]:
    return list(StatusLabel.objects.filter(is_active=True).order_by("status", "position", "name"))


def active_custom_fields() -> list[CustomField]:
    return list(CustomField.objects.filter(is_active=True).order_by("position", "id"))


def ticket_or_404(user: User, ticket_id: int) -> Ticket:
    """The ticket if `user` may see it; a ticket they may not see does not exist for them."""
    try:
        return selectors.ticket_for_staff(user, ticket_id)
    except NotFound:
        raise Http404 from None


def safe_next(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    """`candidate` if it is a path on this site (never an open redirect), else `fallback`."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback
