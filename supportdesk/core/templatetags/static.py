"""`{% load static %}` with `{% static %}` remembering the URLs it has worked out.

Django's tag asks the static files storage on every render; with the manifest storage that is
a lookup of the file's hashed name and a URL join and quote (~15 µs), on every page for the same
few style sheets and scripts. The manifest does not change while the process runs (it is
written by `collectstatic`, before the server starts), so each path's URL is kept; a change of
the static settings (tests) forgets them. Registered as the `static` library (TEMPLATES in
settings), so `{% load static %}` loads this one, with Django's other tags of that library.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags import static as django_static

register = template.Library()
register.tags.update(django_static.register.tags)
register.filters.update(django_static.register.filters)

STATIC_SETTINGS = frozenset({"STATIC_URL", "STATIC_ROOT", "STORAGES", "INSTALLED_APPS", "DEBUG"})


@lru_cache(maxsize=1024)
def static_url(path: str) -> str:
    """The URL of the static file at `path`, as Django's `static` tag gives it."""
    return django_static.StaticNode.handle_simple(path)


@receiver(setting_changed)
def _forget(*, setting: str, **_kwargs: Any) -> None:
    if setting in STATIC_SETTINGS:
        static_url.cache_clear()


class RememberedStaticNode(django_static.StaticNode):
    @classmethod
    def handle_simple(cls, path: str) -> str:
        return static_url(path)


@register.tag("static")
def do_static(parser: template.base.Parser, token: template.base.Token) -> RememberedStaticNode:
    """`{% static "path" [as variable] %}`, as Django's tag parses it."""
    return RememberedStaticNode.handle_token(parser, token)  # type: ignore[return-value]
