"""The email channel's settings pages, mounted at /desk/settings/email/ (administrators only)."""

from django.urls import path
from django.views.generic import RedirectView

from supportdesk.channels.email.views import inbound, mailboxes, notifications

app_name = "email_settings"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="email_settings:mailboxes"), name="index"),
    path("mailboxes/", mailboxes.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", mailboxes.mailbox_create, name="mailbox_create"),
    path("mailboxes/<int:mailbox_id>/", mailboxes.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:mailbox_id>/delete/", mailboxes.mailbox_remove, name="mailbox_delete"),
    path("quarantine/", inbound.quarantine, name="quarantine"),
    path("received/", inbound.recent, name="recent"),
    path("received/<int:inbound_id>/", inbound.inbound_detail, name="inbound_detail"),
    path("received/<int:inbound_id>/raw/", inbound.inbound_raw, name="inbound_raw"),
    path("received/<int:inbound_id>/retry/", inbound.inbound_retry, name="inbound_retry"),
    path("received/<int:inbound_id>/discard/", inbound.inbound_discard, name="inbound_discard"),
    path("notifications/", notifications.notification_settings, name="notifications"),
]
