"""`{% translate %}` (and `{% trans %}`), with the translations of plain text remembered.

Django's tag makes a lazy translation of its text on every render, turns it into a string
(the catalog lookup), localizes and escapes it: ~8 µs, and the desk's pages have dozens. The
text of `{% translate "Save" %}` in one language, escaped or not, is always the same string, so
it is kept and looked up next time. Everything else the tag can do (a variable, filters, `as`,
`noop`, `context`) is rendered by Django's own code, as before. Catalogs only change with a
restart, which empties this.

A template builtin listed after Django's i18n library (TEMPLATES in settings), so it takes the
place of Django's tag with the same syntax; a template that loads i18n itself gets Django's.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Variable
from django.templatetags.i18n import TranslateNode, do_translate
from django.utils.translation import get_language

register = template.Library()

# (language, text, autoescape) -> what Django's tag renders
_rendered: dict[tuple[str | None, str, bool], str] = {}


class RememberedTranslateNode(TranslateNode):
    def __init__(self, node: TranslateNode) -> None:
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        var = self.filter_expression.var
        plain = isinstance(var, Variable) and isinstance(var.literal, str)
        remembered = plain and not (
            self.noop or self.filter_expression.filters or self.message_context or self.asvar
        )
        self._text: str | None = var.literal if remembered else None

    def render(self, context: template.Context) -> Any:
        if self._text is None:
            return super().render(context)
        key = (get_language(), self._text, bool(context.autoescape))
        rendered = _rendered.get(key)
        if rendered is None:
            rendered = _rendered.setdefault(key, super().render(context))
        return rendered


@register.tag("translate")
@register.tag("trans")
def translate(parser: template.base.Parser, token: template.base.Token) -> TranslateNode:
    node = do_translate(parser, token)
    return RememberedTranslateNode(node) if type(node) is TranslateNode else node
