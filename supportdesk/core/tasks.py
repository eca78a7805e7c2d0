"""Periodic upkeep of the database, run by the task worker (`supportdesk run_huey`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from supportdesk.core.maintenance import refresh_planner_statistics


# Daily at a quiet hour. On SQLite this is the only thing that keeps the planner's statistics
# current (see core.maintenance); on PostgreSQL autovacuum does it and this is a no-op.
@db_periodic_task(crontab(hour="3", minute="41"))
@lock_task("core-refresh-planner-statistics")
def refresh_statistics() -> int:
    """Re-analyze the tables whose planner statistics are missing or stale; returns how many
    were analyzed. Idempotent: a second run finds nothing stale. The lock keeps two consumers
    from analyzing the same tables at once."""
    return len(refresh_planner_statistics().analyzed)
