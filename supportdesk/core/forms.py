"""Form helpers shared by every app's views."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.widgets import ChoiceWidget
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from supportdesk.core.errors import DomainError
from supportdesk.core.text import escape_html


def apply_domain_error(form: forms.Form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's error on the form: each message on the field its detail key names
    (renamed through `aliases` where the form's field is called differently from the service's
    argument; custom field inputs are named "cf_<key>"), otherwise the summary above the form."""
    aliases = aliases or {}
    placed = False
    for key, message in error.details.items():
        name = aliases.get(key, key)
        if name.startswith("custom_fields."):
            name = "cf_" + name.removeprefix("custom_fields.")
        if name in form.fields and not form.has_error(name):
            form.add_error(name, message if isinstance(message, str) and message else error.message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def split_lines(text: str) -> list[str]:
    """Values typed one per line (or separated by commas) in a textarea."""
    parts = (text or "").replace(",", "\n").splitlines()
    return [part.strip() for part in parts if part.strip()]


class NormalizedChoices(BaseChoiceIterator):
    """Options already in the form Django wants: a flat list of (value, label) pairs.

    Django normalizes every choices list a field or widget is given, testing each label against
    four abstract classes; with the desk's agents in several select boxes that cost about 1 ms
    a page. Django takes a choice iterator as it is. The pairs are never changed once built, so
    copies of a form's fields share them.
    """

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.pairs = pairs
        self._html: dict[str | None, list[tuple[str, str, str]]] = {}
        self._keys: frozenset[Any] | None = None

    def offers(self, key: Any) -> bool:
        """Whether one of the options has the value `key`."""
        if self._keys is None:
            self._keys = frozenset(value for value, _label in self.pairs)
        return key in self._keys

    def option_html(self) -> list[tuple[str, str, str]]:
        """Each option as (value, `<option value="…"`, `>label</option>`), escaped, in the active
        language (labels may be lazy translations): written once per language, since the pairs
        never change, and joined around " selected" by QuickSelect."""
        language = get_language()
        written = self._html.get(language)
        if written is None:
            written = [_option_parts(key, label) for key, label in self.pairs]
            self._html[language] = written
        return written

    def __iter__(self) -> Any:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def __deepcopy__(self, memo: dict[int, Any]) -> NormalizedChoices:
        return self

    def __copy__(self) -> NormalizedChoices:
        return self


class QuickSelect(forms.Select):
    """A select that writes its options in Python. Django renders every option through a
    template of its own, about 0.1 ms each: too slow for the 400-odd time zones on a page."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        chosen = set(self.format_value(value))
        # Plain string building: format_html costs ~35 µs an option, and a desk with hundreds of
        # agents has thousands of options on the inbox (the filter bar and the bulk form).
        choices = self.choices
        parts = (
            choices.option_html()
            if isinstance(choices, NormalizedChoices)
            else [_option_parts(key, label) for key, label in choices]
        )
        options = "".join(
            f"{head} selected{tail}" if text in chosen else head + tail for text, head, tail in parts
        )
        html = f'<select name="{escape_html(name)}"{quick_flatatt(final)}>{options}</select>'
        return mark_safe(html)  # noqa: S308 (every part escaped here or by _option_parts)


def quick_flatatt(attrs: dict[str, Any]) -> str:
    """Django's `flatatt` (attributes sorted by name, the true booleans bare after the others,
    False and None left out, everything escaped) without a format_html call per attribute."""
    pairs = sorted(
        (name, value) for name, value in attrs.items() if not isinstance(value, bool) and value is not None
    )
    flags = sorted(name for name, value in attrs.items() if value is True)
    written = "".join(f' {escape_html(name)}="{escape_html(value)}"' for name, value in pairs)
    return written + "".join(f" {escape_html(name)}" for name in flags)


def _option_parts(key: Any, label: Any) -> tuple[str, str, str]:
    text = str(key)
    return text, f'<option value="{escape_html(text)}"', f">{escape_html(label)}</option>"


def use_quick_selects(form: forms.BaseForm) -> None:
    """Give every plain select box of `form` a QuickSelect (same attributes, same choices)."""
    for field in form.fields.values():
        use_quick_select(field)


def use_quick_select(field: forms.Field) -> None:
    """Give `field` a QuickSelect if it has a plain select box."""
    if type(field.widget) is forms.Select:
        quick = QuickSelect(attrs=field.widget.attrs)
        choices = field.widget.choices
        # A list is already normalized; lazy iterators (a model field's) stay lazy.
        quick.choices = NormalizedChoices(choices) if isinstance(choices, list) else choices
        quick.is_required = field.widget.is_required
        field.widget = quick


# -- fields copied for each form quickly ------------------------------------------------------------
# Every form copies its class's fields (copy.deepcopy of base_fields) so that one request's
# changes never reach another's. Django's copies go through the copy protocol for each field and
# widget and copy every option of a select: ~10 µs a field, a dozen fields or more a page.
_FIELD_DEEPCOPIES = frozenset({forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__})
_WIDGET_DEEPCOPIES = frozenset({forms.Widget.__deepcopy__, ChoiceWidget.__deepcopy__})
_plain: dict[type, bool] = {}


def _copied_plainly(cls: type, deepcopies: frozenset[Any]) -> bool:
    """Whether `cls` deep-copies as Django's own fields or widgets do, and copy.copy() of it is
    a new object with the same attributes (nothing of its own in the copy protocol)."""
    known = _plain.get(cls)
    if known is None:
        known = (
            getattr(cls, "__deepcopy__", None) in deepcopies
            and not hasattr(cls, "__copy__")
            and cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__
            and cls.__getstate__ is object.__getstate__
            and not any("__slots__" in vars(base) for base in cls.__mro__[:-1])
        )
        _plain[cls] = known
    return known


def _shallow(obj: Any) -> Any:
    """copy.copy(obj) for a plain object: a new instance with the same attribute values."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def copy_field(field: forms.Field, memo: dict[int, Any]) -> forms.Field:
    """copy.deepcopy(field, memo), made as Field.__deepcopy__, ChoiceField.__deepcopy__ and
    their widgets' make it, without the copy protocol's work; other fields are deep-copied."""
    widget = field.widget
    if not (
        _copied_plainly(type(field), _FIELD_DEEPCOPIES) and _copied_plainly(type(widget), _WIDGET_DEEPCOPIES)
    ):
        return copy.deepcopy(field, memo)
    result = _shallow(field)
    memo[id(field)] = result
    widget_copy = memo.get(id(widget))
    if widget_copy is None:
        widget_copy = _shallow(widget)
        widget_copy.attrs = widget.attrs.copy()
        if isinstance(widget, ChoiceWidget):
            widget_copy.choices = copy.copy(widget.choices)
        memo[id(widget)] = widget_copy
    result.widget = widget_copy
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    if isinstance(field, forms.ChoiceField):
        result._choices = copy.deepcopy(field._choices, memo)  # type: ignore[attr-defined]
    return result


class QuickCopiedFields(dict[str, forms.Field]):
    """A form class's fields, deep-copied for each form by copy_field."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: copy_field(field, memo) for name, field in self.items()}


class QuickFormMetaclass(DeclarativeFieldsMetaclass):
    """Prepares a form class's fields once, for every form made from it: plain select boxes
    become QuickSelects, lists of options NormalizedChoices (shared, never copied), and the
    fields are copied for each form by copy_field."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> type:
        new_class: Any = super().__new__(mcs, name, bases, attrs)
        for field in new_class.base_fields.values():
            if isinstance(field, forms.ChoiceField) and isinstance(field.choices, list):
                field.choices = NormalizedChoices(field.choices)
            use_quick_select(field)
        new_class.base_fields = QuickCopiedFields(new_class.base_fields)
        created: type = new_class
        return created
