"""Links to one object of many (a ticket, an attachment) without reversing each one.

Django's `reverse()` walks the URL configuration and checks the arguments against the pattern,
~20 µs a link; an API page of 25 tickets, an inbox page or a conversation with its files asked
it for every row. A URL whose one argument is a whole number or a UUID is reversed once with a
stand-in in that place (per URL name, script prefix, URL configuration and language) and then
only filled in: the same text `reverse()` gives, since both converters write `str(value)`.
"""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_STAND_INS: dict[str, int | UUID] = {
    "id": 987654321987654321,
    "uuid": UUID("98765432-1987-4654-8219-876543219876"),
}


@lru_cache(maxsize=256)
def _around(name: str, kind: str, prefix: str, urlconf: str | None, language: str | None) -> tuple[str, str]:
    """The URL `name` before and after its argument. The last three only key the memory:
    reverse() reads them from the thread itself."""
    stand_in = str(_STAND_INS[kind])
    url = reverse(name, args=[_STAND_INS[kind]])
    before, found, after = url.partition(stand_in)
    if not found or stand_in in after:
        raise ValueError(f"the URL {name!r} does not show its argument once: {url}")
    return before, after


def reversal_context() -> tuple[str, str | None, str | None]:
    """What else reverse() reads from the thread (script prefix, URL configuration, language):
    the key, beside the URL name and arguments, under which a reversed URL may be kept."""
    urlconf = get_urlconf()
    return get_script_prefix(), urlconf if isinstance(urlconf, str | None) else repr(urlconf), get_language()


def link_around(name: str, kind: str = "id") -> tuple[str, str]:
    """The URL `name` before and after its one argument, an id (`kind` "id") or a UUID ("uuid"),
    for a page that fills in many: `f"{before}{key}{after}"` is `reverse(name, args=[key])`."""
    return _around(name, kind, *reversal_context())


def link(name: str, key: int | UUID) -> str:
    """`reverse(name, args=[key])` for a URL whose only argument is a whole number (an id) or a
    UUID (a file's token); other values are reversed as usual."""
    if type(key) is int and key >= 0:  # not a bool, nor a number the int converter refuses
        kind = "id"
    elif isinstance(key, UUID):
        kind = "uuid"
    else:
        return reverse(name, args=[key])
    before, after = link_around(name, kind)
    return f"{before}{key}{after}"
