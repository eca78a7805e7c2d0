"""Reads of the audit log."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from supportdesk.core.models import AuditEntry


def audit_entries(action_prefix: str = "", actor_email: str = "") -> QuerySet[AuditEntry]:
    """Audit entries, optionally of one area (an action prefix such as "user.") and by one person.

    By email matches the label written with each entry (what the actor was called then, and the
    address typed in failed sign-ins) and the current account with that address."""
    entries = AuditEntry.objects.all()
    if action_prefix:
        entries = entries.filter(action__startswith=action_prefix)
    if actor_email:
        email = actor_email.strip().lower()
        entries = entries.filter(Q(actor_label=email) | Q(actor__email=email))
    return entries
