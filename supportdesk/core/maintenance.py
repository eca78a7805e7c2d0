"""Database upkeep the product does itself: fresh query-planner statistics.

Plans (and so page times) depend on what the planner believes about table sizes and value
spreads. The two engines keep those beliefs differently:

- **SQLite** keeps statistics (sqlite_stat1) only when someone runs ANALYZE, and never refreshes
  them by itself. A desk that starts empty and grows has none, or statistics from when it was
  small. `PRAGMA optimize` is no cure on the SQLite we ship against (3.40): before 3.46 it only
  looks at tables the same connection has queried, only when a table has grown 25-fold, and it
  runs whatever `analysis_limit` is set. A sampled ANALYZE (`analysis_limit`) is no cure either:
  it estimates row counts from the B-tree's shape, which at 10⁶ tickets overestimated the ticket
  table enough to choose the wrong index for an agent's open count (262 ms instead of 64 ms).
  So `refresh_planner_statistics` compares each table's recorded row count with its real one
  and runs a full ANALYZE of the tables that are off by more than STALE_RATIO (or have none),
  one table per statement so the write lock is held for one table at a time.
- **PostgreSQL** refreshes statistics itself (autovacuum's ANALYZE after ~10 % of a table
  changed); nothing to do here unless asked for everything (`full=True`, after a bulk load).

The worker runs it daily (supportdesk.core.tasks); `supportdesk refresh_statistics` runs it by
hand, e.g. right after a large import.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

log = logging.getLogger(__name__)

# A table whose recorded row count is off from the real one by more than this factor (either
# way) is analyzed again. 1.2 catches a sampled ANALYZE's misestimate (1.3 times at 10⁶ tickets)
# and a desk that grew by a fifth; a desk growing steadily re-analyzes its big tables every
# few weeks, not every day.
STALE_RATIO = 1.2
# Below this many rows the planner's choices hardly matter and a fresh table is not worth
# analyzing yet; its statistics are made once it has grown past it.
MIN_ROWS = 1000


@dataclass
class StatisticsRefresh:
    """What a refresh did: the tables analyzed (with the reason) and how long it took."""

    engine: str
    analyzed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def refresh_planner_statistics(
    *, full: bool = False, conn: BaseDatabaseWrapper | None = None
) -> StatisticsRefresh:
    """Bring the planner's statistics up to date where they are missing or stale.

    `full`: analyze every table whatever its statistics say (after a bulk load). Safe to run
    at any time and from several processes: ANALYZE only writes the statistics tables.
    Must run outside a transaction on SQLite so each table's ANALYZE commits on its own.
    """
    conn = conn or connection
    started = time.monotonic()
    result = StatisticsRefresh(engine=conn.vendor)
    if conn.vendor == "sqlite":
        _refresh_sqlite(conn, full=full, result=result)
    elif conn.vendor == "postgresql" and full:
        with conn.cursor() as cursor:
            cursor.execute("ANALYZE")
        result.analyzed.append(("*", "full"))
    result.seconds = time.monotonic() - started
    if result.analyzed:
        log.info(
            "planner statistics refreshed in %.1f s: %s",
            result.seconds,
            ", ".join(f"{table} ({why})" for table, why in result.analyzed),
        )
    return result


def stale_sqlite_tables(conn: BaseDatabaseWrapper | None = None) -> list[tuple[str, str]]:
    """The SQLite tables whose statistics are missing or stale, each with the reason."""
    conn = conn or connection
    found = []
    with conn.cursor() as cursor:
        for table in _sqlite_tables(cursor):
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - a name from sqlite_master
            rows = int(cursor.fetchone()[0])
            recorded = _sqlite_recorded_rows(cursor, table)
            reason = staleness(recorded, rows)
            if reason:
                found.append((table, reason))
    return found


def staleness(recorded: list[int], rows: int) -> str:
    """Why statistics recording `recorded` row counts (one per index) are stale for a table of
    `rows` rows; empty if they are fine."""
    if not recorded:
        return "no statistics" if rows >= MIN_ROWS else ""
    if rows < MIN_ROWS and max(recorded) < MIN_ROWS:
        return ""
    low, high = min(recorded), max(recorded)
    if low <= 0 or high > rows * STALE_RATIO or low * STALE_RATIO < rows:
        return f"recorded {high:,} rows, has {rows:,}"
    return ""


def _refresh_sqlite(conn: BaseDatabaseWrapper, *, full: bool, result: StatisticsRefresh) -> None:
    if full:
        with conn.cursor() as cursor:
            targets = [(table, "full") for table in _sqlite_tables(cursor)]
    else:
        targets = stale_sqlite_tables(conn)
    if not targets:
        return
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit")
        previous = int(cursor.fetchone()[0])
        # 0: every row. A sample gets the row counts wrong, which is what misleads the planner.
        cursor.execute("PRAGMA analysis_limit = 0")
        try:
            for table, reason in targets:
                cursor.execute(f'ANALYZE "{table}"')
                result.analyzed.append((table, reason))
        finally:
            cursor.execute(f"PRAGMA analysis_limit = {previous}")


def _sqlite_tables(cursor: CursorWrapper) -> list[str]:
    # Every ordinary table, as a plain ANALYZE would do; not the search indexes' FTS5 tables
    # (virtual, and their shadow tables "<name>_data", "<name>_content", …, which FTS5 reads
    # by key without consulting the planner, and which would cost a full read to count).
    cursor.execute(
        "SELECT name, type, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    rows = cursor.fetchall()
    virtual = [name for name, _type, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return sorted(
        name
        for name, _type, sql in rows
        if name not in virtual and not any(name.startswith(f"{v}_") for v in virtual)
    )


def _sqlite_recorded_rows(cursor: CursorWrapper, table: str) -> list[int]:
    cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if not cursor.fetchone()[0]:
        return []
    # A partial index records how many rows it holds, not the table's: only whole-table indexes
    # (and the row a table without indexes gets, idx NULL) say how big the planner thinks it is.
    cursor.execute(
        "SELECT s.stat FROM sqlite_stat1 s JOIN pragma_index_list(%s) i ON i.name = s.idx "
        "WHERE s.tbl = %s AND i.partial = 0 "
        "UNION ALL SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx IS NULL",
        [table, table, table],
    )
    return [int(str(row[0]).split()[0]) for row in cursor.fetchall()]
