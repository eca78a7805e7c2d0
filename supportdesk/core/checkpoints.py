"""Checkpoints of SQLite's write-ahead log, mostly done off the request path.

In WAL mode SQLite appends every commit to the log and copies the log back into the database
file (a checkpoint) once it passes `wal_autocheckpoint` pages, inside whichever commit crossed
the line: that request then waits for the copy and its disk sync. Measured on the benchmark
machine with SQLite's default of 1,000 pages, about one ticket created through the API in 25
paid 10 to 40 ms instead of 4; the desk sets 16,000 (settings.SQLITE_CHECKPOINT_PAGES), which
makes such commits sixteen times rarer for a log of 64 MB at most between checkpoints.

So each web server process (config/gunicorn.py starts it in every worker) runs one background
thread that copies the log into the database a little at a time, through a connection of its
own, every few tenths of a second while commits arrive (backing off to every two seconds when
none do). The commit that crosses the line still checkpoints, since SQLite's automatic
checkpoint must stay on: it is what starts the log over from its beginning, keeping its file at
a few megabytes under a steady write load (a background checkpoint alone never catches up with
a busy writer: the log grew by 300 MB in seconds). But by then almost every page has been
copied already, and the commit only waits for the rest. Checkpoints are PASSIVE: they never
wait for, or block, readers and writers.

Other processes (the task worker, commands) keep SQLite's ordinary behaviour: nobody waits on
them page by page, and a bulk loader may need the database to itself (the bench seeder leaves
WAL mode, which fails while another connection is open). PostgreSQL needs none of this.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Mapping
from contextlib import closing
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

# Seconds between background checkpoints: the shortest while commits arrive, the longest when idle.
BUSY_INTERVAL = 0.1
IDLE_INTERVAL = 2.0
_lock = threading.Lock()
_running: dict[str, int] = {}  # database path -> the process id whose thread checkpoints it


def start_checkpointer(path: str) -> bool:
    """Start this process's checkpoint thread for the database at `path` (once per process:
    a forked worker starts its own). Whether a thread was started."""
    pid = os.getpid()
    with _lock:
        if _running.get(path) == pid:
            return False
        _running[path] = pid
    thread = threading.Thread(
        target=_checkpoint_forever, args=(path,), name="sqlite-checkpoints", daemon=True
    )
    thread.start()
    return True


def _checkpoint_forever(path: str) -> None:
    connection = sqlite3.connect(path, timeout=5, isolation_level=None)
    interval, seen = BUSY_INTERVAL, None
    try:
        while True:
            time.sleep(interval)
            log_frames = checkpoint(connection, path)
            # The log changed since the last round: commits are arriving.
            if log_frames is not None and log_frames != seen:
                interval, seen = BUSY_INTERVAL, log_frames
            else:
                interval = min(interval * 2, IDLE_INTERVAL)
    finally:  # pragma: no cover (the thread lives as long as its process)
        connection.close()


def checkpoint(connection: sqlite3.Connection, path: str = "") -> int | None:
    """One PASSIVE checkpoint: the number of frames in the log, or None if it could not run."""
    try:
        # fetchall: a statement left unfinished would hold a read lock, and then the log
        # could never start over.
        [(_busy, log_frames, _copied)] = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error as error:
        # Busy or locked for a moment: the next round tries again.
        log.debug("SQLite checkpoint of %s skipped: %s", path, error)
        return None
    return int(log_frames)


def checkpoint_in_background(database: Mapping[str, Any] | None = None) -> bool:
    """Start this process's checkpoint thread if the database (by default the default one) is
    SQLite in WAL mode; the web server's workers call this as they start. Whether a thread was
    started."""
    config: Mapping[str, Any] = database or settings.DATABASES["default"]
    if config["ENGINE"] != "django.db.backends.sqlite3":
        return False
    path = str(config["NAME"])
    try:
        with closing(sqlite3.connect(path, timeout=5)) as connection:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                return False
    except sqlite3.Error as error:
        log.warning("SQLite checkpoints stay in the commits: %s", error)
        return False
    return start_checkpointer(path)
