"""The audit log for administrators: newest first, filtered by area and by who acted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.forms import AuditFilterForm
from supportdesk.accounts.views.common import page_of, render_settings
from supportdesk.core.decorators import admin_required
from supportdesk.core.models import AuditEntry
from supportdesk.core.pagination import SortKey
from supportdesk.core.selectors import audit_entries

PAGE_SIZE = 50
ORDER = [SortKey("created_at"), SortKey("id")]
# Long values (descriptions, translations) are cut so a row stays one glance wide.
VALUE_LIMIT = 60

ACTION_LABELS = {
    "auth.sign_in": _("Signed in"),
    "auth.sign_out": _("Signed out"),
    "auth.sign_in_failed": _("Failed to sign in"),
    "user.created": _("Added a person"),
    "user.updated": _("Changed a person"),
    "group.created": _("Created a group"),
    "group.updated": _("Changed a group"),
    "group.deleted": _("Deleted a group"),
    "api_token.created": _("Created an API token"),
    "api_token.revoked": _("Revoked an API token"),
    "category.created": _("Created a category"),
    "category.updated": _("Changed a category"),
    "category.deleted": _("Deleted a category"),
    "status_label.created": _("Created a status"),
    "status_label.updated": _("Changed a status"),
    "status_label.deleted": _("Deleted a status"),
    "priority.created": _("Created a priority"),
    "priority.updated": _("Changed a priority"),
    "priority.deleted": _("Deleted a priority"),
    "tag.created": _("Created a tag"),
    "tag.renamed": _("Renamed a tag"),
    "tag.deleted": _("Deleted a tag"),
    "custom_field.created": _("Created a custom field"),
    "custom_field.updated": _("Changed a custom field"),
    "custom_field.deleted": _("Deleted a custom field"),
    "mailbox.created": _("Created a mailbox"),
    "mailbox.updated": _("Changed a mailbox"),
    "mailbox.deleted": _("Deleted a mailbox"),
    "notification_settings.updated": _("Changed the notification emails"),
    "inbound_email.retried": _("Retried a quarantined email"),
    "inbound_email.discarded": _("Discarded a quarantined email"),
}


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    action_label: str
    target_kind: str
    changes: list[tuple[str, str]]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def compact_changes(changes: Any) -> list[tuple[str, str]]:
    """(field, "before → after") pairs; services store a change as [before, after]."""
    if not isinstance(changes, dict):
        return []
    pairs = []
    for field, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            pairs.append((str(field), f"{_short(value[0])} → {_short(value[1])}"))
        else:
            pairs.append((str(field), _short(value)))
    return pairs


def _target_kind(label: str) -> str:
    if not label:
        return ""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    prefix = actor = ""
    if form.is_valid():
        prefix, actor = form.cleaned_data["action"], form.cleaned_data["actor"]
    page = page_of(audit_entries(prefix, actor), ORDER, request, PAGE_SIZE)
    rows = [
        AuditRow(
            entry=entry,
            action_label=str(ACTION_LABELS.get(entry.action, entry.action)),
            target_kind=_target_kind(entry.target_type),
            changes=compact_changes(entry.changes),
        )
        for entry in page.items
    ]
    return render_settings(
        request, "accounts/audit.html", "audit", {"form": form, "page": page, "rows": rows}
    )
