"""Mail intake: every raw email is stored first, then processed into a ticket, a reply, a bounce
record, a duplicate, or a quarantine entry an administrator can retry or discard.

Two steps, each safe to repeat and to interrupt at any point:

1. `store_inbound` writes the raw bytes (a content-addressed file) and one InboundEmail row in
   a short transaction, before anything parses the mail. Storing the same bytes for the same
   mailbox again returns the row already there, so a message fetched or delivered twice is
   kept once; a concurrent identical store loses on the unique constraint and returns the
   winner's row.
2. `process_inbound` turns a RECEIVED row into its outcome. It parses outside any transaction,
   then decides the thread and writes through the ticket services in ONE transaction together
   with the row's new status, so a crash leaves the row RECEIVED with nothing written (and it
   is processed again), never half-done. Bad mail never raises: it is quarantined with the
   reason, its raw bytes kept.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.channels.email import thread_rules
from supportdesk.channels.email.choices import InboundSource, InboundStatus
from supportdesk.channels.email.conf import email_settings
from supportdesk.channels.email.models import InboundEmail, Mailbox, raw_path
from supportdesk.channels.email.parsing import MailParseError, ParsedMail, parse_message
from supportdesk.channels.email.services import intake_lane
from supportdesk.channels.email.services.intake_apply import Outcome, Refused, apply_parsed
from supportdesk.channels.email.services.intake_content import MailContent, build_content
from supportdesk.channels.email.services.refusals import parse_refusal
from supportdesk.core.batch import batch_scope
from supportdesk.core.errors import DomainError

log = logging.getLogger(__name__)

# A message whose processing was started this many times without finishing (the worker died
# on it: out of memory, killed) is quarantined instead of being tried forever.
MAX_ATTEMPTS = 3
REASON_LIMIT = 2_000


# -- step 1: store ----------------------------------------------------------------------------
def _write_raw(name: str, raw: bytes, *, durable: bool) -> str:
    """Write `raw` under `name` in the default storage and return the name it got.

    On the local file system the file is written to a temporary name and renamed into place,
    so a crash never leaves a partial file under the content-addressed name; `durable` also
    flushes it to disk (fsync) before the row that points at it commits. Imports skip the
    fsync: their source file is still on disk, and re-running the import stores it again."""
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        path = storage.path(name)
        try:
            if os.path.getsize(path) == len(raw):
                return name  # the same bytes are already there (content-addressed)
        except OSError:
            pass
        temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            handle = open(temporary, "wb")  # noqa: SIM115 (closed by the with block below)
        except FileNotFoundError:  # the first file of its folder (cheaper than makedirs each time)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            handle = open(temporary, "wb")  # noqa: SIM115
        with handle:
            handle.write(raw)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
        return name
    if storage.exists(name) and storage.size(name) == len(raw):
        return name
    return storage.save(name, ContentFile(raw))


def _existing(mailbox_id: int | None, digest: str) -> InboundEmail | None:
    rows = InboundEmail.objects.filter(sha256=digest)
    if mailbox_id is None:
        return rows.filter(mailbox__isnull=True).first()
    return rows.filter(mailbox_id=mailbox_id).first()


def store_inbound(
    *,
    raw: bytes,
    source: str,
    mailbox: Mailbox | None = None,
    source_ref: str = "",
    details: dict[str, Any] | None = None,
) -> tuple[InboundEmail, bool]:
    """Keep `raw` durably, before any parsing: (the row, whether it was created now).

    Writes the content-addressed raw file, then inserts the InboundEmail row (sha256, size,
    the Message-ID read cheaply from the header block, `details` such as the SMTP envelope) in
    one short transaction. The same bytes for the same mailbox give back the existing row.
    Locks nothing beyond the insert; emits nothing (callers enqueue the processing)."""
    return _store(raw=raw, source=source, mailbox=mailbox, source_ref=source_ref, details=details)


def _store(
    *,
    raw: bytes,
    source: str,
    mailbox: Mailbox | None,
    source_ref: str = "",
    details: dict[str, Any] | None = None,
    claimed: bool = False,
) -> tuple[InboundEmail, bool]:
    """`store_inbound`; `claimed` stores a new row with its first processing attempt already
    counted, for a caller that processes it right away (the import command: one write less)."""
    if source not in InboundSource.values:
        raise ValueError(f"unknown inbound source {source!r}")
    row = _unsaved_row(
        raw, source=source, mailbox=mailbox, source_ref=source_ref, details=details, claimed=claimed
    )
    try:
        # Insert straight away (new mail is the common case); the unique constraint tells a
        # message stored before, including by a concurrent identical store a moment ago.
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        if (found := _existing(mailbox.pk if mailbox is not None else None, row.sha256)) is not None:
            return found, False
        raise
    return row, True


def _unsaved_row(
    raw: bytes,
    *,
    source: str,
    mailbox: Mailbox | None,
    source_ref: str = "",
    details: dict[str, Any] | None = None,
    claimed: bool = False,
) -> InboundEmail:
    """The InboundEmail row for `raw`, not saved yet, with its raw file already written: the
    file first, so a row never points at bytes that are not there. Writing the same bytes again
    (a message seen before) finds the file in place and costs nothing."""
    row = InboundEmail(
        mailbox=mailbox,
        source=source,
        source_ref=source_ref[:500],
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        message_id_header=thread_rules.cheap_message_id(raw),
        details=details or {},
        attempts=1 if claimed else 0,
    )
    row.raw.name = _write_raw(raw_path(row, ""), raw, durable=source != InboundSource.IMPORT)
    return row


def store_import_batch(
    items: Sequence[tuple[bytes, str]], *, mailbox: Mailbox | None
) -> list[tuple[InboundEmail, bool]]:
    """`_store(raw=raw, source=IMPORT, mailbox=mailbox, source_ref=label, claimed=True)` for
    many messages (raw bytes, label) at once, for the import command: the raw files are written
    first, then the rows already stored are read in one statement and the new ones inserted in
    one (one transaction for the batch instead of one per message). The same bytes twice in
    the batch give the first row back for the second. A unique-constraint failure (a concurrent
    identical store) falls back to storing the batch row by row, which sorts it out."""
    prepared = [
        (
            _unsaved_row(raw, source=InboundSource.IMPORT, mailbox=mailbox, source_ref=label, claimed=True),
            raw,
        )
        for raw, label in items
    ]
    rows = InboundEmail.objects.filter(sha256__in={row.sha256 for row, _raw in prepared})
    rows = rows.filter(mailbox__isnull=True) if mailbox is None else rows.filter(mailbox=mailbox)
    known: dict[str, InboundEmail] = {row.sha256: row for row in rows}
    fresh: dict[str, InboundEmail] = {}
    for row, _raw in prepared:
        if row.sha256 not in known:
            fresh.setdefault(row.sha256, row)
    try:
        with transaction.atomic():
            InboundEmail.objects.bulk_create(list(fresh.values()))
    except IntegrityError:
        return [
            _store(raw=raw, source=row.source, mailbox=mailbox, source_ref=row.source_ref, claimed=True)
            for row, raw in prepared
        ]
    results: list[tuple[InboundEmail, bool]] = []
    for row, _raw in prepared:
        if row.sha256 in known:
            results.append((known[row.sha256], False))
        elif fresh[row.sha256] is row:
            results.append((row, True))
        else:
            results.append((fresh[row.sha256], False))
    return results


# -- step 2: process --------------------------------------------------------------------------
def process_inbound(inbound_id: int) -> InboundEmail:
    """Process a stored email (idempotent: only a RECEIVED row is processed).

    Parses it (with the size limit of email_settings()); a MailParseError or any unexpected
    error quarantines it with the reason (the error is logged, the raw kept). Otherwise decides
    the thread and writes the ticket or reply, the EmailLink of its Message-ID and the row's
    outcome in one transaction (the row is locked first). A Message-ID already received makes
    it DUPLICATE; a delivery report marks our sent email bounced (outcome BOUNCE); mail from our
    own addresses is DISCARDED. Ticket services emit their events after commit."""
    process_stored(inbound_id)
    return InboundEmail.objects.get(pk=inbound_id)


@dataclass(frozen=True)
class Result:
    """What became of a message (enough for a summary without reading the row again)."""

    inbound_id: int
    status: str
    outcome: str = ""
    reason: str = ""
    ticket_id: int | None = None


def process_stored(inbound_id: int, *, raw: bytes | None = None, claimed: bool = False) -> Result:
    """`process_inbound` without reading the row back. The import command passes the raw
    bytes it still holds (no file read) and `claimed` for a row it stored with the attempt
    already counted (`_store(claimed=True)`)."""
    prepared = _prepare(inbound_id, raw=raw, claimed=claimed)
    if isinstance(prepared, Result):
        return prepared
    return _write(inbound_id, prepared)


def process_stored_batch(items: Sequence[tuple[int, bytes]]) -> list[Result]:
    """`process_stored(id, raw=raw, claimed=True)` for many stored rows (id, raw bytes) at once,
    for the import command: `write_parsed_batch(parse_batch(items))`."""
    return write_parsed_batch(parse_batch(items))


@dataclass(frozen=True)
class Unparsed:
    """Why a stored message cannot be parsed: its quarantine reason, decided without the
    database."""

    reason: str
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class ParsedItem:
    inbound_id: int
    parsed: ParsedMail | Unparsed
    content: MailContent | None  # built ahead for the fast lane; None when it could not be


def parse_batch(items: Sequence[tuple[int, bytes]]) -> list[ParsedItem]:
    """The CPU half of processing a batch of stored rows (id, raw bytes, attempt counted):
    parsing and content building, without the database, so the import command runs it in a
    second thread while the batch before is written (the writes wait on the database, and
    the parsing uses that time)."""
    limit = email_settings().max_message_bytes
    prepared = []
    for inbound_id, raw in items:
        parsed = _parse(inbound_id, raw, limit=limit)
        content = None
        if isinstance(parsed, ParsedMail):
            try:
                content = build_content(parsed)
            except Exception:  # the ordinary path builds it again and quarantines what fails
                content = None
        prepared.append(ParsedItem(inbound_id, parsed, content))
    return prepared


def write_parsed_batch(prepared: Sequence[ParsedItem]) -> list[Result]:
    """The database half: quarantine what could not be parsed, then write every other message
    in ONE transaction, with the mailboxes and the ticket taxonomy defaults read once
    (core.batch): new requests and requesters' replies together through the fast lane
    (intake_lane), every other message alone in a savepoint of its own (a message that fails is
    quarantined alone), in the batch's order. Until that transaction commits the rows stay
    RECEIVED: a crash loses nothing and the next run processes them again. Events of the batch
    are published when it commits."""
    results: dict[int, Result] = {}
    ready: list[tuple[int, ParsedMail]] = []
    contents: dict[int, MailContent] = {}
    for item in prepared:
        if isinstance(item.parsed, Unparsed):
            reason, details = item.parsed.reason, item.parsed.details
            results[item.inbound_id] = _quarantine(item.inbound_id, reason, details=details)
            continue
        ready.append((item.inbound_id, item.parsed))
        if item.content is not None:
            contents[item.inbound_id] = item.content
    if ready:
        with transaction.atomic(), batch_scope():
            # The batch's rows locked and read in one statement (the lock lasts until the
            # batch commits; a savepoint rolled back does not release it).
            rows = {
                row[0]: row[1:]
                for row in InboundEmail.objects.select_for_update(of=("self",))
                .filter(pk__in=[inbound_id for inbound_id, _parsed in ready])
                .order_by("pk")
                .values_list("pk", *_CURRENT)
            }
            facts = intake_lane.BatchFacts([parsed for _inbound_id, parsed in ready])
            lane: list[intake_lane.LaneItem] = []

            def ordinary(item: intake_lane.LaneItem) -> None:
                parsed = item.mail.parsed
                results[item.inbound_id] = _write(item.inbound_id, parsed, current=rows[item.inbound_id])

            def write_lane() -> None:
                for done in intake_lane.write_lane(lane, ordinary):
                    results[done.inbound_id] = Result(
                        done.inbound_id, InboundStatus.PROCESSED, done.outcome, ticket_id=done.ticket_id
                    )
                lane.clear()

            for inbound_id, parsed in ready:
                if facts.follows_earlier(parsed):
                    write_lane()
                    facts.refresh(parsed)
                if (current := rows.get(inbound_id)) is None:
                    results[inbound_id] = Result(inbound_id, "")
                elif (
                    item := intake_lane.lane_item(
                        inbound_id, current, parsed, facts, content=contents.get(inbound_id)
                    )
                ) is not None:
                    lane.append(item)
                else:
                    write_lane()
                    results[inbound_id] = _write(inbound_id, parsed, current=current)
            write_lane()
    return [results[item.inbound_id] for item in prepared]


def _prepare(inbound_id: int, *, raw: bytes | None, claimed: bool) -> ParsedMail | Result:
    """Claim (unless `claimed`), check and parse: the parsed mail, or the Result of a message
    that was not waiting or was quarantined."""
    if claimed:
        attempts, size = 1, len(raw or b"")
    else:
        claim = _claim(inbound_id)
        if claim is None:
            status = InboundEmail.objects.filter(pk=inbound_id).values_list("status", flat=True).first()
            return Result(inbound_id, str(status or ""))
        attempts, size = claim
    if attempts > MAX_ATTEMPTS:
        return _quarantine(
            inbound_id,
            _(
                "Processing this message was interrupted %(n)d times (the worker stopped while "
                "handling it), so it was set aside to keep the mailbox moving."
            )
            % {"n": attempts - 1},
        )
    limit = email_settings().max_message_bytes
    if (too_large := _too_large(size, limit)) is not None:  # before reading it into memory
        return _quarantine(inbound_id, too_large.reason)
    try:
        data = raw if raw is not None else _read_raw(inbound_id)
    except (OSError, InboundEmail.DoesNotExist) as error:
        log.exception("inbound email %s: the raw file cannot be read", inbound_id)
        return _quarantine(inbound_id, _("The stored message cannot be read: %(error)s") % {"error": error})
    parsed = _parse(inbound_id, data, limit=limit)
    if isinstance(parsed, Unparsed):
        return _quarantine(inbound_id, parsed.reason, details=parsed.details)
    return parsed


def _too_large(size: int, limit: int) -> Unparsed | None:
    if size <= limit:
        return None
    return Unparsed(
        _("The message is larger than the limit of %(limit)d bytes (%(size)d bytes).")
        % {"limit": limit, "size": size}
    )


def _parse(inbound_id: int, data: bytes, *, limit: int) -> ParsedMail | Unparsed:
    """Parse within the size limit; a message that cannot be parsed gets its reason (no
    database: the import runs this in a thread of its own)."""
    if (too_large := _too_large(len(data), limit)) is not None:
        return too_large
    try:
        return parse_message(data, max_bytes=limit)
    except MailParseError as error:
        return Unparsed(parse_refusal(error))
    except Exception as error:
        log.exception("inbound email %s: the parser failed", inbound_id)
        return Unparsed(_unexpected(error), details={"error": type(error).__name__})


def _claim(inbound_id: int) -> tuple[int, int] | None:
    """Count the attempt, committed before the risky work starts (so a message that kills the
    worker is noticed): (attempts, size), or None when the row is not waiting to be processed.
    One statement (UPDATE … RETURNING, on SQLite and PostgreSQL alike)."""
    table = connection.ops.quote_name(InboundEmail._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET attempts = attempts + 1 WHERE id = %s AND status = %s "  # noqa: S608
            "RETURNING attempts, size",
            [inbound_id, InboundStatus.RECEIVED],
        )
        row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else None


def _read_raw(inbound_id: int) -> bytes:
    name = InboundEmail.objects.filter(pk=inbound_id).values_list("raw", flat=True).get()
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


def _unexpected(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"[:500]
    return _("An unexpected error stopped the processing of this message (%(error)s).") % {"error": text}


_CURRENT = ("status", "mailbox_id", "source", "details")


def _write(inbound_id: int, parsed: ParsedMail, *, current: tuple[Any, ...] | None = None) -> Result:
    """Decide and write in one transaction; a failure anywhere rolls everything back and the
    message is quarantined with the reason instead. `current` is the row's _CURRENT values,
    read and locked by the caller (a batch); otherwise they are read here."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                row = current
                if row is None:
                    row = (
                        InboundEmail.objects.select_for_update(of=("self",))
                        .filter(pk=inbound_id)
                        .values_list(*_CURRENT)
                        .get()
                    )
                if row[0] != InboundStatus.RECEIVED:
                    return Result(inbound_id, row[0])  # processed by somebody else meanwhile
                inbound = InboundEmail(pk=inbound_id, mailbox_id=row[1], source=row[2], details=row[3])
                details: dict[str, Any] = dict(row[3] or {})
                outcome = apply_parsed(inbound, parsed, details)
                _record(inbound_id, outcome, details)
            return Result(inbound_id, outcome.status, outcome.outcome, outcome.reason, outcome.ticket_id)
        except IntegrityError:
            # Another worker linked the same Message-ID a moment ago: run again, which now
            # finds it and records a duplicate. A second failure is a real problem.
            if attempt == 2:
                log.exception("inbound email %s: integrity error twice", inbound_id)
                return _quarantine(inbound_id, _("The message conflicts with data stored meanwhile."))
        except Refused as refusal:
            return _quarantine(inbound_id, refusal.reason, details=refusal.details)
        except DomainError as error:
            return _quarantine(
                inbound_id,
                _("The ticket could not be written: %(error)s") % {"error": error.message},
                details={"code": error.code, "errors": error.details},
            )
        except Exception as error:
            log.exception("inbound email %s: processing failed", inbound_id)
            return _quarantine(inbound_id, _unexpected(error), details={"error": type(error).__name__})
    raise AssertionError("not reached")


