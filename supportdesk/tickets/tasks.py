"""Background and periodic work of the tickets app. Tasks take ids, are idempotent, re-check
state and call a service: running one twice, or on two workers at once, changes nothing more."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from supportdesk.core.conf import product_settings
from supportdesk.tickets.services import tickets_close_solved

log = logging.getLogger(__name__)

# Each run closes at most this many batches; a backlog (after an import, say) drains over a few
# hours instead of holding one worker for long.
MAX_BATCHES_PER_RUN = 20
BATCH = 500


@db_periodic_task(crontab(minute="0"))
@lock_task("tickets-close-solved")
def close_solved_tickets() -> int:
    """Close tickets solved more than AUTO_CLOSE_AFTER_DAYS ago (hourly). Each ticket is closed
    by `tickets_close_solved`, so its timeline records the change; a ticket reopened meanwhile
    is skipped. The lock keeps two consumers from doing the same work at the same time."""
    older_than = timedelta(days=product_settings().auto_close_after_days)
    closed = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        count = tickets_close_solved(older_than=older_than, batch=BATCH)
        closed += count
        if count < BATCH:
            break
    if closed:
        log.info("auto-close: closed %d solved ticket(s) older than %s", closed, older_than)
    return closed
