"""Showing a message's HTML safely inside our pages."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from supportdesk.core.links import link, link_around
from supportdesk.core.text import escape_html, sanitize_html
from supportdesk.tickets.choices import AuthorKind, status_slug
from supportdesk.tickets.models import Attachment, Message, Ticket

# Raster formats browsers cannot be tricked into running; SVG (scriptable) is never shown inline.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_CID = re.compile(r'(src\s*=\s*["\'])cid:([^"\']+)(["\'])', re.IGNORECASE)


class _SanitizedBodies:
    """sanitize_html of message bodies, remembered per process, least recently used first out,
    within a budget of characters. nh3 takes ~0.2 ms per 1,000 characters on a slow machine, and
    an email thread shows the same bodies on every visit.

    The key is the stored HTML itself, so an edited body is sanitized afresh; the rules are code,
    so a change to them comes with a restart that empties this. Short bodies are not kept:
    sanitizing them costs less than remembering them."""

    MIN_LENGTH = 1_000
    MAX_LENGTH = 200_000
    BUDGET = 4_000_000  # characters of HTML in and out, ~8 MB at most

    def __init__(self) -> None:
        self._items: OrderedDict[str, str] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __call__(self, html: str) -> str:
        html = html or ""
        if not self.MIN_LENGTH <= len(html) <= self.MAX_LENGTH:
            return sanitize_html(html)
        with self._lock:
            clean = self._items.get(html)
            if clean is not None:
                self._items.move_to_end(html)
                return clean
        clean = sanitize_html(html)
        with self._lock:
            if html not in self._items:
                self._items[html] = clean
                self._size += len(html) + len(clean)
                while self._size > self.BUDGET:
                    old, old_clean = self._items.popitem(last=False)
                    self._size -= len(old) + len(old_clean)
        return clean


sanitized_body = _SanitizedBodies()


def message_html(message: Message, attachments: Iterable[Attachment] | None = None) -> SafeString:
    """The message's HTML, sanitized again at display (the rules may have tightened since it was
    stored), with cid: images pointing at their permission-checked inline URLs. Uses
    `attachments`, the message's own (read by the caller), or else its prefetched ones."""
    if attachments is None:
        attachments = message.attachments.all()
    inline = {
        a.content_id: link("files:inline", a.token)
        for a in attachments
        if a.is_inline and a.content_id and a.content_type in INLINE_IMAGE_TYPES
    }

    def point(match: re.Match[str]) -> str:
        url = inline.get(match.group(2).strip("<> "))
        return f"{match.group(1)}{url}{match.group(3)}" if url else f"{match.group(1)}{match.group(3)}"

    return mark_safe(_CID.sub(point, sanitized_body(message.body_html)))  # noqa: S308 - sanitized


# -- the conversation, written in Python ----------------------------------------------------------
# A template loop spent ~0.4 ms a message on variable lookups, filters and {% url %}; this writes
# the same markup (every value escaped) in a few string joins.


@lru_cache(maxsize=4096)
def _long_date(local: datetime, zone: str | None, language: str | None) -> str:
    """`date:"DATETIME_FORMAT"` of a time already in the viewer's zone, in the active language
    (both in the key: aware datetimes compare by instant, whatever their zone). Remembered:
    the same messages' dates are shown again and again, and each costs ~40 µs to format."""
    return date_filter(local, "DATETIME_FORMAT")


def natural_time(value: datetime) -> str:
    """`naturaltime` ("3 hours ago"), remembered. Its words change at most once a minute (whole
    minutes are its finest unit past the first; a month or a year turns over on a whole day),
    so what it said for this time, in this language, this many whole minutes later is still
    true; under a minute ("12 seconds ago") it is worked out each time. Each costs ~25 µs, and
    a page shows dozens."""
    return _for_the_minute(_natural_times, value, (get_language(),), lambda: str(naturaltime(value)))


def time_html(value: datetime, css_class: str = "") -> str:
    """`<time>` as the templates write it: ISO date, long date as the tooltip, "3 hours ago" as
    the text, in the viewer's time zone. Remembered as natural_time is, with the zone and the
    class in the key (~18 µs to write, ~6 to look up; the inbox shows one a row)."""
    zone, language = timezone.get_current_timezone(), get_language()

    def write() -> str:
        local = template_localtime(value)
        attributes = f' class="{css_class}"' if css_class else ""
        return (
            f'<time{attributes} datetime="{escape_html(local.isoformat())}" '
            f'title="{escape_html(_long_date(local, local.tzname(), language))}">'
            f"{escape_html(natural_time(value))}</time>"
        )

    return _for_the_minute(_times_html, value, (language, zone, css_class), write)


