"""Typed access to the SUPPORTDESK settings dictionary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class ProductSettings:
    attachment_max_bytes: int
    attachments_per_message: int
    auto_close_after_days: int
    default_phone_region: str
    inbox_page_size: int
    view_count_cap: int


def product_settings() -> ProductSettings:
    raw: dict[str, Any] = settings.SUPPORTDESK
    return ProductSettings(
        attachment_max_bytes=int(raw["ATTACHMENT_MAX_BYTES"]),
        attachments_per_message=int(raw["ATTACHMENTS_PER_MESSAGE"]),
        auto_close_after_days=int(raw["AUTO_CLOSE_AFTER_DAYS"]),
        default_phone_region=str(raw["DEFAULT_PHONE_REGION"]),
        inbox_page_size=int(raw["INBOX_PAGE_SIZE"]),
        view_count_cap=int(raw["VIEW_COUNT_CAP"]),
    )
