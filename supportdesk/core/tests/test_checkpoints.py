"""SQLite's log is copied into the database by a background thread of each process."""

from __future__ import annotations

import os
import sqlite3
import time

from supportdesk.core import checkpoints

SQLITE = "django.db.backends.sqlite3"


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


def test_web_workers_start_a_thread_for_a_database_in_wal_mode_only(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(checkpoints, "start_checkpointer", lambda path: started.append(path) or True)
    wal = str(tmp_path / "wal.sqlite3")
    _wal_database(wal)
    assert checkpoints.checkpoint_in_background({"ENGINE": SQLITE, "NAME": wal}) and started == [wal]
    # A database with a rollback journal (a bulk load in progress, say) is left alone.
    plain = str(tmp_path / "plain.sqlite3")
    sqlite3.connect(plain).execute("CREATE TABLE note (body TEXT)")
    assert not checkpoints.checkpoint_in_background({"ENGINE": SQLITE, "NAME": plain})
    postgresql = {"ENGINE": "django.db.backends.postgresql", "NAME": "desk"}
    assert not checkpoints.checkpoint_in_background(postgresql)
    assert started == [wal]
