"""Background tasks for mail coming in: polling mailboxes, processing stored messages.

Tasks take ids, are idempotent and re-check state. Polling is split so that mailboxes never
wait for each other: a scheduler tick (every 15 seconds) enqueues one fetch task per mailbox
that is due, and each fetch task holds a per-mailbox lock (two workers never poll the same
mailbox at once) and bounded socket timeouts (a hanging server ties up one worker for at most
the timeout, never the queue). Processing is its own task per message."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from supportdesk.channels.email.choices import InboundStatus
from supportdesk.channels.email.imap import fetch_mailbox
from supportdesk.channels.email.models import InboundEmail, Mailbox
from supportdesk.channels.email.services.intake import process_inbound

log = logging.getLogger(__name__)

POLL_TICK_SECONDS = 15
# A due mailbox is claimed for this long when its fetch is enqueued, so the next ticks do not
# enqueue it again; the fetch itself sets the real next time when it ends.
POLL_LEASE = timedelta(minutes=10)
# RECEIVED messages older than this are handed to processing again (a worker died, an enqueue
# was lost): processing is idempotent, so this can only help.
STALE_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 500


@db_task()
def process_inbound_email(inbound_id: int) -> str:
    """Process one stored email (see intake.process_inbound); returns its status."""
    return str(process_inbound(inbound_id).status)


def fetch_lock_name(mailbox_id: int) -> str:
    return f"mail-fetch-{mailbox_id}"


@db_task()
def fetch_mailbox_mail(mailbox_id: int) -> int:
    """Poll one mailbox; returns how many messages were stored. Skips (returns -1) while
    another worker polls the same mailbox."""
    try:
        with HUEY.lock_task(fetch_lock_name(mailbox_id)):
            return fetch_mailbox(mailbox_id).stored
    except TaskLockedException:
        log.info("mailbox %s is being fetched by another worker; skipped", mailbox_id)
        return -1


def due_mailboxes() -> list[int]:
    """Claim the mailboxes whose next poll is due and return their ids."""
    now = timezone.now()
    due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    ids = list(
        Mailbox.objects.filter(due, is_active=True, imap_enabled=True).values_list("pk", flat=True)[:500]
    )
    claimed = []
    for mailbox_id in ids:
        # Conditional update: of two schedulers running at once, only one claims a mailbox.
        if Mailbox.objects.filter(due, pk=mailbox_id).update(next_poll_at=now + POLL_LEASE):
            claimed.append(mailbox_id)
    return claimed


@db_task()
def poll_due_mailboxes() -> list[int]:
    """Enqueue a fetch task for every mailbox that is due."""
    claimed = due_mailboxes()
    for mailbox_id in claimed:
        fetch_mailbox_mail(mailbox_id)
    return claimed


@db_periodic_task(crontab(minute="*"))
def schedule_mailbox_polls() -> None:
    """huey's scheduler ticks once a minute; poll every POLL_TICK_SECONDS within it."""
    for offset in range(0, 60, POLL_TICK_SECONDS):
        if offset == 0:
            poll_due_mailboxes()
        else:
            poll_due_mailboxes.schedule(delay=offset)


@db_periodic_task(crontab(minute="*/5"))
def process_waiting_inbound() -> int:
    """Hand RECEIVED emails that waited too long to processing again."""
    cutoff = timezone.now() - STALE_AFTER
    ids = list(
        InboundEmail.objects.filter(status=InboundStatus.RECEIVED, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for inbound_id in ids:
        process_inbound_email(inbound_id)
    if ids:
        log.info("re-queued %d waiting inbound email(s)", len(ids))
    return len(ids)
