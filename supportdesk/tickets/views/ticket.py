"""The ticket page: conversation and timeline, reply box, side panel, merge and sharing.

Every write is a plain form POST that redirects back to the page (so it works without
JavaScript); a failed one re-renders the page with the errors on the form and changes nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from supportdesk.accounts.choices import Role
from supportdesk.core.decorators import agent_required, staff_required
from supportdesk.core.errors import DomainError, NotFound
from supportdesk.core.forms import apply_domain_error
from supportdesk.customers import selectors as customer_selectors
from supportdesk.tickets import permissions, selectors
from supportdesk.tickets.extensions import message_notes
from supportdesk.tickets.forms import MergeForm, ReplyForm, ShareForm, TicketFieldsForm
from supportdesk.tickets.models import Message, Ticket, TicketShare
from supportdesk.tickets.services import Actor, message_add, ticket_merge, ticket_share, ticket_unshare
from supportdesk.tickets.services import ticket_update as ticket_update_service
from supportdesk.tickets.views.common import (
    HtmxHttpRequest,
    active_custom_fields,
    active_staff,
    load_choices,
    ticket_or_404,
)

TABS = ("conversation", "timeline")
NOTE_TONES = frozenset({"info", "success", "warning", "error"})


def _detail_url(ticket_id: int) -> str:
    return reverse("tickets:detail", args=[ticket_id])


def _page_ticket_or_404(user: Any, ticket_id: int) -> Ticket:
    """The ticket as its page shows it (selectors.ticket_for_page: compiled reads), for the page
    and for the forms posted from it, which show the page again when they fail."""
    try:
        return selectors.ticket_for_page(user, ticket_id)
    except NotFound:
        raise Http404 from None


def _is_read_only(ticket: Ticket) -> bool:
    return ticket.is_closed or ticket.merged_into_id is not None


def _fields_form(ticket: Ticket, data: Any = None) -> TicketFieldsForm:
    """The side panel's form."""
    return TicketFieldsForm(
        data,
        ticket=ticket,
        choices=load_choices(),
        custom_fields=active_custom_fields(),
    )


def _share_form(ticket: Ticket, data: Any = None, *, shares: list[TicketShare] | None = None) -> ShareForm:
    """The collaborators the ticket is not shared with yet."""
    shared_with = {share.user_id for share in (ticket.shares.all() if shares is None else shares)}
    collaborators = [person for person in active_staff() if person.role == Role.COLLABORATOR]
    return ShareForm(data, people=[person for person in collaborators if person.pk not in shared_with])


def _with_notes(conversation: list[Message]) -> list[Message]:
    """Give each message the notes other layers attach to it (how its email fared, say): read
    once for the whole page, in bulk, so the query count does not grow with the conversation."""
    notes = message_notes(conversation)
    for message in conversation:
        message.page_notes = [  # type: ignore[attr-defined]
            note if note.tone in NOTE_TONES else dataclasses.replace(note, tone="info")
            for note in notes.get(message.pk, [])
        ]
    return conversation


def _tab_context(ticket: Ticket, tab: str) -> dict[str, Any]:
    if tab == "timeline":
        return {"tab": tab, "events": selectors.timeline(ticket)}
    # Staff see internal notes: everybody who reaches this page is staff.
    conversation, attachments = selectors.staff_conversation(ticket)
    return {"tab": tab, "conversation": _with_notes(conversation), "attachments": attachments}


def _requester_context(ticket: Ticket) -> dict[str, Any]:
    """The requester's addresses (primary first) and phone numbers, as plain values."""
    emails, phones = customer_selectors.customer_contacts(ticket.requester_id)
    return {"requester_emails": emails, "requester_phones": phones}


