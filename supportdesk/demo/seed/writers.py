"""Bulk writers for the bench load, one per database engine.

Both write the rows of `stories.Rows` batch by batch inside the load's one transaction, and
fill the search side tables exactly as `core.search.SearchIndex` does (the same normalized
text; PostgreSQL turns it into a tsvector with the same `to_tsvector('simple', …)`).

- SQLite: `executemany` on the driver's connection, with load-time PRAGMAs: the rollback journal
  in memory instead of the WAL (a WAL would receive every page once and copy it to the database
  again at the end), no fsync, a large page cache, foreign-key checks off (the generator numbers
  every row itself). The previous settings come back afterwards.
- PostgreSQL: COPY through psycopg 3. As a superuser, the load runs with
  `session_replication_role = replica`, which skips the foreign-key triggers: tens of millions
  of row-by-row checks of references the generator built consistent by construction. Sequences
  are moved past the ids the load used.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.core.management.color import no_style
from django.db.backends.base.base import BaseDatabaseWrapper

from supportdesk.core.maintenance import refresh_planner_statistics
from supportdesk.demo.seed.columns import CUSTOMER_SEARCH, TABLES, TICKET_SEARCH
from supportdesk.demo.seed.plan import TimeText
from supportdesk.demo.seed.stories import Rows

# The page cache during the load (KiB, as PRAGMA cache_size takes it when negative).
SQLITE_LOAD_CACHE_KIB = 2 * 1024 * 1024


class BulkWriter(Protocol):
    time_text: TimeText

    def prepare(self) -> None:
        """Before the load's transaction: settings for a bulk load."""

    def write(self, rows: Rows) -> None:
        """Inside the transaction: one batch."""

    def finish(self) -> None:
        """Inside the transaction, after the last batch."""

    def restore(self) -> None:
        """After the transaction (also after a failure): the settings as they were."""

    def analyze(self) -> None:
        """After the load: fresh planner statistics."""

    def size(self) -> int:
        """Bytes the database takes on disk."""


def writer_for(connection: BaseDatabaseWrapper) -> BulkWriter:
    if connection.vendor == "postgresql":
        return PostgresWriter(connection)
    if connection.vendor == "sqlite":
        return SqliteWriter(connection)
    raise NotImplementedError(connection.vendor)


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


class SqliteWriter:
    # Django stores an aware datetime on SQLite as naive UTC text: "2026-03-18 14:30:00".
    time_text = TimeText("")

    def __init__(self, connection: BaseDatabaseWrapper):
        self.connection = connection
        self.saved: dict[str, Any] = {}
        self.statements = {
            # Table and column names come from the models; every value is a bound parameter.
            table.key: f'INSERT INTO "{table.name}" ({_quoted(table.columns)}) '  # noqa: S608
            f"VALUES ({', '.join('?' * len(table.columns))})"
            for table in TABLES
        }

    def _pragma(self, name: str, value: Any = None) -> Any:
        with self.connection.cursor() as cursor:
            if value is None:
                cursor.execute(f"PRAGMA {name}")
                row = cursor.fetchone()
                return row[0] if row else None
            cursor.execute(f"PRAGMA {name} = {value}")
            return None

    def prepare(self) -> None:
        self.connection.ensure_connection()
        if self.connection.in_atomic_block:
            # Inside a caller's transaction (a test) the journal and foreign-key settings cannot
            # change; the load is then only slower.
            return
        for name in ("journal_mode", "synchronous", "foreign_keys", "cache_size", "temp_store"):
            self.saved[name] = self._pragma(name)
        # Leaving WAL needs no other connection open on the file: a load runs alone.
        self._pragma("journal_mode", "MEMORY")
        self._pragma("synchronous", "OFF")
        self._pragma("foreign_keys", "OFF")
        self._pragma("cache_size", -SQLITE_LOAD_CACHE_KIB)
        self._pragma("temp_store", "MEMORY")

    def write(self, rows: Rows) -> None:
        raw = self.connection.connection
        for table in TABLES:
            batch: Sequence[tuple[Any, ...]] = getattr(rows, table.key)
            if batch:
                raw.executemany(self.statements[table.key], batch)
        for side_table, documents in (
            (CUSTOMER_SEARCH, rows.customer_documents),
            (TICKET_SEARCH, rows.ticket_documents),
        ):
            if documents:
                # As SearchIndex.replace_many writes them: keyed by rowid, replacing a stale document
                # left behind by tickets deleted before.
                sql = f"INSERT OR REPLACE INTO {side_table} (rowid, document) VALUES (?, ?)"  # noqa: S608
                raw.executemany(sql, documents)

    def finish(self) -> None:
        # AUTOINCREMENT tables record the largest id inserted in sqlite_sequence themselves.
        return

    def restore(self) -> None:
        if not self.saved:
            return
        self.connection.ensure_connection()
        self._pragma("journal_mode", self.saved["journal_mode"])
        for name in ("synchronous", "foreign_keys", "cache_size", "temp_store"):
            self._pragma(name, self.saved[name])

    def analyze(self) -> None:
        # A full ANALYZE, as the worker's daily refresh does: a sampled one (analysis_limit)
        # gets the row counts wrong and the planner picks worse indexes (core.maintenance).
        # It costs about 0.9 s at 10⁵ tickets and ~10-15 s at 10⁶, against ~9.5 min of loading.
        refresh_planner_statistics(full=True, conn=self.connection)

    def size(self) -> int:
        path = str(self.connection.settings_dict["NAME"])
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


class PostgresWriter:
    # Explicitly UTC, whatever the session's time zone.
    time_text = TimeText("+00")
    STAGING = "bench_seed_documents"

    def __init__(self, connection: BaseDatabaseWrapper):
        self.connection = connection
        self.skipping_triggers = False
        self.staging_ready = False
        self.statements = {
            table.key: f'COPY "{table.name}" ({_quoted(table.columns)}) FROM STDIN' for table in TABLES
        }

    def prepare(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
            self.skipping_triggers = bool(row and row[0])
            cursor.execute("SET synchronous_commit = off")
            if self.skipping_triggers:
                cursor.execute("SET session_replication_role = replica")

    def _copy(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
        raw = self.connection.connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def write(self, rows: Rows) -> None:
        for table in TABLES:
            batch: Sequence[tuple[Any, ...]] = getattr(rows, table.key)
            if batch:
                self._copy(self.statements[table.key], batch)
        if not self.staging_ready:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.STAGING} (id bigint, document text) "
                    "ON COMMIT DROP"
                )
            self.staging_ready = True
        for side_table, documents in (
            (CUSTOMER_SEARCH, rows.customer_documents),
            (TICKET_SEARCH, rows.ticket_documents),
        ):
            if not documents:
                continue
            self._copy(f"COPY {self.STAGING} (id, document) FROM STDIN", documents)
            with self.connection.cursor() as cursor:
                # The same conversion as SearchIndex.replace_many, done by the server.
                cursor.execute(
                    f"INSERT INTO {side_table} (id, document) "  # noqa: S608 - constant names
                    f"SELECT id, to_tsvector('simple', document) FROM {self.STAGING} "
                    "ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document"
                )
                cursor.execute(f"TRUNCATE {self.STAGING}")

    def finish(self) -> None:
        statements = self.connection.ops.sequence_reset_sql(no_style(), [table.model for table in TABLES])
        with self.connection.cursor() as cursor:
            # Gone at commit anyway; dropped now for a load inside a longer transaction (tests).
            cursor.execute(f"DROP TABLE IF EXISTS {self.STAGING}")
            for statement in statements:
                cursor.execute(statement)

    def restore(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("RESET session_replication_role")
            cursor.execute("RESET synchronous_commit")

    def analyze(self) -> None:
        tables = ", ".join([table.name for table in TABLES] + [TICKET_SEARCH, CUSTOMER_SEARCH])
        with self.connection.cursor() as cursor:
            if self.connection.in_atomic_block:
                # VACUUM cannot run in a transaction (a load inside a test's).
                cursor.execute(f"ANALYZE {tables}")
                return
            # VACUUM as well as ANALYZE: a freshly loaded table has no visibility map, so every
            # index-only scan (the search's id joins, the inbox counts) would still read the
            # heap until autovacuum came by; and the search GIN index's pending list (fastupdate)
            # is merged into the index instead of being scanned by every search. ~2 s at 10⁵.
            cursor.execute(f"VACUUM (ANALYZE) {tables}")

    def size(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            row = cursor.fetchone()
            return int(row[0]) if row else 0
