"""Ingest benchmark: messages per second through `supportdesk mail import` (stored, parsed,
threaded, indexed, ticket or reply created), on SQLite and PostgreSQL, one process.

    python bench/ingest.py --messages 2000            # SQLite, in a fresh temporary data directory
    python bench/ingest.py --messages 2000 --postgres  # PostgreSQL (database bench_ingest, recreated)

It runs three phases on one database: new requests only, replies only (one to each of those
requests, threaded by In-Reply-To), then a 70/30 mix, and prints messages/second for each: of
the whole command (its start-up of about a second included) and as the import reports it
(start-up excluded), with the database's ticket count before each phase.

To see whether the rate stays flat as the database grows, run it against a large existing
data set (`supportdesk bench seed`) instead of an empty database:

    python bench/ingest.py --data-dir /path/to/seeded/data/dir            # SQLite
    python bench/ingest.py --postgres --postgres-url postgresql://…/db --keep-database

Tasks run as in production: HUEY_IMMEDIATE is not set, so what the import hands to the worker
after commit (the "request received" acknowledgement, other notifications) is enqueued to
huey's queue (SQLite, in the data directory) and not run inside the import; no worker runs
during the benchmark, so their cost is not measured here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mailgen import generate, replies_to

ROOT = Path(__file__).resolve().parent.parent
MAILBOX = "support@bench.example"


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "supportdesk", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    # stdout only: the import's progress bar goes to stderr, its summary to stdout.
    return done.stdout


def write(messages: list[bytes], folder: Path) -> None:
    folder.mkdir(parents=True)
    for index, raw in enumerate(messages):
        (folder / f"{index:06d}.eml").write_bytes(raw)


def count_tickets(env: dict[str, str]) -> int:
    out = run(
        env, "shell", "-c", "from supportdesk.tickets.models import Ticket; print(Ticket.objects.count())"
    )
    return int(out.strip().splitlines()[-1])


IMPORT_RATE = re.compile(r"\(([\d.]+) messages/s\)")


def phase(env: dict[str, str], name: str, folder: Path, total: int) -> dict[str, object]:
    before = count_tickets(env)
    start = time.perf_counter()
    out = run(env, "mail", "import", str(folder), "--mailbox", MAILBOX)
    seconds = time.perf_counter() - start
    rate = total / seconds
    reported = IMPORT_RATE.search(out)
    import_rate = float(reported.group(1)) if reported else 0.0
    print(
        f"{name:<14} {total:>7} messages in {seconds:6.1f} s = {rate:6.0f} msg/s "
        f"(import alone {import_rate:4.0f} msg/s)   tickets before: {before}"
    )
    return {
        "phase": name,
        "messages": total,
        "seconds": round(seconds, 2),
        "msgs_per_s": round(rate, 1),
        "import_msgs_per_s": import_rate,
        "tickets_before": before,
        "summary": [line.strip() for line in out.strip().splitlines() if line.strip()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/bench_ingest")
    parser.add_argument(
        "--keep-database", action="store_true", help="import into the PostgreSQL database as it is"
    )
    parser.add_argument("--data-dir", help="an existing data directory to import into (SQLite and files)")
    parser.add_argument("--results-dir", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sd-ingest-"))
    env = {
        **{k: v for k, v in os.environ.items() if k != "HUEY_IMMEDIATE"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SUPPORTDESK_DATA_DIR": args.data_dir or str(work / "data"),
        "LOG_LEVEL": "WARNING",
    }
    if args.postgres:
        import psycopg

        if not args.keep_database:
            base, _, name = args.postgres_url.rpartition("/")
            with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
                connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = args.postgres_url
    else:
        env.pop("DATABASE_URL", None)
    run(env, "migrate", "-v0")
    run(
        env,
        "shell",
        "-c",
        "from supportdesk.channels.email.models import Mailbox; "
        f"Mailbox.objects.get_or_create(email_address='{MAILBOX}', defaults={{'name': 'Bench'}})",
    )

    new_count = args.messages
    news = generate(new_count, reply_fraction=0.0, to=MAILBOX, seed=1)
    # Replies to the requests just imported (threaded by In-Reply-To, from their senders).
    replies = replies_to(news, new_count, to=MAILBOX, seed=1)
    mix = generate(new_count, reply_fraction=0.3, to=MAILBOX, seed=2)
    write(news, work / "new")
    write(replies, work / "replies")
    write(mix, work / "mix")
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"engine: {engine}; messages per phase: {new_count}")
    results = [
        phase(env, "new requests", work / "new", len(news)),
        phase(env, "replies", work / "replies", len(replies)),
        phase(env, "70/30 mix", work / "mix", len(mix)),
    ]
    out = Path(args.results_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (out / f"ingest-{engine.lower()}-{stamp}.json").write_text(
        json.dumps({"engine": engine, "results": results}, indent=2)
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
