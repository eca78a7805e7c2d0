"""`{% url %}` (core/templatetags/urls.py): what Django's own tag writes, remembered, and never
a URL remembered for another script prefix or from arguments it cannot key on."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, clear_script_prefix, set_script_prefix

from supportdesk.core.templatetags.urls import RememberedURLNode

# Django's own tag, without the project's builtins.
DJANGO = Engine(builtins=["django.templatetags.i18n"])
OURS = engines["django"].engine

CASES = [
    "{% url 'tickets:inbox' %}",
    "{% url 'tickets:detail' 42 %}|{% url 'tickets:detail' ticket_id=7 %}",
    '{% url "tickets:view" "open" %}',
    "{% url 'tickets:detail' pk as link %}[{{ link }}]",
    "{% url 'no-such-view' as missing %}[{{ missing }}]",
    "{% url name pk %}",
]


def _render(engine: Engine, source: str, **values: object) -> str:
    request = RequestFactory().get("/")
    return engine.from_string(source).render(Context({"request": request, **values}))


@pytest.mark.parametrize("source", CASES)
def test_it_writes_what_djangos_tag_writes_again_and_again(source):
    values = {"pk": 12, "name": "tickets:detail"}
    expected = _render(DJANGO, source, **values)
    assert "/desk/" in expected or expected == "[]"
    for _ in range(3):
        assert _render(OURS, source, **values) == expected
    assert isinstance(OURS.from_string(source).nodelist[0], RememberedURLNode)


def test_each_argument_gets_its_own_url():
    source = "{% url 'tickets:detail' pk %}"
    assert [_render(OURS, source, pk=pk) for pk in (1, 2, 1, "3")] == [
        "/desk/tickets/1/",
        "/desk/tickets/2/",
        "/desk/tickets/1/",
        "/desk/tickets/3/",
    ]


def test_a_script_prefix_is_part_of_what_is_remembered():
    source = "{% url 'tickets:inbox' %}"
    assert _render(OURS, source) == "/desk/"
    set_script_prefix("/support/")
    try:
        assert _render(OURS, source) == "/support/desk/"
    finally:
        clear_script_prefix()
    assert _render(OURS, source) == "/desk/"


def test_objects_as_arguments_are_reversed_each_time():
    class Ticket:
        def __init__(self, number: int) -> None:
            self.number = number

        def __str__(self) -> str:
            return str(self.number)

    source = "{% url 'tickets:detail' ticket %}"
    assert _render(OURS, source, ticket=Ticket(5)) == "/desk/tickets/5/"
    assert _render(OURS, source, ticket=Ticket(6)) == "/desk/tickets/6/"


def test_unknown_names_and_hostile_arguments_fail_as_djangos_tag_does():
    with pytest.raises(NoReverseMatch):
        _render(OURS, "{% url 'no-such-view' %}")
    with pytest.raises(NoReverseMatch):
        _render(OURS, "{% url 'tickets:detail' pk %}", pk="<script>")
    for engine in (OURS, DJANGO):
        with pytest.raises(NoReverseMatch):
            _render(engine, "{% url 'tickets:view' slug %}", slug="a&b")
