"""Helpers shared by the desk views: request typing, choice lists, lookups that 404.

The desk's reference lists (staff, groups, categories, priorities, status labels, custom fields)
come from tickets.services.reference's per-process cache: model instances shared between requests,
to be read and never changed."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django_htmx.middleware import HtmxDetails

from supportdesk.accounts import selectors as account_selectors
from supportdesk.accounts.choices import ASSIGNABLE_ROLES
from supportdesk.accounts.models import Group, User
from supportdesk.core.errors import NotFound
from supportdesk.tickets import selectors
from supportdesk.tickets.forms import DeskChoices
from supportdesk.tickets.models import Category, CustomField, Priority, StatusLabel, Ticket
from supportdesk.tickets.services.reference import reference_cached


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (for type checkers)."""

    htmx: HtmxDetails
    user: User


def active_staff() -> list[User]:
    """Every active staff member (agents, managers, administrators, collaborators) by name:
    the assignee boxes and the share box. Only what an option shows is read: a desk with
    hundreds of agents lists them all on every inbox and ticket page."""
    return reference_cached(
        "desk.active_staff",
        lambda: list(account_selectors.active_staff().only("id", "name", "email", "role")),
    )


def load_choices() -> DeskChoices:
    """The options of the desk's select boxes, shared by a page's forms, from the per-process
    cache: the staff who can own tickets and the small reference tables. One per language, kept
    with the lists, so the options it makes of them outlive the request (DeskChoices.options)."""
    return reference_cached(("desk.choices", get_language()), _desk_choices)


def _desk_choices() -> DeskChoices:
    return DeskChoices(
        agents=[person for person in active_staff() if person.role in ASSIGNABLE_ROLES],
        groups=reference_cached("desk.groups", lambda: list(Group.objects.order_by("name"))),
        categories=reference_cached(
            "desk.active_categories",
            lambda: list(Category.objects.filter(is_active=True).order_by("position", "name", "id")),
        ),
        priorities=reference_cached("desk.priorities", lambda: list(Priority.objects.order_by("-rank"))),
        status_labels=active_status_labels(),
    )


def active_status_labels() -> list[StatusLabel]:
    return reference_cached(
        "desk.active_status_labels",
        lambda: list(StatusLabel.objects.filter(is_active=True).order_by("status", "position", "name")),
    )


def active_custom_fields() -> list[CustomField]:
    return reference_cached(
        "desk.active_custom_fields",
        lambda: list(CustomField.objects.filter(is_active=True).order_by("position", "id")),
    )


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
