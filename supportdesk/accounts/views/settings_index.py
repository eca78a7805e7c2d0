"""The settings start page: every area an administrator can configure, one line each."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.views.common import render_settings
from supportdesk.core.decorators import admin_required

# (URL name, title, description), in the order of the sidebar.
AREAS = [
    ("accounts:agents", _("Agents"), _("Who works in the desk, their roles, groups and access.")),
    ("accounts:groups", _("Groups"), _("Teams of agents; tickets belong to a group.")),
    (
        "taxonomy:categories",
        _("Categories"),
        _("The category tree that customers and agents file tickets under."),
    ),
    ("taxonomy:statuses", _("Statuses"), _("Your own names for the six fixed status categories.")),
    ("taxonomy:priorities", _("Priorities"), _("Urgency levels, their colours and the default one.")),
    ("taxonomy:tags", _("Tags"), _("Tags on tickets: create, rename or remove them.")),
    ("taxonomy:fields", _("Custom fields"), _("Extra typed fields that tickets carry.")),
    (
        "email_settings:mailboxes",
        _("Mailboxes"),
        _("The addresses customers write to, and how mail is fetched and sent."),
    ),
    (
        "email_settings:quarantine",
        _("Quarantine"),
        _("Emails that could not become tickets: retry, download or discard them."),
    ),
    (
        "email_settings:notifications",
        _("Email notifications"),
        _("Which automatic emails go to customers and agents."),
    ),
    ("accounts:audit", _("Audit log"), _("Every administrative change and sign-in, newest first.")),
]


@admin_required
def settings_index(request: HttpRequest) -> HttpResponse:
    return render_settings(request, "accounts/settings_index.html", "index", {"areas": AREAS})
