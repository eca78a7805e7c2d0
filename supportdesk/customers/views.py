"""Customer and organization pages of the agent interface.

Thin function views: parse a form, read through the selectors, write through the services, and
POST/redirect/GET. The lists answer HTMX requests with only their results table, so search works
as the agent types; every page also works without JavaScript.

This app sits below `tickets`, so it never imports it: the customer and organization pages load
their ticket lists from the tickets app with `hx-get`, with a plain link to the inbox as fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from supportdesk.core.decorators import agent_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error
from supportdesk.core.pagination import Page, SortKey, paginate
from supportdesk.core.types import Person
from supportdesk.customers import selectors, services
from supportdesk.customers.forms import (
    CustomerFilterForm,
    CustomerForm,
    OrganizationFilterForm,
    OrganizationForm,
)
from supportdesk.customers.models import Customer
from supportdesk.customers.phones import format_phone

M = TypeVar("M", bound=Model)

PAGE_SIZE = 25
# The organization page lists this many members; the customers list (filtered) has them all.
MEMBERS_SHOWN = 50
BY_NAME = (SortKey("name", descending=False), SortKey("id", descending=False))

# Which form field a service error without field details belongs to, by its stable code.

# Text that looks like a phone number: digits with the usual separators, at least six digits.


# -- helpers -------------------------------------------------------------------------------------


def _or_404(read: Callable[[int], M], object_id: int) -> M:
    try:
        return read(object_id)
    except ObjectDoesNotExist:
        raise Http404 from None


def _actor(request: HttpRequest) -> Person:
    # The views are behind agent_required, so the user is a signed-in agent.
    return cast(Person, request.user)


def _is_partial(request: HttpRequest) -> bool:
    """An HTMX request for the results only (a history restore needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request


def _list_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    name = f"{template}#results" if _is_partial(request) else template
    response = render(request, name, context)
    # The same URL answers with a page or a fragment; caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _page(queryset: QuerySet[M], keys: Sequence[SortKey], cursor: str) -> tuple[Page[M], str]:
    """One page after `cursor`; a damaged cursor gives the first page and an explanation."""
    try:
        return paginate(queryset, keys, cursor or None, PAGE_SIZE), ""
    except DomainError as error:
        return paginate(queryset, keys, None, PAGE_SIZE), error.message


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    first_phone: str
    more_phones: int


def _customer_rows(customers: list[Customer]) -> list[CustomerRow]:
    prefetch_related_objects(customers, "phones")
    rows = []
    for customer in customers:
        phones = list(customer.phones.all())
        first = format_phone(phones[0].number) if phones else ""
        rows.append(CustomerRow(customer=customer, first_phone=first, more_phones=max(len(phones) - 1, 0)))
    return rows


# -- customers -----------------------------------------------------------------------------------


@agent_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    """Customers by name, searchable by name, email or phone and filtered by organization."""
    form = CustomerFilterForm(request.GET)
    query, organization = "", None
    if form.is_valid():
        query, organization = form.cleaned_data["q"], form.cleaned_data["organization"]
    customers = selectors.customer_list(
        query=query, organization_id=organization.pk if organization else None
    )
    page, page_error = _page(customers, BY_NAME, request.GET.get("cursor", ""))
    context = {
        "section": "customers",
        "form": form,
        "page": page,
        "rows": _customer_rows(page.items),
        "page_error": page_error,
        "searching": bool(query or organization),
        "is_first_page": not request.GET.get("cursor") or bool(page_error),
    }
    return _list_response(request, "customers/customer_list.html", context)


@agent_required
@require_GET
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _or_404(selectors.customer_detail, customer_id)
    context = {
        "section": "customers",
        "customer": customer,
        "emails": list(customer.emails.all()),
        "phones": [format_phone(row.number) for row in customer.phones.all()],
        "language_name": dict(settings.LANGUAGES).get(customer.language, customer.language),
    }
    return render(request, "customers/customer_detail.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def customer_new(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(actor=_actor(request), **form.service_arguments())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Customer created."))
            return redirect("customers:detail", customer.pk)
    return render(request, "customers/customer_form.html", {"section": "customers", "form": form})


@agent_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _or_404(selectors.customer_detail, customer_id)
    form = CustomerForm(request.POST or None, initial=CustomerForm.initial_for(customer))
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(actor=_actor(request), customer=customer, **form.service_arguments())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("customers:detail", customer.pk)
    context = {"section": "customers", "form": form, "customer": customer}
    return render(request, "customers/customer_form.html", context)


# -- organizations -------------------------------------------------------------------------------


@agent_required
@require_GET
def organization_list(request: HttpRequest) -> HttpResponse:
    """Organizations by name with their domains and member counts, searchable by name."""
    form = OrganizationFilterForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    organizations = selectors.organization_list(query=query)
    page, page_error = _page(organizations, BY_NAME, request.GET.get("cursor", ""))
    context = {
        "section": "organizations",
        "form": form,
        "page": page,
        "page_error": page_error,
        "searching": bool(query),
        "is_first_page": not request.GET.get("cursor") or bool(page_error),
    }
    return _list_response(request, "customers/organization_list.html", context)


@agent_required
@require_GET
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = _or_404(selectors.organization_detail, organization_id)
    members = list(
        selectors.customer_list(organization_id=organization.pk).order_by("name", "id")[: MEMBERS_SHOWN + 1]
    )
    context = {
        "section": "organizations",
        "organization": organization,
        "members": members[:MEMBERS_SHOWN],
        "more_members": len(members) > MEMBERS_SHOWN,
    }
    return render(request, "customers/organization_detail.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def organization_new(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_save(actor=_actor(request), **form.service_arguments())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Organization created."))
            return redirect("customers:organization_detail", organization.pk)
    context = {"section": "organizations", "form": form}
    return render(request, "customers/organization_form.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = _or_404(selectors.organization_detail, organization_id)
    form = OrganizationForm(request.POST or None, initial=OrganizationForm.initial_for(organization))
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_save(
                actor=_actor(request), organization=organization, **form.service_arguments()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Organization saved."))
            return redirect("customers:organization_detail", organization.pk)
    context = {"section": "organizations", "form": form, "organization": organization}
    return render(request, "customers/organization_form.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def organization_delete(request: HttpRequest, organization_id: int) -> HttpResponse:
    """Confirm (GET), then delete (POST). Members and tickets stay, without an organization."""
    organization = _or_404(selectors.organization_detail, organization_id)
    if request.method == "POST":
        try:
            services.organization_delete(actor=_actor(request), organization=organization)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("customers:organization_detail", organization.pk)
        messages.success(
            request, _("Organization “%(name)s” deleted. Its customers stay.") % {"name": organization.name}
        )
        return redirect("customers:organizations")
    context = {"section": "organizations", "organization": organization}
    return render(request, "customers/organization_delete.html", context)
