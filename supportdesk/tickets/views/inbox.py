"""The inbox: standard views with live counts, the filter bar, the ticket table, bulk actions."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url

from supportdesk.core.decorators import agent_required, staff_required
from supportdesk.core.errors import DomainError, NotFound
from supportdesk.customers import selectors as customer_selectors
from supportdesk.tickets import selectors
from supportdesk.tickets.forms import BulkActionForm, InboxFilterForm
from supportdesk.tickets.inbox_table import ticket_rows_html
from supportdesk.tickets.services import Actor, tickets_bulk_update
from supportdesk.tickets.views.common import HtmxHttpRequest, load_choices, safe_next

logger = logging.getLogger(__name__)

DEFAULT_VIEW = "open"
# Per-ticket errors shown after a bulk action; beyond this a summary line says how many more.
MAX_BULK_ERRORS_SHOWN = 20


def _view_or_404(request: HtmxHttpRequest, slug: str | None) -> selectors.StandardView:
    views = selectors.views_for(request.user)
    if slug is None:
        # A predictable default: the team's open queue where it exists (agents), else the only
        # view there is (collaborators: what was shared with them).
        return next((v for v in views if v.slug == DEFAULT_VIEW), views[0])
    try:
        return selectors.view_by_slug(request.user, slug)
    except NotFound:
        raise Http404 from None


def _clean_url(request: HtmxHttpRequest) -> str:
    """The current list's URL without empty parameters: what the browser history and the
    bulk form's way back get, instead of a dozen "&tag=&channel=" left by the filter form."""
    pairs = [(key, value) for key, values in request.GET.lists() for value in values if value.strip()]
    return f"{request.path}?{urlencode(pairs)}" if pairs else request.path


def _sidebar_context(request: HtmxHttpRequest, current: str, *, counted: bool) -> dict[str, object]:
    """The sidebar of standard views. The inbox page leaves the counts out (`counted` False):
    on a large desk counting costs more than the whole page, so the sidebar fetches them as
    soon as it is shown, and every 30 s after."""
    return {
        "views": selectors.views_for(request.user),
        "counts": selectors.view_counts(request.user) if counted else None,
        "current_view": current,
    }


@staff_required
@require_GET
def inbox(request: HtmxHttpRequest, slug: str | None = None) -> HttpResponse:
    """A standard view narrowed by the filter bar, one keyset page at a time. An HTMX request
    aimed at the list gets only the list; "#123" in the search box opens that ticket."""
    user = request.user
    view = _view_or_404(request, slug)
    choices = load_choices()
    form = InboxFilterForm(request.GET, choices=choices)
    form.is_valid()  # invalid filters are shown with their errors and left out of the query
    number = form.ticket_number()
    if number is not None and selectors.visible_tickets(user).filter(pk=number).exists():
        url = reverse("tickets:detail", args=[number])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)

    filters, cursor = form.to_filters(), request.GET.get("cursor") or None
    status, page_error = 200, ""
    try:
        page = selectors.ticket_rows(user, view=view, filters=filters, sort=form.sort_key(), cursor=cursor)
    except DomainError as error:
        if cursor is None:
            raise
        status, page_error = 400, _("The page cursor is not valid.")
        logger.info("rejected inbox cursor: %s", type(error).__name__)
        page = selectors.ticket_rows(user, view=view, filters=filters, sort=form.sort_key())

    requester_id, organization_id = form.value_of("requester"), form.value_of("organization")
    context = {
        "rows": ticket_rows_html(page.items, selectable=user.is_agent),
        "section": "tickets",
        "view": view,
        "form": form,
        "page": page,
        "page_error": page_error,
        "is_first_page": not request.GET.get("cursor") or bool(page_error),
        "bulk_form": BulkActionForm(choices=choices, initial={"next": _clean_url(request)})
        if user.is_agent
        else None,
        "requester": customer_selectors.customer_list().filter(pk=requester_id).first()
        if requester_id
        else None,
        "organization": customer_selectors.organization_list().filter(pk=organization_id).first()
        if organization_id
        else None,
    }
    if request.htmx and request.htmx.target == "ticket-list":
        response = render(request, "tickets/inbox.html#ticket-list", context, status=status)
        return push_url(response, _clean_url(request))
    context.update(_sidebar_context(request, view.slug, counted=False))
    return render(request, "tickets/inbox.html", context, status=status)


@staff_required
@require_GET
def view_counts(request: HtmxHttpRequest) -> HttpResponse:
    """The sidebar of standard views with fresh counts (polled by the inbox every 30 s)."""
    slugs = {v.slug for v in selectors.views_for(request.user)}
    current = request.GET.get("view", "")
    return render(
        request,
        "tickets/inbox.html#view-nav",
        _sidebar_context(request, current if current in slugs else "", counted=True),
    )


@agent_required
@require_POST
def bulk_update(request: HtmxHttpRequest) -> HttpResponse:
    """Apply one change to the selected tickets; report successes and per-ticket failures."""
    form = BulkActionForm(request.POST, choices=load_choices())
    back = safe_next(request, request.POST.get("next"), reverse("tickets:inbox"))
    if not form.is_valid():
        for errors in form.errors.values():
            for problem in errors:
                messages.error(request, str(problem))
        return redirect(back)
    try:
        results = tickets_bulk_update(
            actor=Actor.staff(request.user), ticket_ids=form.cleaned_data["ids"], **form.changes()
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    succeeded = [pk for pk, problem in results.items() if problem is None]
    failed = [(pk, problem) for pk, problem in results.items() if problem is not None]
    if succeeded:
        messages.success(
            request,
            ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", len(succeeded))
            % {"count": len(succeeded)},
        )
    for pk, problem in failed[:MAX_BULK_ERRORS_SHOWN]:
        messages.error(request, _("Ticket #%(id)s was not changed: %(error)s") % {"id": pk, "error": problem})
    if len(failed) > MAX_BULK_ERRORS_SHOWN:
        hidden = len(failed) - MAX_BULK_ERRORS_SHOWN
        messages.error(
            request,
            ngettext(
                "%(count)d more ticket was not changed.", "%(count)d more tickets were not changed.", hidden
            )
            % {"count": hidden},
        )
    return redirect(back)
