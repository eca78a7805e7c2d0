"""SQLite's log is copied into the database by a background thread of each process."""

from __future__ import annotations

import os
import sqlite3
import time

from django.db import connection

from supportdesk.core import checkpoints


def _wal_database(path):
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    # The writer's own automatic checkpoint is switched off here, so that only the thread can
    # have copied the rows into the database file.
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE note (body TEXT)")
    return writer


def test_the_thread_copies_the_log_into_the_database(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "BUSY_INTERVAL", 0.02)
    path = str(tmp_path / "desk.sqlite3")
    writer = _wal_database(path)
    before = os.path.getsize(path)
    for i in range(500):
        writer.execute("INSERT INTO note VALUES (?)", ["x" * 1000 + str(i)])
    assert os.path.getsize(path) == before  # everything still in the log
    assert checkpoints.start_checkpointer(path)
    assert not checkpoints.start_checkpointer(path)  # one thread per process and database
    deadline = time.monotonic() + 10
    while os.path.getsize(path) < before + 500_000 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert os.path.getsize(path) >= before + 500_000
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert copy.execute("SELECT count(*) FROM note").fetchone() == (500,)


def test_a_checkpoint_reports_the_log_and_survives_a_broken_database(tmp_path):
    path = str(tmp_path / "desk.sqlite3")
    writer = _wal_database(path)
    writer.execute("INSERT INTO note VALUES ('one')")
    assert checkpoints.checkpoint(sqlite3.connect(path)) > 0
    closed = sqlite3.connect(path)
    closed.close()
    assert checkpoints.checkpoint(closed) is None


def test_databases_without_a_log_get_no_thread(db):
    # The test suite's database lives in memory.
    connection.ensure_connection()
    assert str(connection.settings_dict["NAME"]) not in checkpoints._running or connection.vendor != "sqlite"
