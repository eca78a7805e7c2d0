"""`{% translate %}` (core/templatetags/translations.py): what Django's own tag writes, in every
language and escaping, remembered for plain text only."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, engines
from django.utils import translation

from supportdesk.core.templatetags.translations import RememberedTranslateNode

# Django's own tag, without the project's builtins.
DJANGO = Engine(builtins=["django.templatetags.i18n"])
OURS = engines["django"].engine

CASES = [
    '{% translate "Save" %}|{% trans "Sign out" %}',
    # A translation with markup in it (template text is trusted: Django does not escape it).
    '{% translate "Send the API token as: Authorization: Bearer <token>." %}',
    '{% autoescape off %}{% translate "Save" %}{% endautoescape %}',
    '{% translate "100%% sure" %}|{% translate "Save"|upper %}|{% translate "Save" noop %}',
    '{% translate "Save" as label %}[{{ label }}]|{% translate word %}',
    '{% translate "May" context "month name" %}|{% translate "Unknown <text>" %}',
]


def _render(engine: Engine, source: str) -> str:
    return engine.from_string(source).render(Context({"word": "Ticket"}))


@pytest.mark.parametrize("source", CASES)
@pytest.mark.parametrize("language", ["en", "pl", "vi", "zh-hant"])
def test_it_writes_what_djangos_tag_writes_in_every_language(source, language):
    with translation.override(language):
        expected = _render(DJANGO, source)
        for _ in range(3):
            assert _render(OURS, source) == expected


def test_the_language_and_the_escaping_key_what_is_remembered():
    template = OURS.from_string('{% translate "Save" %}')
    assert isinstance(template.nodelist[0], RememberedTranslateNode)
    with translation.override("pl"):
        assert template.render(Context()) == "Zapisz"
    with translation.override("en"):
        assert template.render(Context()) == "Save"
    with translation.override("pl"):
        assert template.render(Context()) == "Zapisz"
    # Variables and filters are rendered afresh each time.
    assert not isinstance(OURS.from_string("{% translate word %}").nodelist[0].__dict__.get("_text"), str)
