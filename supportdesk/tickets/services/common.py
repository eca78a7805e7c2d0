"""Helpers shared by the ticket services: validation of references, timeline writing, indexing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.core.batch import batch_cached
from supportdesk.core.errors import ValidationFailed
from supportdesk.core.inserts import insert
from supportdesk.core.search import SearchIndex
from supportdesk.core.text import contains_markup, multi_line, single_line
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.fields import FieldErrors, FieldSpec, clean_values
from supportdesk.tickets.models import Category, CustomField, Priority, Ticket, TicketEvent
from supportdesk.tickets.services.actors import Actor
from supportdesk.tickets.services.reference import reference_cached

# Newest matches first, walking the index by id where many recent tickets match (see SearchIndex).
ticket_search_index = SearchIndex("tickets_search", newest_first=True)

MAX_SUBJECT = 250
MAX_BODY = 100_000

T = TypeVar("T")


def taxonomy_default(key: str | tuple[str, Any], load: Callable[[], T]) -> T:
    """A taxonomy default new tickets use (fallback category, default group, custom fields,
    default status label, default priority): read once per process until the reference tables
    change (services.reference), and at most once per batch inside `core.batch.batch_scope`
    (a bulk import), whatever happens to the process cache meanwhile."""
    full_key = ("tickets.taxonomy", key)
    return batch_cached(full_key, lambda: reference_cached(full_key, load))


def clean_subject(raw: str) -> str:
    subject = single_line(raw)
    if not subject:
        raise ValidationFailed(_("A subject is required."), details={"subject": _("A subject is required.")})
    if len(subject) > MAX_SUBJECT:
        message = _("The subject can have at most %(n)d characters.") % {"n": MAX_SUBJECT}
        raise ValidationFailed(message, details={"subject": message})
    if contains_markup(subject):
        message = _("The subject cannot contain HTML tags or scripts.")
        raise ValidationFailed(message, details={"subject": message})
    return subject


def clean_body(raw: str) -> str:
    body = multi_line(raw)
    if not body.strip():
        raise ValidationFailed(
            _("The message cannot be empty."), details={"body": _("The message cannot be empty.")}
        )
    if len(body) > MAX_BODY:
        message = _("The message can have at most %(n)d characters.") % {"n": MAX_BODY}
        raise ValidationFailed(message, details={"body": message})
    return body


def field_specs(*, for_customer: bool = False) -> list[FieldSpec]:
    return list(taxonomy_default(("field_specs", for_customer), lambda: _field_specs(for_customer)))


def _field_specs(for_customer: bool) -> tuple[FieldSpec, ...]:
    fields = CustomField.objects.filter(is_active=True)
    if for_customer:
        fields = fields.filter(visible_to_customers=True, editable_by_customers=True)
    return tuple(
        FieldSpec(
            key=f.key, field_type=f.field_type, label=f.name, required=f.required, options=tuple(f.options)
        )
        for f in fields
    )


def clean_custom_fields(
    submitted: dict[str, Any], *, current: dict[str, Any], for_customer: bool, enforce_required: bool
) -> dict[str, Any]:
    try:
        return clean_values(
            field_specs(for_customer=for_customer),
            submitted,
            current=current,
            enforce_required=enforce_required,
        )
    except FieldErrors as error:
        raise ValidationFailed(
            _("Some custom fields are not valid."),
            details={f"custom_fields.{k}": v for k, v in error.errors.items()},
        ) from None


def get_priority(rank: int | None) -> Priority:
    if rank is None:
        default = taxonomy_default(
            "priority",
            lambda: (
                Priority.objects.filter(is_default=True).first() or Priority.objects.order_by("rank").first()
            ),
        )
        if default is None:
            raise ValidationFailed(_("No priorities are configured."), code="no_priorities")
        return default
    try:
        key = int(rank)
    except (TypeError, ValueError):
        key = None
    priority = taxonomy_default("priorities", _priorities_by_rank).get(key) if key is not None else None
    if priority is None:
        raise ValidationFailed(_("Unknown priority."), details={"priority": _("Unknown priority.")})
    return priority


def _priorities_by_rank() -> dict[int, Priority]:
    return {p.rank: p for p in Priority.objects.all()}


def get_category(category_id: int | None, *, use_fallback: bool) -> Category | None:
    if category_id is None:
        if not use_fallback:
            return None
        # With its default group: the cached object is shared, so nothing is loaded onto it later.
        return taxonomy_default(
            "category",
            lambda: Category.objects.select_related("default_group").filter(is_fallback=True).first(),
        )
    category = Category.objects.filter(pk=category_id, is_active=True).first()
    if category is None:
        raise ValidationFailed(_("Unknown category."), details={"category": _("Unknown category.")})
    return category


def get_assignable(user_id: int) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.is_agent:
        raise ValidationFailed(
            _("Tickets can only be assigned to active agents."),
            details={"assignee": _("Not an active agent.")},
        )
    return user


def person(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def named(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": getattr(obj, "name", str(obj))} if obj is not None else None


def record(
    ticket: Ticket, actor: Actor, kind: EventKind, /, at: datetime | None = None, **data: Any
) -> TicketEvent:
    """Append one timeline entry; `at` back-dates it (imports, demo data), default now."""
    event = TicketEvent(
        ticket=ticket, kind=kind, data=data, created_at=at or timezone.now(), **actor.event_fields()
    )
    insert(event)
    return event


def index_ticket_text(ticket: Ticket, *parts: str) -> None:
    ticket_search_index.append(ticket.pk, " ".join(p for p in parts if p))


def index_new_ticket(ticket: Ticket, *parts: str) -> None:
    """Write a new ticket's whole document at once (one write instead of one per part)."""
    ticket_search_index.replace(ticket.pk, " ".join(p for p in parts if p))