def _record(inbound_id: int, outcome: Outcome, details: dict[str, Any]) -> None:
    InboundEmail.objects.filter(pk=inbound_id).update(
        status=outcome.status,
        outcome=outcome.outcome,
        reason=outcome.reason[:REASON_LIMIT],
        is_automatic=outcome.is_automatic,
        ticket_id=outcome.ticket_id,
        message_id=outcome.message_id,
        processed_at=timezone.now(),
        details=details,
    )


def _quarantine(inbound_id: int, reason: str, *, details: dict[str, Any] | None = None) -> Result:
    row = finish_inbound(inbound_id, status=InboundStatus.QUARANTINED, reason=reason, details=details)
    return Result(inbound_id, row.status, row.outcome, row.reason, row.ticket_id)


def finish_inbound(
    inbound_id: int,
    *,
    status: str,
    reason: str,
    outcome: str = "",
    details: dict[str, Any] | None = None,
) -> InboundEmail:
    """Give a RECEIVED row its final status without a ticket (quarantine, discard). Locks the
    row; a row another worker finished meanwhile is returned unchanged."""
    with transaction.atomic():
        row = InboundEmail.objects.select_for_update(of=("self",)).get(pk=inbound_id)
        if row.status != InboundStatus.RECEIVED:
            return row
        row.status, row.outcome, row.reason = status, outcome, reason[:REASON_LIMIT]
        row.processed_at = timezone.now()
        if details:
            row.details = {**row.details, **details}
        row.save(update_fields=["status", "outcome", "reason", "processed_at", "details"])
    if status == InboundStatus.QUARANTINED:
        log.warning("inbound email %s quarantined: %s", inbound_id, reason)
    return row


__all__ = [
    "Result",
    "finish_inbound",
    "parse_batch",
    "process_inbound",
    "process_stored",
    "process_stored_batch",
    "store_import_batch",
    "store_inbound",
    "write_parsed_batch",
]
