"""Background tasks for mail going out: sending with retries. Tasks take ids, are idempotent and
re-check state: sending claims the row first, so a task run twice, or on two workers at once,
sends an email once."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from supportdesk.channels.email.services import loops, outbound

log = logging.getLogger(__name__)


@db_task()
def send_outbound(outbound_id: int) -> str:
    """Send one queued email (queued after the ticket change committed)."""
    return outbound.outbound_send(outbound_id=outbound_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("email-send-due")
def send_due_outbound() -> int:
    """Every minute: replies whose email was never queued (a process died right after the
    reply was committed), retries whose time has come, and any email whose first send was lost
    (a worker stopped before it ran). The lock keeps two consumers from sweeping at once."""
    outbound.outbound_queue_missed_replies()
    tried = outbound.outbound_send_due()
    if tried:
        log.info("outbound sweep: tried %d email(s)", tried)
    return tried


@db_periodic_task(crontab(minute="23", hour="*/6"))
def forget_auto_reply_records() -> int:
    """The per-address rate limit reads only the last hour; older records are deleted."""
    return loops.forget_old_records()
