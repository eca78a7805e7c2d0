"""`supportdesk mail`: the email channel from the command line.

supportdesk mail import PATH [--mailbox ADDRESS] [--queue]
    Import .eml files, directories of them (recursively) and mbox files. Every message is
    stored first (committed MAIL_IMPORT_BATCH at a time, 200 by default), then processed
    before the command returns, in batches written in one transaction each (with --queue the
    worker processes them instead). A crash leaves a batch's rows RECEIVED, and the next run
    processes them again. Ends with a summary; re-running it is safe (stored messages
    are recognized and not imported twice).
supportdesk mail receive [--host HOST] [--port PORT]
    Run the built-in SMTP receiver until Ctrl-C or SIGTERM.
supportdesk mail fetch [--mailbox ADDRESS]
    Poll the IMAP mailboxes now (all active ones, or one) and process what arrives.
"""

from __future__ import annotations

import mailbox as mbox_module
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.channels.email.choices import InboundOutcome, InboundSource, InboundStatus
from supportdesk.channels.email.conf import email_settings
from supportdesk.channels.email.models import InboundEmail, Mailbox
from supportdesk.channels.email.services import loops
from supportdesk.channels.email.services.intake import (
    ParsedItem,
    Result,
    _store,
    parse_batch,
    process_stored,
    store_import_batch,
    write_parsed_batch,
)
from supportdesk.core.tasks import refresh_statistics

SUMMARY_ROWS = [
    ("new_ticket", "tickets created"),
    ("reply", "replies threaded"),
    ("follow_up", "follow-ups"),
    ("bounce", "bounces"),
    ("ignored", "ignored"),
    ("duplicate", "duplicates"),
    ("quarantined", "quarantined"),
    ("discarded", "discarded"),
    ("already", "already imported"),
    ("queued", "queued for the worker"),
    ("unreadable", "unreadable files"),
]


def summary_key(row: InboundEmail | Result) -> str:
    if row.status == InboundStatus.PROCESSED:
        return str(row.outcome or InboundOutcome.IGNORED)
    if row.status == InboundStatus.RECEIVED:
        return "queued"
    return str(row.status)


