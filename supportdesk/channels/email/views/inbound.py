"""Received email for administrators: the quarantine (what could not become a ticket), recent
mail of every status, one email's page, its raw download, and the retry and discard actions.

Sender and subject come from a bounded read of the stored raw headers (selectors.inbound_glance),
so a huge or broken message shows "—" instead of slowing or breaking the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.views.common import render_settings
from supportdesk.channels.email import selectors
from supportdesk.channels.email.choices import InboundStatus
from supportdesk.channels.email.forms import DiscardForm, QuarantineFilterForm
from supportdesk.channels.email.models import InboundEmail
from supportdesk.channels.email.services.quarantine import inbound_discard as discard_service
from supportdesk.channels.email.services.quarantine import inbound_retry as retry_service
from supportdesk.channels.email.views.common import acting_admin
from supportdesk.core.decorators import admin_required
from supportdesk.core.errors import DomainError, ValidationFailed
from supportdesk.core.pagination import Page

PAGE_SIZE = 50


@dataclass(frozen=True)
class InboundRow:
    email: InboundEmail
    glance: selectors.RawGlance


def _rows(page: Page[InboundEmail]) -> list[InboundRow]:
    return [InboundRow(email=email, glance=selectors.inbound_glance(email)) for email in page.items]


def _page(
    load: Callable[..., Page[InboundEmail]], request: HttpRequest, **filters: object
) -> Page[InboundEmail]:
    """One keyset page; a damaged cursor in the address starts again at the top."""
    try:
        return load(cursor=request.GET.get("cursor") or None, size=PAGE_SIZE, **filters)
    except ValidationFailed:
        return load(cursor=None, size=PAGE_SIZE, **filters)


@admin_required
@require_GET
def quarantine(request: HttpRequest) -> HttpResponse:
    form = QuarantineFilterForm(request.GET or None, choices=selectors.mailbox_choices())
    mailbox_id = form.cleaned_data["mailbox"] if form.is_valid() else None
    page = _page(selectors.quarantine_page, request, mailbox_id=mailbox_id)
    return render_settings(
        request,
        "channel_email/inbound/quarantine.html",
        "quarantine",
        {"form": form, "page": page, "rows": _rows(page), "filtered": mailbox_id is not None},
    )


@admin_required
@require_GET
def recent(request: HttpRequest) -> HttpResponse:
    page = _page(selectors.recent_page, request)
    return render_settings(
        request, "channel_email/inbound/recent.html", "quarantine", {"page": page, "rows": _rows(page)}
    )


def _inbound_or_404(inbound_id: int) -> InboundEmail:
    return get_object_or_404(selectors.inbound_emails(), pk=inbound_id)


@admin_required
@require_GET
def inbound_detail(request: HttpRequest, inbound_id: int) -> HttpResponse:
    inbound = _inbound_or_404(inbound_id)
    return render_settings(
        request,
        "channel_email/inbound/detail.html",
        "quarantine",
        {
            "inbound": inbound,
            "glance": selectors.inbound_glance(inbound, with_body=True),
            "details": selectors.details_text(inbound.details),
            "quarantined": inbound.status == InboundStatus.QUARANTINED,
            # A discarded email can still be taken in after all (the service allows it).
            "retryable": inbound.status in (InboundStatus.QUARANTINED, InboundStatus.DISCARDED),
            "discard_form": DiscardForm(),
        },
    )


@admin_required
@require_GET
def inbound_raw(request: HttpRequest, inbound_id: int) -> HttpResponse:
    """The message exactly as it arrived, always as a download (never rendered in our origin)."""
    inbound = _inbound_or_404(inbound_id)
    if not inbound.raw or not inbound.raw.name:
        raise Http404
    try:
        handle = inbound.raw.storage.open(inbound.raw.name, "rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=f"email-{inbound.pk}.eml", content_type="message/rfc822"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]  # a streaming response, which the role gate passes on


def _detail_url(inbound: InboundEmail) -> str:
    return reverse("email_settings:inbound_detail", args=[inbound.pk])


@admin_required
@require_POST
def inbound_retry(request: HttpRequest, inbound_id: int) -> HttpResponse:
    """Process a quarantined email again (after a fix, or a transient failure) and say what
    became of it: a ticket, a reply, or a new quarantine reason."""
    inbound = _inbound_or_404(inbound_id)
    try:
        retry_service(actor=acting_admin(request), inbound=inbound)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_detail_url(inbound))
    inbound = _inbound_or_404(inbound_id)
    messages.add_message(request, *_outcome(inbound))
    return redirect(_detail_url(inbound))


def _outcome(inbound: InboundEmail) -> tuple[int, str]:
    """The flash message for the state a retry left the email in."""
    if inbound.status == InboundStatus.PROCESSED and inbound.ticket_id:
        return messages.SUCCESS, _("The email was processed: %(outcome)s, ticket #%(id)s.") % {
            "outcome": inbound.get_outcome_display() or _("done"),
            "id": inbound.ticket_id,
        }
    if inbound.status == InboundStatus.PROCESSED:
        return messages.SUCCESS, _("The email was processed: %(outcome)s.") % {
            "outcome": inbound.get_outcome_display() or _("done")
        }
    if inbound.status == InboundStatus.QUARANTINED:
        return messages.ERROR, _("The email is still in quarantine: %(reason)s") % {
            "reason": inbound.reason or _("no reason was given")
        }
    if inbound.status == InboundStatus.RECEIVED:
        return messages.INFO, _("The email is queued and will be processed shortly.")
    return messages.INFO, _("The email is now: %(status)s.") % {"status": inbound.get_status_display()}


@admin_required
@require_POST
def inbound_discard(request: HttpRequest, inbound_id: int) -> HttpResponse:
    """Discard a quarantined email, with an optional reason: it leaves the quarantine for good."""
    inbound = _inbound_or_404(inbound_id)
    form = DiscardForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect(_detail_url(inbound))
    try:
        discard_service(actor=acting_admin(request), inbound=inbound, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_detail_url(inbound))
    messages.success(request, _("The email was discarded."))
    return redirect("email_settings:quarantine")
