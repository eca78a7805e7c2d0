"""The email channel's tunables, read from settings.SUPPORTDESK_EMAIL (environment-driven)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class EmailSettings:
    max_message_bytes: int  # larger raw messages are quarantined, never parsed
    receiver_host: str
    receiver_port: int
    receiver_enabled: bool
    reply_domain: str  # a domain whose every address is ours: never taken in, never written to
    send_retries: int
    auto_replies_per_sender_per_hour: int
    import_batch: int  # messages `mail import` stores and writes per transaction


def email_settings() -> EmailSettings:
    raw: dict[str, Any] = settings.SUPPORTDESK_EMAIL
    return EmailSettings(
        max_message_bytes=int(raw["MAX_MESSAGE_BYTES"]),
        receiver_host=str(raw["RECEIVER_HOST"]),
        receiver_port=int(raw["RECEIVER_PORT"]),
        receiver_enabled=bool(raw["RECEIVER_ENABLED"]),
        reply_domain=str(raw["REPLY_DOMAIN"]),
        send_retries=int(raw["SEND_RETRIES"]),
        auto_replies_per_sender_per_hour=int(raw["AUTO_REPLIES_PER_SENDER_PER_HOUR"]),
        import_batch=max(1, int(raw.get("IMPORT_BATCH", 200))),
    )
