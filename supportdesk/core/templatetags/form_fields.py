"""`{% form_field form.name %}`: one form field with its label, widget, help text and errors.

Written in Python rather than as an included template: an include costs ~0.3 ms with its
variable lookups, and the desk's pages show a dozen fields or more. A template builtin (see
TEMPLATES in settings), so no `{% load %}` is needed.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField, CheckboxInput
from django.utils.safestring import SafeString, mark_safe

from supportdesk.core.text import escape_html

register = template.Library()


@register.simple_tag
def form_field(field: BoundField) -> SafeString:
    """The field in a `div.field` (`invalid` with errors, `checkbox` for a checkbox, its label
    after it); a required field's label carries an asterisk hidden from screen readers."""
    # An unbound form has no errors: not asking spares making an empty error list.
    errors = field.errors if field.form.is_bound else ()
    checkbox = isinstance(field.field.widget, CheckboxInput)  # what widget_type calls "checkbox"
    classes = "field" + (" invalid" if errors else "") + (" checkbox" if checkbox else "")
    target = escape_html(field.id_for_label or "")
    label = escape_html(field.label)
    if checkbox:
        body = f'{field} <label for="{target}">{label}</label>'
    else:
        required = ' <span aria-hidden="true">*</span>' if field.field.required else ""
        body = f'<label for="{target}">{label}{required}</label>\n{field}'
    # The ids Django's widgets name in aria-describedby: a screen reader reads these with the input.
    auto_id = escape_html(field.auto_id)  # "" when the form has no ids
    help_id = f' id="{auto_id}_helptext"' if auto_id else ""
    help_text = f'<div class="help"{help_id}>{escape_html(field.help_text)}</div>' if field.help_text else ""
    problems = "".join(f'<p class="error">{escape_html(error)}</p>' for error in errors)
    if problems:
        error_id = f' id="{auto_id}_error"' if auto_id else ""
        problems = f'<div class="errors"{error_id}>{problems}</div>'
    return mark_safe(f'<div class="{classes}">\n{body}\n{help_text}{problems}</div>')  # noqa: S308 - parts escaped
