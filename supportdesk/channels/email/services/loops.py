"""Loop protection for the mail a machine writes (notifications), never for a person's reply.

Two help desks, or a help desk and an autoresponder, can answer each other for ever. We never
write automatically to our own addresses, to machine addresses (mailer-daemon, postmaster,
no-reply, list robots), in answer to mail that says it was written by a machine, nor more than
`auto_replies_per_sender_per_hour` times an hour to one address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from supportdesk.channels.email import thread_rules
from supportdesk.channels.email.choices import InboundSource
from supportdesk.channels.email.conf import email_settings
from supportdesk.channels.email.models import AutoReplyRecord, InboundEmail, Mailbox

# Local parts of addresses that belong to software, not people.
_MACHINE_LOCAL = re.compile(
    r"^("
    r"mailer[-_.]?daemon|postmaster|mail[-_.]?daemon|daemon|"
    r"no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|"
    r"bounces?|bounce[-_.+].*|"
    r"listserv|majordomo|mailman|owner-.+|.+-owner|.+-request|.+-bounces?"
    r")$",
    re.IGNORECASE,
)


def normalize_address(address: str) -> str:
    """Lower-cased bare address ('Ann <A@X.org>' → 'a@x.org'); '' when there is none."""
    bare = parseaddr(address or "")[1] or (address or "")
    bare = bare.strip().lower()
    return bare if "@" in bare else ""


def own_addresses() -> frozenset[str]:
    """Every address mail to us arrives at: each mailbox (active or not) and its aliases, and
    the site's own sender address."""
    found: set[str] = set()
    for address, aliases in Mailbox.objects.values_list("email_address", "aliases"):
        found.add(address.strip().lower())
        found.update(line.strip().lower() for line in (aliases or "").splitlines() if line.strip())
    site = normalize_address(settings.DEFAULT_FROM_EMAIL)
    if site:
        found.add(site)
    return frozenset(found)


def is_own_address(address: str, own: Iterable[str]) -> bool:
    """Whether `address` is one of ours (see thread_rules.is_own_address), the reply domain of
    the settings included, exactly as intake decides it."""
    bare = normalize_address(address)
    own_set = own if isinstance(own, frozenset) else frozenset(own)
    return bool(bare) and thread_rules.is_own_address(bare, own_set, email_settings().reply_domain)


def is_machine_address(address: str) -> bool:
    """mailer-daemon@, postmaster@, no-reply@, list robots (owner-x@, x-request@) and alike."""
    bare = normalize_address(address)
    if not bare:
        return False
    local = thread_rules.base_address(bare).partition("@")[0]
    return bool(_MACHINE_LOCAL.match(local))


def blocked_reason(address: str, own: Iterable[str]) -> str:
    """Why automatic mail must not go to `address` ("" when it may)."""
    if not normalize_address(address):
        return "no usable address"
    if is_own_address(address, own):
        return "one of our own addresses"
    if is_machine_address(address):
        return "a machine address"
    return ""


def triggered_by_automatic_mail(*, message_id: int | None = None, ticket_id: int | None = None) -> bool:
    """Whether the mail that brought in this message (or opened this ticket) was written by a
    machine. The intake sets InboundEmail.is_automatic and links the message (and ticket)."""
    condition = Q()
    if message_id is not None:
        condition |= Q(message_id=message_id)
    if ticket_id is not None:
        condition |= Q(ticket_id=ticket_id, message__isnull=True)
    if not condition:
        return False
    return InboundEmail.objects.filter(condition, is_automatic=True).exists()


# Mail that came in by `supportdesk mail import`: history, not a conversation happening now.
IMPORTED = Q(source=InboundSource.IMPORT)


_importing: ContextVar[bool] = ContextVar("channel_email_importing", default=False)


@contextmanager
def importing() -> Iterator[None]:
    """Mark the block as a `mail import` run: what it writes is history that sends no mail
    (`imported`), so the notification handlers skip even queueing their tasks."""
    token = _importing.set(True)
    try:
        yield
    finally:
        _importing.reset(token)


def is_importing() -> bool:
    return _importing.get()


def imported(message_id: int | None) -> bool:
    """Whether the message was imported, so it causes no acknowledgement or notification."""
    if message_id is None:
        return False
    return InboundEmail.objects.filter(IMPORTED, message_id=message_id).exists()


def over_rate_limit(address: str) -> bool:
    """True when `address` already had its share of automatic mail this hour."""
    limit = email_settings().auto_replies_per_sender_per_hour
    since = timezone.now() - timedelta(hours=1)
    sent = AutoReplyRecord.objects.filter(recipient=normalize_address(address), sent_at__gte=since)
    return sent.count() >= limit


def record_automatic_mail(address: str) -> None:
    AutoReplyRecord.objects.create(recipient=normalize_address(address)[:254])


def forget_old_records(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete rate-limit records nobody reads any more (only the last hour counts)."""
    deleted, _ = AutoReplyRecord.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted
