"""HTML fragments that other desk pages load with hx-get: a customer's or an organization's
latest tickets, limited to what the viewer may see."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from supportdesk.core.decorators import agent_required
from supportdesk.customers import selectors as customer_selectors
from supportdesk.tickets import selectors
from supportdesk.tickets.views.common import HtmxHttpRequest

FRAGMENT_SIZE = 25


def _render(request: HtmxHttpRequest, filters: selectors.TicketFilters, inbox_query: str) -> HttpResponse:
    page = selectors.ticket_list(request.user, filters=filters, sort="created", size=FRAGMENT_SIZE)
    return render(
        request,
        "tickets/fragments/related_tickets.html",
        {"page": page, "inbox_url": f"{reverse('tickets:view', args=['all'])}?{inbox_query}"},
    )


@agent_required
@require_GET
def customer_tickets(request: HtmxHttpRequest, customer_id: int) -> HttpResponse:
    """The customer's newest tickets that the viewer may see (at most 25)."""
    if not customer_selectors.customer_list().filter(pk=customer_id).exists():
        raise Http404
    return _render(request, selectors.TicketFilters(requester_id=customer_id), f"requester={customer_id}")


@agent_required
@require_GET
def organization_tickets(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """The organization's newest tickets that the viewer may see (at most 25)."""
    if not customer_selectors.organization_list().filter(pk=organization_id).exists():
        raise Http404
    return _render(
        request, selectors.TicketFilters(organization_id=organization_id), f"organization={organization_id}"
    )
