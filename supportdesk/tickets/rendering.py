"""Showing a message's HTML safely inside our pages."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from supportdesk.core.text import sanitize_html
from supportdesk.tickets.models import Message

# Raster formats browsers cannot be tricked into running; SVG (scriptable) is never shown inline.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_CID = re.compile(r'(src\s*=\s*["\'])cid:([^"\']+)(["\'])', re.IGNORECASE)


def message_html(message: Message) -> SafeString:
    """The message's HTML, sanitized again at display (the rules may have tightened since it was
    stored), with cid: images pointing at their permission-checked inline URLs. Uses the
    message's prefetched attachments."""
    inline = {
        a.content_id: reverse("files:inline", args=[a.token])
        for a in message.attachments.all()
        if a.is_inline and a.content_id and a.content_type in INLINE_IMAGE_TYPES
    }

    def point(match: re.Match[str]) -> str:
        url = inline.get(match.group(2).strip("<> "))
        return f"{match.group(1)}{url}{match.group(3)}" if url else f"{match.group(1)}{match.group(3)}"

    return mark_safe(_CID.sub(point, sanitize_html(message.body_html)))  # noqa: S308 - sanitized above