class Progress:
    """A plain-text progress bar on a stream (stderr): redrawn in place on a terminal, a line
    every tenth of the way otherwise (logs, CI)."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO):
        self.total, self.stream = max(total, 0), stream
        self.done = 0
        self.started = time.monotonic()
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._drawn_at = 0.0
        self._last_tenth = -1

    def step(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.tty:
            if now - self._drawn_at >= 0.1 or self.done >= self.total:
                self._drawn_at = now
                self.stream.write("\r" + self.line())
                self.stream.flush()
        else:
            tenth = (10 * self.done) // self.total if self.total else 10
            if tenth != self._last_tenth:
                self._last_tenth = tenth
                self.stream.write(self.line() + "\n")
                self.stream.flush()

    def line(self) -> str:
        total = self.total or 1
        filled = int(self.WIDTH * min(self.done, total) / total)
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        return f"[{bar}] {self.done}/{self.total} {100 * self.done // total:3d}%  {rate:6.0f} msg/s"

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()


def is_mbox(path: Path) -> bool:
    """An mbox starts with a "From " separator line; an .eml file starts with a header."""
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def collect(path: Path) -> list[tuple[Path, bool]]:
    """The files to import under `path` (sorted, hidden files skipped), each with whether it
    is an mbox."""
    if path.is_file():
        return [(path, is_mbox(path))]
    files = [
        p
        for p in sorted(path.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
    ]
    return [(p, is_mbox(p)) for p in files]


def count_messages(files: list[tuple[Path, bool]]) -> int:
    total = 0
    for path, mbox in files:
        if not mbox:
            total += 1
            continue
        try:
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.startswith(b"From "))
        except OSError:
            total += 1
    return total


def messages(files: list[tuple[Path, bool]], errors: list[str]) -> Iterator[tuple[str, bytes]]:
    """(where it came from, raw bytes) of every message, files in order."""
    for path, mbox in files:
        if not mbox:
            try:
                yield str(path), path.read_bytes()
            except OSError as error:
                errors.append(f"{path}: {error.strerror or error}")
            continue
        try:
            box = mbox_module.mbox(str(path), create=False)
            keys = list(box.keys())
        except (OSError, mbox_module.Error) as error:
            errors.append(f"{path}: {error}")
            continue
        try:
            for index, key in enumerate(keys):
                yield f"{path}#{index + 1}", box.get_bytes(key)
        finally:
            box.close()


def find_mailbox(address: str | None) -> Mailbox | None:
    """The mailbox with this address (or alias); without one, the default mailbox, if any."""
    if not address:
        return Mailbox.objects.filter(is_default=True).first()
    address = address.strip().lower()
    found = Mailbox.objects.filter(email_address__iexact=address).first()
    if found is None:
        found = next(
            (m for m in Mailbox.objects.filter(aliases__icontains=address) if address in m.addresses), None
        )
    if found is None:
        raise CommandError(f"No mailbox has the address {address}.")
    return found


# An import of at least this many messages asks the worker to refresh the planner statistics.
STATISTICS_AFTER = 1000


class Command(BaseCommand):
    help = "The email channel: import mail files, run the SMTP receiver, fetch IMAP mailboxes now."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,receive,fetch}")
        importing = actions.add_parser("import", help="import .eml files, directories and mbox files")
        importing.add_argument("path", help="an .eml file, an mbox file or a directory")
        importing.add_argument(
            "--mailbox", help="the mailbox the mail was sent to (default: the default one)"
        )
        importing.add_argument(
            "--queue", action="store_true", help="store only, and let the worker process the messages"
        )
        receiving = actions.add_parser("receive", help="run the SMTP receiver until stopped")
        receiving.add_argument("--host", help="address to listen on (default: MAIL_RECEIVER_HOST)")
        receiving.add_argument("--port", type=int, help="port to listen on (default: MAIL_RECEIVER_PORT)")
        fetching = actions.add_parser("fetch", help="poll the IMAP mailboxes now")
        fetching.add_argument("--mailbox", help="only this mailbox (its address)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self.import_path(Path(options["path"]), options.get("mailbox"), queue=options["queue"])
        elif action == "receive":
            self.receive(options.get("host"), options.get("port"))
        else:
            self.fetch(options.get("mailbox"))

    # -- import ---------------------------------------------------------------------------------
    def import_path(self, path: Path, address: str | None, *, queue: bool) -> Counter[str]:
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        if not (path.is_file() or path.is_dir()):
            raise CommandError(f"{path} is neither a file nor a directory.")
        try:
            files = collect(path)
        except OSError as error:
            raise CommandError(f"{path} cannot be read: {error.strerror or error}") from None
        target = find_mailbox(address)
        total = count_messages(files)
        progress = Progress(total, self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr)
        counts: Counter[str] = Counter()
        errors: list[str] = []
        started = time.monotonic()
        enqueue = None
        if queue:
            from supportdesk.channels.email.tasks_inbound import process_inbound_email as enqueue
        batch: list[tuple[int, bytes]] = []
        batch_size = email_settings().import_batch
        # Batch N+1 is parsed in a second thread while batch N is written: the writes wait on
        # the database (the GIL released), and the parsing takes that time.
        parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-import-parse")
        parsing: list[Future[list[ParsedItem]]] = []

        def write_parsed() -> None:
            while parsing:
                prepared = parsing.pop(0).result()
                with loops.importing():  # the batch's events are published inside, on commit
                    results = write_parsed_batch(prepared)
                for result in results:
                    counts[summary_key(result)] += 1
                progress.step(len(prepared))

        def flush() -> None:
            """Hand the batch to the parsing thread, then write the batch parsed before."""
            handed = parser.submit(parse_batch, list(batch)) if batch else None
            batch.clear()
            write_parsed()
            if handed is not None:
                parsing.append(handed)

        taken: set[int] = set()  # the rows of this run handed to a batch

        def handle_stored(row: InboundEmail, created: bool, raw: bytes) -> None:
            if not created and (row.status != InboundStatus.RECEIVED or row.pk in taken):
                counts["already"] += 1
                progress.step()
            elif enqueue is not None:
                enqueue(row.pk)
                counts["queued"] += 1
                progress.step()
            elif created:
                taken.add(row.pk)
                batch.append((row.pk, raw))
                if len(batch) >= batch_size:
                    flush()
            else:
                # Left RECEIVED by an interrupted run: it may be the message that stopped it,
                # so it is claimed (the attempt counted) and processed on its own, after the
                # new messages before it and before those after it.
                flush()
                write_parsed()
                counts[summary_key(process_stored(row.pk, raw=raw))] += 1
                progress.step()

        pending: list[tuple[bytes, str]] = []

        def store_pending() -> None:
            # Stored a batch at a time (one transaction), each new row with its first attempt
            # counted (one write less); a row found from an earlier run is claimed as usual.
            stored = store_import_batch(pending, mailbox=target)
            for (raw, _label), (row, created) in zip(pending, stored, strict=True):
                handle_stored(row, created, raw)
            pending.clear()

        for label, raw in messages(files, errors):
            if enqueue is not None:
                row, created = _store(raw=raw, source=InboundSource.IMPORT, mailbox=target, source_ref=label)
                handle_stored(row, created, raw)
                continue
            pending.append((raw, label))
            if len(pending) >= batch_size:
                store_pending()
        try:
            if pending:
                store_pending()
            flush()
            write_parsed()
        finally:
            parser.shutdown(cancel_futures=True)
        progress.finish()
        if sum(counts.values()) >= STATISTICS_AFTER:
            # Thousands of new rows can leave SQLite's planner statistics far from the truth
            # (core.maintenance); the worker refreshes the stale ones now rather than tonight.
            refresh_statistics()
        counts["unreadable"] += len(errors)
        for error in errors[:20]:
            self.stderr.write(f"Could not read {error}")
        self._summary(path, counts, time.monotonic() - started)
        return counts

    def _summary(self, path: Path, counts: Counter[str], seconds: float) -> None:
        handled = sum(v for k, v in counts.items() if k != "unreadable")
        rate = handled / seconds if seconds > 0 else 0.0
        lines = [f"Imported {handled} messages from {path} in {seconds:.1f} s ({rate:.0f} messages/s):"]
        for key, label in SUMMARY_ROWS:
            if counts.get(key) or key in ("new_ticket", "reply", "duplicate", "quarantined"):
                lines.append(f"  {label:<24}{counts.get(key, 0):>8}")
        if counts.get("quarantined"):
            lines.append(
                "Quarantined messages are listed, with the reason, in Settings → Email → Quarantine."
            )
        self.stdout.write("\n".join(lines))

    # -- receive --------------------------------------------------------------------------------
    def receive(self, host: str | None, port: int | None) -> None:
        from supportdesk.channels.email.smtp_receiver import IntakeHandler, make_controller

        handler = IntakeHandler()
        controller = make_controller(host=host, port=port, handler=handler)
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, request_stop)
        try:
            controller.start()
        except Exception as error:
            raise CommandError(
                f"Cannot receive mail on {controller.hostname}:{controller.port}: {error}"
            ) from None
        self.stdout.write(f"Receiving mail by SMTP on {controller.hostname}:{controller.port}")
        self.stdout.flush()
        try:
            while not stop.wait(0.5):
                pass
        finally:
            controller.stop()
            handler.close()
        self.stdout.write("SMTP receiver stopped.")

    # -- fetch ----------------------------------------------------------------------------------
    def fetch(self, address: str | None) -> None:
        from huey.contrib.djhuey import HUEY
        from huey.exceptions import TaskLockedException

        from supportdesk.channels.email.imap import fetch_mailbox
        from supportdesk.channels.email.tasks_inbound import fetch_lock_name

        boxes = list(Mailbox.objects.filter(is_active=True, imap_enabled=True).order_by("name"))
        if address:
            wanted = address.strip().lower()
            boxes = [mailbox for mailbox in boxes if wanted in mailbox.addresses]
            if not boxes:
                raise CommandError(f"No active IMAP mailbox has the address {wanted}.")
        failed = 0
        for mailbox in boxes:
            counts: Counter[str] = Counter()

            def process(row: InboundEmail, created: bool, counts: Counter[str] = counts) -> None:
                counts[summary_key(process_stored(row.pk))] += 1

            try:
                # The worker's lock: a mailbox is never fetched twice at once.
                with HUEY.lock_task(fetch_lock_name(mailbox.pk)):
                    result = fetch_mailbox(mailbox.pk, on_stored=process)
            except TaskLockedException:
                self.stdout.write(f"{mailbox.email_address}: being fetched by the worker right now; skipped")
                continue
            if result.ok:
                done = ", ".join(f"{label} {counts[key]}" for key, label in SUMMARY_ROWS if counts.get(key))
                self.stdout.write(
                    f"{mailbox.email_address}: {result.fetched} fetched, {result.stored} new"
                    + (f" ({done})" if done else "")
                )
            else:
                failed += 1
                self.stderr.write(f"{mailbox.email_address}: {result.error}")
        if failed:
            raise CommandError(f"{failed} mailbox(es) could not be fetched.")
