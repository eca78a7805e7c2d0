"""`{% static %}` (core/templatetags/static.py): what Django's own tag writes, remembered, and
forgotten when the static settings change."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, engines
from django.test import override_settings

from supportdesk.core.templatetags.static import RememberedStaticNode, static_url

# Django's own library, without the project's.
DJANGO = Engine(libraries={"static": "django.templatetags.static"})
OURS = engines["django"].engine

CASES = [
    "{% load static %}{% static 'tickets/desk.css' %}",
    "{% load static %}{% static 'a file with spaces & <angles>.css' %}",
    "{% load static %}{% static path as link %}[{{ link }}]|{% get_static_prefix %}|{% get_media_prefix %}",
]


def _render(engine: Engine, source: str) -> str:
    return engine.from_string(source).render(Context({"path": "core/desk.js?v=<1>"}))


@pytest.mark.parametrize("source", CASES)
def test_it_writes_what_djangos_tag_writes_again_and_again(source):
    expected = _render(DJANGO, source)
    assert "/static/" in expected
    for _ in range(3):
        assert _render(OURS, source) == expected
    assert any(isinstance(node, RememberedStaticNode) for node in OURS.from_string(source).nodelist)


def test_the_url_is_worked_out_once_and_again_after_the_settings_change():
    static_url.cache_clear()
    source = "{% load static %}{% static 'tickets/desk.css' %}"
    assert _render(OURS, source) == "/static/tickets/desk.css"
    assert _render(OURS, source) == "/static/tickets/desk.css"
    assert static_url.cache_info().misses == 1
    with override_settings(STATIC_URL="https://cdn.example/assets/"):
        assert _render(OURS, source) == "https://cdn.example/assets/tickets/desk.css"
    assert _render(OURS, source) == "/static/tickets/desk.css"
