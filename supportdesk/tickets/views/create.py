"""A new ticket opened by an agent on a customer's behalf (a phone call, a chat, a visit)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from supportdesk.core.decorators import agent_required
from supportdesk.core.errors import DomainError, ValidationFailed
from supportdesk.core.forms import apply_domain_error
from supportdesk.core.types import Person
from supportdesk.customers import selectors as customer_selectors
from supportdesk.customers.models import Customer
from supportdesk.customers.selectors import customer_for_phone
from supportdesk.customers.services import customer_create, customer_for_email
from supportdesk.tickets.forms import NewTicketForm
from supportdesk.tickets.services import Actor, ticket_create
from supportdesk.tickets.views.common import HtmxHttpRequest, active_custom_fields, load_choices

LOOKUP_LIMIT = 10
PREFILLED = {
    "requester_name",
    "requester_email",
    "requester_phone",
    "channel",
    "subject",
    "body",
    "priority",
    "ticket_type",
    "category",
    "group",
    "assignee",
    "tags",
}
# Where a customer service's errors land on this form.
CUSTOMER_FIELDS = {"emails": "requester_email", "phones": "requester_phone", "name": "requester_name"}


class _CustomerInputError(Exception):
    def __init__(self, error: DomainError):
        self.error = error


def _lookup(query: str) -> list[Customer]:
    query = query.strip()[:100]
    if not query:
        return []
    return list(customer_selectors.customer_list(query=query).order_by("name", "id")[:LOOKUP_LIMIT])


def _requester(form: NewTicketForm, request: HtmxHttpRequest) -> Customer:
    """The chosen customer, or the one with this email or phone, or a new one."""
    data = form.cleaned_data
    if data.get("requester_id"):
        customer = customer_selectors.customer_list().filter(pk=data["requester_id"]).first()
        if customer is None:
            raise _CustomerInputError(ValidationFailed(_("This customer does not exist.")))
        return customer
    email, phone, name = data.get("requester_email"), data.get("requester_phone"), data.get("requester_name")
    existing = customer_for_email(email) if email else (customer_for_phone(phone) if phone else None)
    if existing is not None:
        return existing
    try:
        return customer_create(
            actor=cast("Person", request.user),
            name=name or "",
            emails=[email] if email else [],
            phones=[phone] if phone else [],
        )
    except DomainError as error:
        raise _CustomerInputError(error) from None


def _apply_customer_error(form: NewTicketForm, error: DomainError) -> None:
    for key, message in error.details.items():
        field = CUSTOMER_FIELDS.get(key)
        if field and isinstance(message, str) and message not in {"required", "too_many"}:
            form.add_error(field, message)
            return
    form.add_error(None, error.message)


@agent_required
@require_http_methods(["GET", "POST"])
def ticket_new(request: HtmxHttpRequest) -> HttpResponse:
    """The new-ticket form; on success the ticket page. The customer and the ticket are made in
    one transaction, so a rejected ticket leaves no stray customer behind."""
    choices, custom_fields = load_choices(), active_custom_fields()
    if request.method == "POST":
        form = NewTicketForm(request.POST, request.FILES, choices=choices, custom_fields=custom_fields)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    requester = _requester(form, request)
                    ticket = ticket_create(
                        actor=Actor.staff(request.user),
                        requester=requester,
                        subject=data["subject"],
                        body=data["body"],
                        channel=data["channel"],
                        priority=data["priority"],
                        ticket_type=data["ticket_type"],
                        category_id=data["category"],
                        group_id=data["group"],
                        assignee_id=data["assignee"],
                        tags=data["tags"],
                        custom_fields=form.custom_values(),
                        attachments=data["attachments"],
                    )
            except _CustomerInputError as problem:
                _apply_customer_error(form, problem.error)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Ticket #%(id)s was created.") % {"id": ticket.pk})
                return redirect(reverse("tickets:detail", args=[ticket.pk]))
    else:
        # Prefilled from the query string: a link from a customer's page (?requester=<id>), or
        # the form itself sent back by its search button when JavaScript is off.
        initial: dict[str, object] = {k: v for k, v in request.GET.items() if k in PREFILLED}
        chosen = request.GET.get("requester") or request.GET.get("requester_id") or ""
        if chosen.isdigit() and len(chosen) < 19:
            initial["requester_id"] = int(chosen)
        form = NewTicketForm(choices=choices, custom_fields=custom_fields, initial=initial)

    chosen_id = form["requester_id"].value()
    chosen_customer = None
    if chosen_id and str(chosen_id).isdigit() and len(str(chosen_id)) < 19:
        chosen_customer = customer_selectors.customer_list().filter(pk=int(chosen_id)).first()
    query = request.GET.get("q", "")
    return render(
        request,
        "tickets/new.html",
        {
            "section": "tickets",
            "form": form,
            "chosen_customer": chosen_customer,
            "query": query,
            "results": _lookup(query),
            "searched": bool(query.strip()),
        },
    )


@agent_required
@require_GET
def requester_lookup(request: HtmxHttpRequest) -> HttpResponse:
    """Up to ten customers matching `q` by name, email or phone, as choices for the form."""
    query = request.GET.get("q", "")
    return render(
        request,
        "tickets/new.html#requester-results",
        {"results": _lookup(query), "searched": bool(query.strip()), "query": query},
    )
