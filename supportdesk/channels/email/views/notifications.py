"""Which notification emails go out: one switch per kind, changed by administrators (audited)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from supportdesk.accounts.views.common import render_settings
from supportdesk.channels.email.forms import NotificationSettingsForm
from supportdesk.channels.email.models import NotificationSettings
from supportdesk.channels.email.services.mailboxes import notification_settings_update
from supportdesk.channels.email.views.common import acting_admin
from supportdesk.core.decorators import admin_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error


@admin_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    # Read without creating the row: a page view writes nothing; the first save creates it.
    current = NotificationSettings.objects.filter(pk=1).first() or NotificationSettings()
    form = NotificationSettingsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            notification_settings_update(actor=acting_admin(request), **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The notification settings were saved."))
            return redirect("email_settings:notifications")
    return render_settings(request, "channel_email/notifications.html", "email_notifications", {"form": form})
