"""Turning raw email bytes into a ParsedMail (pure: no database, no network)."""

from supportdesk.channels.email.parsing.parse import parse_message
from supportdesk.channels.email.parsing.types import (
    Address,
    Bounce,
    Forwarded,
    MailAttachment,
    MailParseError,
    ParsedMail,
)

__all__ = [
    "Address",
    "Bounce",
    "Forwarded",
    "MailAttachment",
    "MailParseError",
    "ParsedMail",
    "parse_message",
]
