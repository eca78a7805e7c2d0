"""Validation of custom field values against their definitions (pure, no ORM).

Values arrive as text from forms or as JSON from the API; they are stored as JSON types:
text → str, number → int or float, date → "YYYY-MM-DD", dropdown → one of the options (str),
checkbox → bool. An empty value removes the field from the ticket.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

MAX_TEXT_LENGTH = 1000
MAX_NUMBER = 10**15


@dataclass(frozen=True)
class FieldSpec:
    key: str
    field_type: str
    label: str = ""
    required: bool = False
    options: Sequence[str] = field(default_factory=tuple)


class FieldErrors(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_value(spec: FieldSpec, value: Any) -> Any:
    """The stored form of `value` for `spec`; raises ValueError with a readable message."""
    kind = spec.field_type
    if kind == "text":
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(_("Enter text."))
        text = str(value).strip()
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(_("Enter at most %(n)d characters.") % {"n": MAX_TEXT_LENGTH})
        return text
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) > MAX_NUMBER:
            raise ValueError(_("Enter a number."))
        as_float = float(number)
        if math.isfinite(as_float) and number == number.to_integral_value():
            return int(number)
        return as_float
    if kind == "date":
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == "dropdown":
        choice = str(value).strip()
        if choice not in spec.options:
            raise ValueError(_("Choose one of the listed options."))
        return choice
    if kind == "checkbox":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "on", "yes"}:
            return True
        if text in {"0", "false", "off", "no"}:
            return False
        raise ValueError(_("Choose yes or no."))
    raise ValueError(_("Unknown field type."))


def clean_values(
    specs: Sequence[FieldSpec],
    submitted: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None = None,
    enforce_required: bool = True,
) -> dict[str, Any]:
    """Merge `submitted` into `current` after checking every value.

    Unknown keys are an error (so a typo in an API call does not vanish silently). A required
    field must end up with a value; a checkbox counts as set when it is present at all.
    Raises FieldErrors with one message per bad key.
    """
    by_key = {spec.key: spec for spec in specs}
    result = dict(current or {})
    errors: dict[str, str] = {}
    for key, value in submitted.items():
        spec = by_key.get(key)
        if spec is None:
            errors[key] = _("Unknown field.")
            continue
        if _is_empty(value):
            result.pop(key, None)
            continue
        try:
            result[key] = clean_value(spec, value)
        except ValueError as error:
            errors[key] = str(error)
    if enforce_required:
        for spec in specs:
            if spec.required and _is_empty(result.get(spec.key)) and spec.key not in errors:
                errors[spec.key] = _("This field is required.")
    if errors:
        raise FieldErrors(errors)
    return result