def _render_page(
    request: HtmxHttpRequest,
    ticket: Ticket,
    *,
    tab: str = "conversation",
    reply_form: ReplyForm | None = None,
    fields_form: TicketFieldsForm | None = None,
    merge_form: MergeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_work = permissions.can_work(user)
    read_only = _is_read_only(ticket)
    shares = selectors.ticket_shares(ticket)
    context: dict[str, Any] = {
        "section": "tickets",
        "ticket": ticket,
        "can_work": can_work,
        "read_only": read_only,
        "other_tickets": selectors.other_tickets_of_requester(user, ticket),
        "shares": shares,
        **selectors.related_to(user, ticket),
        **_requester_context(ticket),
        **_tab_context(ticket, tab),
    }
    if not read_only:
        context["reply_form"] = reply_form or ReplyForm(can_reply_publicly=can_work)
        if can_work:
            context["fields_form"] = fields_form or _fields_form(ticket)
            context["merge_form"] = merge_form or MergeForm()
            context["share_form"] = _share_form(ticket, shares=shares)
    return render(request, "tickets/ticket.html", context, status=status)


@staff_required
@require_GET
def ticket_detail(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page; an HTMX request for the tab panel gets just that tab."""
    ticket = _page_ticket_or_404(request.user, ticket_id)
    tab = request.GET.get("tab", "")
    tab = tab if tab in TABS else "conversation"
    if request.htmx and request.htmx.target == "tab-panel":
        return render(
            request, "tickets/ticket.html#tab-panel", {"ticket": ticket, **_tab_context(ticket, tab)}
        )
    return _render_page(request, ticket, tab=tab)


@staff_required
@require_POST
def ticket_reply(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """A public reply (agents) or an internal note (any staff member), with files, optionally
    setting the status in the same step."""
    ticket = _page_ticket_or_404(request.user, ticket_id)
    form = ReplyForm(request.POST, request.FILES, can_reply_publicly=permissions.can_work(request.user))
    if form.is_valid():
        try:
            message = message_add(
                actor=Actor.staff(request.user),
                ticket_id=ticket.pk,
                body=form.cleaned_data["body"],
                is_public=form.is_public,
                attachments=form.cleaned_data["attachments"],
                status=form.new_status if form.can_reply_publicly else None,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(
                request, _("Your reply was sent.") if form.is_public else _("Your note was added.")
            )
            return redirect(f"{_detail_url(ticket.pk)}#message-{message.pk}")
    return _render_page(request, ticket, reply_form=form)


@agent_required
@require_POST
def ticket_update(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Save the side panel: one ticket_update call with only the fields that changed."""
    ticket = _page_ticket_or_404(request.user, ticket_id)
    form = _fields_form(ticket, request.POST)
    if form.is_valid():
        changes = form.changes()
        if request.POST.get("assign_to_me"):
            changes.pop("assignee_id", None)
            if ticket.assignee_id != request.user.pk:
                changes["assignee_id"] = request.user.pk
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect(_detail_url(ticket.pk))
        try:
            ticket_update_service(actor=Actor.staff(request.user), ticket_id=ticket.pk, **changes)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The ticket was updated."))
            return redirect(_detail_url(ticket.pk))
    return _render_page(request, ticket, fields_form=form)


@agent_required
@require_http_methods(["GET", "POST"])
def ticket_merge_view(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Merge this ticket into another: the number is asked on the ticket page (GET), the
    confirmation page shows both tickets, and its POST merges and opens the target."""
    ticket = ticket_or_404(request.user, ticket_id)
    form = MergeForm(request.POST if request.method == "POST" else request.GET or None)
    target = None
    if form.is_valid():
        target_id = form.cleaned_data["target"]
        if target_id == ticket.pk:
            form.add_error("target", _("A ticket cannot be merged into itself."))
        else:
            try:
                target = selectors.ticket_for_staff(request.user, target_id)
            except NotFound:
                form.add_error("target", _("Ticket #%(id)s was not found.") % {"id": target_id})
        if target is not None and _is_read_only(target):
            form.add_error(
                "target", _("Ticket #%(id)s is closed and cannot receive merged tickets.") % {"id": target.pk}
            )
            target = None
        if target is not None and request.method == "POST" and form.cleaned_data["confirm"]:
            try:
                ticket_merge(actor=Actor.staff(request.user), source_id=ticket.pk, target_id=target.pk)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Ticket #%(source)s was merged into this ticket.") % {"source": ticket.pk},
                )
                return redirect(_detail_url(target.pk))
    return render(
        request,
        "tickets/merge.html",
        {"section": "tickets", "ticket": ticket, "target": target, "form": form},
    )


@agent_required
@require_POST
def ticket_share_view(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Share the ticket with a collaborator, who may then read it and add internal notes."""
    ticket = ticket_or_404(request.user, ticket_id)
    form = _share_form(ticket, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a person to share the ticket with."))
        return redirect(_detail_url(ticket.pk))
    try:
        share = ticket_share(
            actor=Actor.staff(request.user), ticket_id=ticket.pk, user_id=form.cleaned_data["user"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The ticket is now shared with %(person)s.") % {"person": share.user})
    return redirect(_detail_url(ticket.pk))


@agent_required
@require_POST
def ticket_unshare_view(request: HtmxHttpRequest, ticket_id: int, user_id: int) -> HttpResponse:
    ticket = ticket_or_404(request.user, ticket_id)
    try:
        ticket_unshare(actor=Actor.staff(request.user), ticket_id=ticket.pk, user_id=user_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The ticket is no longer shared with that person."))
    return redirect(_detail_url(ticket.pk))
