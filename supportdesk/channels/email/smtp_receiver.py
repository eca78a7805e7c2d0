"""The built-in SMTP receiver (aiosmtpd): mail servers deliver to us directly.

It accepts a recipient only when it belongs to an active mailbox (its address, an alias, or a
plus-address of either, which is how our signed reply addresses look) and refuses the others
with 550, so we never accept mail we cannot place. A message is answered 250 only after its
raw bytes and row are committed (`intake.store_inbound`): if we crash before that, the sending
server keeps the message and tries again, so nothing is lost. Messages over the size limit are
refused with 552 while they arrive. The raw bytes are stored exactly as received (no header
added: the same message delivered twice is then recognized by its hash); the SMTP envelope
goes into the row's details, where threading reads the envelope recipient.

Database work runs in a small thread pool: the ORM is synchronous and must not block the
event loop that serves the other connections.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections

from supportdesk.channels.email import thread_rules
from supportdesk.channels.email.choices import InboundSource, InboundStatus
from supportdesk.channels.email.conf import email_settings
from supportdesk.channels.email.models import InboundEmail, Mailbox
from supportdesk.channels.email.services.intake import store_inbound

log = logging.getLogger(__name__)

DIRECTORY_TTL = 30.0  # seconds a mailbox list is reused before it is read again
DB_THREADS = 4
MAX_RECIPIENTS = 100


class MailboxDirectory:
    """Which active mailbox an address belongs to (cached briefly: every RCPT asks)."""

    def __init__(self, ttl: float = DIRECTORY_TTL):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._loaded_at = -1e9
        self._by_address: dict[str, int] = {}

    def _load(self) -> dict[str, int]:
        with self._lock:
            if time.monotonic() - self._loaded_at > self.ttl:
                by_address: dict[str, int] = {}
                for mailbox in Mailbox.objects.filter(is_active=True).order_by("-is_default", "pk"):
                    for address in mailbox.addresses:
                        by_address.setdefault(address, mailbox.pk)
                self._by_address, self._loaded_at = by_address, time.monotonic()
            return self._by_address

    def mailbox_id(self, address: str) -> int | None:
        by_address = self._load()
        address = (address or "").strip().lower()
        return by_address.get(address) or by_address.get(thread_rules.base_address(address))

    def forget(self) -> None:
        with self._lock:
            self._loaded_at = -1e9


class IntakeHandler:
    """aiosmtpd handler: RCPT checks the recipient, DATA stores the message."""

    def __init__(
        self,
        directory: MailboxDirectory | None = None,
        *,
        process: bool = True,
        executor: Executor | None = None,
        manage_connections: bool = True,
    ):
        self.directory = directory or MailboxDirectory()
        self.process = process
        self.executor = executor or ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="smtp-db")
        # A long-running receiver drops database connections that broke or aged meanwhile
        # before each use (what Django does around every web request).
        self.manage_connections = manage_connections

    async def _in_thread(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    def _fresh_connection(self) -> None:
        if self.manage_connections:
            close_old_connections()

    def _lookup(self, address: str) -> int | None:
        self._fresh_connection()
        return self.directory.mailbox_id(address)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        try:
            mailbox_id = await self._in_thread(self._lookup, address)
        except Exception:
            log.exception("SMTP receiver: looking up %s failed", address)
            return "451 4.3.0 Temporary failure, please try again later"
        if mailbox_id is None:
            return "550 5.1.1 No mailbox here by that name"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    def _store(self, raw: bytes, mail_from: str, rcpt_tos: list[str], peer: str) -> InboundEmail:
        self._fresh_connection()
        mailbox_id = self.directory.mailbox_id(rcpt_tos[0])
        mailbox = Mailbox.objects.filter(pk=mailbox_id).first() if mailbox_id else None
        envelope = {"mail_from": mail_from, "rcpt_tos": rcpt_tos, "peer": peer}
        row, created = store_inbound(
            raw=raw,
            source=InboundSource.SMTP,
            mailbox=mailbox,
            source_ref=f"smtp to {', '.join(rcpt_tos)}"[:500],
            details={"envelope": envelope},
        )
        if self.process and (created or row.status == InboundStatus.RECEIVED):
            try:
                from supportdesk.channels.email.tasks_inbound import process_inbound_email

                process_inbound_email(row.pk)
            except Exception:
                # The message is stored, which is what the 250 promises; the periodic sweep
                # processes it later.
                log.exception("SMTP receiver: could not enqueue inbound email %s", row.pk)
        return row

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer or "")
        try:
            row = await self._in_thread(
                self._store, bytes(raw), str(envelope.mail_from or ""), list(envelope.rcpt_tos), peer
            )
        except Exception:
            log.exception("SMTP receiver: storing a message from %s failed", envelope.mail_from)
            return "451 4.3.0 Could not store the message now, please try again later"
        return f"250 2.0.0 Stored as {row.pk}"

    def close(self) -> None:
        self.executor.shutdown(wait=True)


def make_controller(
    *, host: str | None = None, port: int | None = None, handler: IntakeHandler | None = None
) -> Controller:
    """An aiosmtpd Controller (not started) on the configured address with our handler and the
    size limit of email_settings()."""
    conf = email_settings()
    return Controller(
        handler or IntakeHandler(),
        hostname=host or conf.receiver_host,
        port=port or conf.receiver_port,
        data_size_limit=conf.max_message_bytes,
        ident="supportdesk",
        server_hostname=None,
    )
