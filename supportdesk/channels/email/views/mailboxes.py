"""Mailboxes: the list with each one's fetching health, create and edit (with connection tests
on the values in the form, before anything is saved), delete with a confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from supportdesk.accounts.views.common import confirm_delete, render_settings
from supportdesk.channels.email import selectors
from supportdesk.channels.email.forms import MailboxForm
from supportdesk.channels.email.models import Mailbox
from supportdesk.channels.email.services.mailboxes import (
    ConnectionCheck,
    mailbox_candidate,
    mailbox_check_imap,
    mailbox_check_smtp,
    mailbox_delete,
    mailbox_save,
)
from supportdesk.channels.email.views.common import acting_admin
from supportdesk.core.decorators import admin_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error

# A desk has a handful of mailboxes; the cap only guards the page against a runaway import.
MAX_MAILBOXES = 500
TESTS = {"test_imap": mailbox_check_imap, "test_smtp": mailbox_check_smtp}


@admin_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    mailboxes = selectors.mailbox_list(MAX_MAILBOXES)
    return render_settings(
        request,
        "channel_email/mailboxes/list.html",
        "mailboxes",
        {"mailboxes": mailboxes[:MAX_MAILBOXES], "truncated": len(mailboxes) > MAX_MAILBOXES},
    )


def _form_page(request: HttpRequest, mailbox: Mailbox | None) -> HttpResponse:
    form = MailboxForm(request.POST or None, mailbox=mailbox)
    check: ConnectionCheck | None = None
    action = request.POST.get("action", "save")
    if request.method == "POST" and form.is_valid():
        try:
            if action in TESTS:
                candidate = mailbox_candidate(mailbox=mailbox, values=form.values())
                check = TESTS[action](actor=acting_admin(request), mailbox=candidate)
            else:
                saved = mailbox_save(actor=acting_admin(request), mailbox=mailbox, values=form.values())
                messages.success(request, _("The mailbox %(name)s was saved.") % {"name": saved.name})
                return redirect("email_settings:mailboxes")
        except DomainError as error:
            apply_domain_error(form, error)
    return render_settings(
        request,
        "channel_email/mailboxes/form.html",
        "mailboxes",
        {"form": form, "mailbox": mailbox, "check": check, "check_kind": action if check else ""},
    )


@admin_required
@require_http_methods(["GET", "POST"])
def mailbox_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@admin_required
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    return _form_page(request, get_object_or_404(Mailbox.objects.select_related("group"), pk=mailbox_id))


@admin_required
@require_http_methods(["GET", "POST"])
def mailbox_remove(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id)

    def delete() -> str:
        mailbox_delete(actor=acting_admin(request), mailbox=mailbox)
        return _("The mailbox %(name)s was deleted.") % {"name": mailbox.name}

    def consequences() -> list[str]:
        lines = [
            _("Mail sent to %(address)s is no longer fetched or accepted.")
            % {"address": mailbox.email_address},
            _("The emails it already received, and their tickets, stay."),
        ]
        if mailbox.is_default:
            lines.append(_("There will be no default mailbox until you choose another one."))
        return lines

    return confirm_delete(
        request,
        page="mailboxes",
        back="email_settings:mailboxes",
        title=_("Delete the mailbox %(name)s?") % {"name": mailbox.name},
        consequences=consequences,
        delete=delete,
    )