def _for_the_minute(
    kept: dict[Any, str], value: datetime, context: tuple[Any, ...], make: Callable[[], str]
) -> str:
    """`make()`, remembered in `kept` for `value` and `context` until the whole minutes since
    `value` change; under a minute it is made each time. Kept only if the minute did not turn
    while it was made (naturaltime reads the clock itself)."""
    minutes = _whole_minutes_since(value)
    if minutes < 1:
        return make()
    key = (value, minutes, *context)
    text = kept.get(key)
    if text is None:
        text = make()
        if _whole_minutes_since(value) == minutes:
            if len(kept) >= TIMES_KEPT:
                kept.clear()
            kept[key] = text
    return text


TIMES_KEPT = 4096
_natural_times: dict[Any, str] = {}
_times_html: dict[Any, str] = {}


def _whole_minutes_since(value: datetime) -> int:
    return int((timezone.now() - value).total_seconds() // 60)


def _message_article(
    message: Message,
    attachments: list[Attachment],
    attachment_url: tuple[str, str],
    labels: dict[str, str],
) -> str:
    if not message.is_public:
        kind = "note"
    else:
        kind = "customer" if message.author_kind == AuthorKind.CUSTOMER else "agent"
    badge = "" if message.is_public else f'<span class="badge">{labels["note"]}</span>'
    if message.body_html:
        body, text_class = message_html(message, attachments), ""
    else:
        body, text_class = escape_html(message.body_text), " text"
    parts = [
        f'<article class="message {kind}" id="message-{message.pk}">\n'
        f"<header>\n<span>\n<strong>{escape_html(message.author_name)}</strong>\n{badge}\n</span>\n"
        f"{time_html(message.created_at, 'muted')}\n</header>\n"
        f'<div class="body{text_class}">{body}</div>\n'
    ]
    if message.quoted_text:
        parts.append(
            f'<details class="quoted-text">\n<summary>{labels["quoted"]}</summary>\n'
            f'<div class="body text">{escape_html(message.quoted_text)}</div>\n</details>\n'
        )
    if attachments:
        url_start, url_end = attachment_url
        links = "\n".join(
            f'<a href="{escape_html(f"{url_start}{a.token}{url_end}")}" download>'
            f"{escape_html(a.filename)} "
            f'<span class="muted">({escape_html(filesizeformat(a.size))})</span></a>'
            for a in attachments
        )
        parts.append(f'<div class="attachments">\n{links}\n</div>\n')
    notes = getattr(message, "page_notes", None)
    if notes:
        items = "".join(
            f'<li class="note-{escape_html(note.tone)}">{escape_html(note.text)}'
            + (f' <span class="muted">— {escape_html(note.detail)}</span>' if note.detail else "")
            + "</li>"
            for note in notes
        )
        parts.append(f'<ul class="message-notes">\n{items}\n</ul>\n')
    parts.append("</article>\n")
    return "".join(parts)


def conversation_html(
    messages: Sequence[Message], attachments: dict[int, list[Attachment]] | None = None
) -> SafeString:
    """The ticket page's messages: one `article.message` each (its class says who wrote it, the
    id `message-<pk>` is the anchor replies redirect to), with quoted text folded away, files
    to download and the notes other layers attach (`page_notes`). `attachments` holds each
    message's files by message id; without it, the messages' prefetched ones are used."""
    attachment_url = link_around("files:attachment", "uuid")
    labels = {"note": escape_html(_("Internal note")), "quoted": escape_html(_("Show quoted text"))}
    html = "".join(
        _message_article(
            message,
            list(message.attachments.all()) if attachments is None else attachments.get(message.pk, []),
            attachment_url,
            labels,
        )
        for message in messages
    )
    return mark_safe(html)  # noqa: S308 - every value escaped above, bodies sanitized


# -- ticket links ---------------------------------------------------------------------------------
def status_class(status: int) -> str:
    """The CSS class of a status badge (status-open, status-solved, …)."""
    try:
        return f"status-{status_slug(status)}"
    except ValueError:
        return ""


def ticket_items_html(tickets: Iterable[Ticket]) -> SafeString:
    """One `<li>` per ticket: a link "#number subject" to its page and its status badge."""
    url_start, url_end = link_around("tickets:detail")
    html = "\n".join(
        f'<li><a href="{escape_html(f"{url_start}{ticket.pk}{url_end}")}">#{ticket.pk} '
        f"{escape_html(ticket.subject)}</a> "
        f'<span class="badge {status_class(ticket.status)}">{escape_html(ticket.status_display)}</span></li>'
        for ticket in tickets
    )
    return mark_safe(html)  # noqa: S308 - every value escaped above
