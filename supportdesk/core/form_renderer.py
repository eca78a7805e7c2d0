"""A form renderer that writes the common widgets in Python.

Django renders every widget, every option of a select and every box of a checkbox list through
templates of its own, a few hundred microseconds each with their includes: the inbox's filter
bar and bulk form alone spent ~5 ms of each page there. This renderer writes the same HTML, byte
for byte (a test compares both on every widget we use, with hostile values), for the plain
input, option, select and textarea templates and a file input with no file yet, and leaves every
other template to Django.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize

from supportdesk.core.text import escape_html

_WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)
OPTION_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html" for name in ("input_option", "checkbox_option", "radio_option")
)
SELECT_TEMPLATE = f"{_WIDGETS}select.html"
SELECT_OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"
TEXTAREA_TEMPLATE = f"{_WIDGETS}textarea.html"
CLEARABLE_FILE_TEMPLATE = f"{_WIDGETS}clearable_file_input.html"


def _shown(value: Any) -> str:
    """`{{ value }}`: localized, then escaped unless already safe."""
    return escape_html(localize(value))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: `"%s" % value`, escaped unless `value` was safe."""
    return escape_html(value)


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {_shown(name)}")
        elif value is not False:
            parts.append(f' {_shown(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    kind, name, attrs = _shown(widget["type"]), _shown(widget["name"]), _attrs(widget["attrs"])
    return f'<input type="{kind}" name="{name}"{value}{attrs}>'


def _input_option(widget: dict[str, Any]) -> str:
    if not widget.get("wrap_label"):
        return _input(widget)
    target = widget["attrs"].get("id")
    label_for = f' for="{_shown(target)}"' if target else ""
    return f"<label{label_for}>{_input(widget)} {_shown(widget['label'])}</label>"


def _option(option: dict[str, Any]) -> str:
    value, attrs, label = _formatted(option["value"]), _attrs(option["attrs"]), _shown(option["label"])
    return f'<option value="{value}"{attrs}>{label}</option>'


def _select(widget: dict[str, Any]) -> str | None:
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in options:
            if option.get("template_name") != SELECT_OPTION_TEMPLATE:
                return None  # a widget with options of its own: Django's templates render it
            # Django includes each option's template file, its final newline too.
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict[str, Any]) -> str:
    value = _shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def quick_html(template_name: str, context: dict[str, Any]) -> str | None:
    """The widget's HTML as `template_name` would write it, or None where we leave it to Django."""
    widget = context.get("widget")
    if len(context) != 1 or not isinstance(widget, dict):
        return None
    if template_name in INPUT_TEMPLATES:
        return _input(widget)
    if template_name in OPTION_TEMPLATES:
        return _input_option(widget)
    if template_name == SELECT_OPTION_TEMPLATE:
        return _option(widget)
    if template_name == SELECT_TEMPLATE:
        return _select(widget)
    if template_name == TEXTAREA_TEMPLATE:
        return _textarea(widget)
    if template_name == CLEARABLE_FILE_TEMPLATE and widget.get("is_initial", True) is False:
        return _input(widget)  # with no file yet, the template writes the input alone
    return None


class QuickFormRenderer(DjangoTemplates):
    """Django's renderer, with the common widgets written by `quick_html` (FORM_RENDERER)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        html = quick_html(template_name, context)
        if html is None:
            return super().render(template_name, context, request)
        return html.strip()
