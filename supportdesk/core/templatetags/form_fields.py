"""`{% form_field form.name %}`: one form field with its label, widget, help text and errors.

Written in Python rather than as an included template: an include costs ~0.3 ms with its
variable lookups, and the desk's pages show a dozen fields or more. A template builtin (see
TEMPLATES in settings), so no `{% load %}` is needed.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from supportdesk.core.text import escape_html

register = template.Library()


@register.simple_tag
def form_field(field: BoundField) -> SafeString:
    """The field in a `div.field` (`invalid` with errors, `checkbox` for a checkbox, its label
    after it); a required field's label carries an asterisk hidden from screen readers."""
    errors = field.errors
    checkbox = field.widget_type == "checkbox"
    classes = "field" + (" invalid" if errors else "") + (" checkbox" if checkbox else "")
    target = escape_html(field.id_for_label or "")
    label = escape_html(field.label)
    if checkbox:
        body = f'{field} <label for="{target}">{label}</label>'
    else:
        required = ' <span aria-hidden="true">*</span>' if field.field.required else ""
        body = f'<label for="{target}">{label}{required}</label>\n{field}'
    help_text = f'<div class="help">{escape_html(field.help_text)}</div>' if field.help_text else ""
    problems = "".join(f'<p class="error">{escape_html(error)}</p>' for error in errors)
    return mark_safe(f'<div class="{classes}">\n{body}\n{help_text}{problems}</div>')  # noqa: S308 - parts escaped
