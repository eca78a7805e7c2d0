"""What administrators do with quarantined mail: retry it (after a fix, say) or discard it.
Nothing is deleted: a discarded email keeps its raw message for download."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.channels.email.choices import InboundStatus
from supportdesk.channels.email.models import InboundEmail
from supportdesk.channels.email.services.intake import process_inbound
from supportdesk.core.audit import audit_record
from supportdesk.core.errors import Conflict, PermissionDenied

RETRYABLE = (InboundStatus.QUARANTINED, InboundStatus.DISCARDED)
DISCARDABLE = (InboundStatus.QUARANTINED, InboundStatus.RECEIVED)
MAX_REASON = 1_000


def _require_admin(actor: User) -> None:
    if not actor.is_administrator:
        raise PermissionDenied(_("Only administrators can handle quarantined email."))


def inbound_retry(*, actor: User, inbound: InboundEmail) -> InboundEmail:
    """Process a quarantined (or discarded) email again, from its raw message.

    Administrators only. Locks the row, resets it to RECEIVED (attempts from zero) and writes
    the audit entry in one transaction, then processes it as if it had just arrived: it may
    become a ticket, or go back to quarantine with a new reason. Processed emails cannot be
    retried (Conflict): that would duplicate their ticket."""
    _require_admin(actor)
    with transaction.atomic():
        row = InboundEmail.objects.select_for_update(of=("self",)).get(pk=inbound.pk)
        if row.status not in RETRYABLE:
            raise Conflict(
                _("Only quarantined or discarded email can be processed again."), code="inbound_not_retryable"
            )
        audit_record(
            action="inbound_email.retried",
            actor=actor,
            target=row,
            changes={"status": [row.status, InboundStatus.RECEIVED], "reason": row.reason[:500]},
        )
        row.status, row.outcome, row.reason, row.attempts = InboundStatus.RECEIVED, "", "", 0
        row.processed_at = None
        row.save(update_fields=["status", "outcome", "reason", "attempts", "processed_at"])
    return process_inbound(row.pk)


@transaction.atomic
def inbound_discard(*, actor: User, inbound: InboundEmail, reason: str = "") -> InboundEmail:
    """Set a quarantined (or stuck, still received) email aside for good: DISCARDED, with who
    did it and why. Administrators only; audited; locks the row. The raw message stays
    downloadable and the email can still be retried later."""
    _require_admin(actor)
    row = InboundEmail.objects.select_for_update(of=("self",)).get(pk=inbound.pk)
    if row.status not in DISCARDABLE:
        raise Conflict(_("Only quarantined email can be discarded."), code="inbound_not_discardable")
    note = " ".join((reason or "").split())[:MAX_REASON]
    text = _("Discarded by %(name)s.") % {"name": actor}
    if note:
        text = f"{text} {note}"
    audit_record(
        action="inbound_email.discarded",
        actor=actor,
        target=row,
        changes={"status": [row.status, InboundStatus.DISCARDED], "reason": note},
    )
    previous = row.reason
    row.status = InboundStatus.DISCARDED
    row.reason = text
    row.processed_at = timezone.now()
    if previous:
        row.details = {**row.details, "quarantine_reason": previous[:2_000]}
    row.save(update_fields=["status", "reason", "processed_at", "details"])
    return row
