"""Reply addresses that carry a signed ticket number: support+t123-k3j9x2m1qa@example.com.

The signature (an HMAC keyed with SECRET_KEY) means nobody can guess the address of someone
else's ticket and slip a message into it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable

from django.conf import settings

_TOKEN = re.compile(r"^t(\d{1,18})-([a-z2-7]{10})$")


def _signature(ticket_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"reply:{ticket_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:10]


def reply_address(address: str, ticket_id: int) -> str:
    """`address` (a mailbox's) with the ticket's signed token in its plus part."""
    local, _, domain = address.partition("@")
    return f"{local.split('+')[0]}+t{ticket_id}-{_signature(ticket_id)}@{domain}"


def ticket_id_from_address(address: str) -> int | None:
    """The ticket number in a reply address, if its signature is right."""
    local = address.strip().lower().partition("@")[0]
    if "+" not in local:
        return None
    match = _TOKEN.match(local.split("+", 1)[1])
    if match is None:
        return None
    ticket_id = int(match.group(1))
    return ticket_id if hmac.compare_digest(match.group(2), _signature(ticket_id)) else None


def find_ticket_id(addresses: Iterable[str]) -> int | None:
    for address in addresses:
        if (ticket_id := ticket_id_from_address(address)) is not None:
            return ticket_id
    return None
