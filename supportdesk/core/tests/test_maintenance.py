"""Planner statistics upkeep: the staleness rule (pure) and the refresh on the real engine."""

import pytest
from django.core.management import call_command
from django.db import connection

from supportdesk.core.maintenance import (
    MIN_ROWS,
    refresh_planner_statistics,
    stale_sqlite_tables,
    staleness,
)
from supportdesk.core.tasks import refresh_statistics

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps no statistics by itself")


@pytest.mark.parametrize(
    ("recorded", "rows", "stale"),
    [
        ([], 10, False),  # small and never analyzed: not worth it yet
        ([], 50_000, True),  # grew without statistics
        ([100_000, 100_000], 100_000, False),
        ([100_000, 100_000], 110_000, False),  # within the margin
        ([100_000, 100_000], 130_000, True),  # grew
        ([100_000, 100_000], 70_000, True),  # shrank
        ([307_340, 100_000], 100_000, True),  # a sampled ANALYZE's guess
        ([50], 200, False),  # small either way
    ],
)
def test_staleness(recorded, rows, stale):
    assert bool(staleness(recorded, rows)) is stale


@pytest.fixture
def big_table(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE maintenance_probe (id integer PRIMARY KEY, kind integer)")
        cursor.execute("CREATE INDEX maintenance_probe_kind ON maintenance_probe (kind)")
        # A partial index holds fewer rows than the table: it must not look stale for that.
        cursor.execute("CREATE INDEX maintenance_probe_rare ON maintenance_probe (id) WHERE kind = 0")
        cursor.executemany(
            "INSERT INTO maintenance_probe (id, kind) VALUES (%s, %s)",
            [(i, i % 7) for i in range(1, 2 * MIN_ROWS)],
        )
    yield "maintenance_probe"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE maintenance_probe")


@sqlite_only
def test_sqlite_tables_without_or_with_stale_statistics_are_analyzed_in_full(big_table):
    assert big_table in dict(stale_sqlite_tables())
    result = refresh_planner_statistics()
    assert big_table in dict(result.analyzed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = %s ORDER BY idx", [big_table])
        stats = dict(cursor.fetchall())
    # Every row counted, not a sample's guess.
    assert stats["maintenance_probe_kind"].split()[0] == str(2 * MIN_ROWS - 1)
    assert big_table not in dict(stale_sqlite_tables())
    assert refresh_planner_statistics().analyzed == []  # nothing left to do

    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO maintenance_probe (id, kind) VALUES (%s, 1)",
            [(i,) for i in range(2 * MIN_ROWS, 3 * MIN_ROWS)],
        )
    assert big_table in dict(stale_sqlite_tables())
    assert refresh_statistics.call_local() >= 1
    assert big_table not in dict(stale_sqlite_tables())


@sqlite_only
def test_full_refresh_analyzes_every_table_and_restores_the_analysis_limit(big_table):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 400")
    analyzed = dict(refresh_planner_statistics(full=True).analyzed)
    assert big_table in analyzed and "tickets_ticket" in analyzed
    assert not any(name.startswith("tickets_search") for name in analyzed)  # FTS5 tables
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit")
        assert cursor.fetchone()[0] == 400


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's autovacuum")
def test_postgresql_leaves_statistics_to_autovacuum_unless_asked_for_all(db):
    assert refresh_planner_statistics().analyzed == []
    assert refresh_planner_statistics(full=True).analyzed == [("*", "full")]


def test_the_command_lists_and_refreshes(db, capsys):
    call_command("refresh_statistics", "--check")
    call_command("refresh_statistics")
    call_command("refresh_statistics", "--full")
    out = capsys.readouterr().out
    assert "Analyzed" in out or "PostgreSQL" in out
