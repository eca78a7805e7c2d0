"""The database connection settings: PostgreSQL plans a repeated query once per connection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def _options(tmp_path: Path, **env: str) -> dict:
    script = "import json, config.settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    environment = {**os.environ, "SUPPORTDESK_DATA_DIR": str(tmp_path), **env}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_postgresql_prepares_statements_unless_switched_off(tmp_path):
    url = "postgres://someone@db.example/desk"
    assert _options(tmp_path, DATABASE_URL=url) == {"server_side_binding": True, "prepare_threshold": 1}
    # For a pooler that cannot keep prepared statements (PgBouncer in transaction mode, < 1.21).
    assert _options(tmp_path, DATABASE_URL=url, DB_PREPARED_STATEMENTS="0") == {}
    sqlite = _options(tmp_path, DATABASE_URL="")
    assert "server_side_binding" not in sqlite and "init_command" in sqlite


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the write-ahead log is SQLite's")
def test_sqlite_checkpoints_its_log_every_16000_pages():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 16000


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_query_repeated_on_a_connection_is_prepared_once():
    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%django_content_type%"],
            )
            return cursor.fetchone()[0]

    before = prepared()
    for pk in range(1, 8):
        list(ContentType.objects.filter(pk=pk))  # the same SQL each time, the id sent apart
    assert prepared() == before + 1
