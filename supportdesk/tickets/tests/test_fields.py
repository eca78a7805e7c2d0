"""Custom field validation (pure)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.tickets.fields import MAX_TEXT_LENGTH, FieldErrors, FieldSpec, clean_value, clean_values

TEXT = FieldSpec("note", "text")
NUMBER = FieldSpec("qty", "number")
DATE = FieldSpec("bought", "date")
DROPDOWN = FieldSpec("device", "dropdown", options=("Phone", "Tablet"))
CHECKBOX = FieldSpec("warranty", "checkbox")
REQUIRED = FieldSpec("order", "text", required=True)


@pytest.mark.parametrize(
    ("spec", "raw", "stored"),
    [
        (TEXT, "  hello  ", "hello"),
        (TEXT, 12, "12"),
        (NUMBER, "42", 42),
        (NUMBER, "4,5", 4.5),
        (NUMBER, 3.0, 3),
        (NUMBER, "-7", -7),
        (DATE, "2026-02-28", "2026-02-28"),
        (DROPDOWN, "Tablet", "Tablet"),
        (CHECKBOX, "on", True),
        (CHECKBOX, "false", False),
        (CHECKBOX, True, True),
    ],
)
def test_values_are_stored_in_their_types_form(spec, raw, stored):
    assert clean_value(spec, raw) == stored


@pytest.mark.parametrize(
    ("spec", "raw"),
    [
        (TEXT, "x" * (MAX_TEXT_LENGTH + 1)),
        (TEXT, True),
        (TEXT, ["a"]),
        (NUMBER, "ten"),
        (NUMBER, "nan"),
        (NUMBER, "inf"),
        (NUMBER, "1e400"),
        (NUMBER, True),
        (DATE, "2026-02-30"),
        (DATE, "28.02.2026"),
        (DROPDOWN, "Laptop"),
        (CHECKBOX, "maybe"),
    ],
)
def test_bad_values_are_refused_with_a_message(spec, raw):
    with pytest.raises(ValueError, match=r"\w"):
        clean_value(spec, raw)


def test_unknown_keys_and_missing_required_fields_are_reported_together():
    with pytest.raises(FieldErrors) as caught:
        clean_values([TEXT, REQUIRED], {"typo": "x"})
    assert set(caught.value.errors) == {"typo", "order"}


def test_empty_value_removes_the_field_and_current_values_are_kept():
    result = clean_values([TEXT, NUMBER], {"note": "  "}, current={"note": "old", "qty": 2})
    assert result == {"qty": 2}


def test_required_is_not_enforced_when_asked_not_to():
    assert clean_values([REQUIRED], {}, enforce_required=False) == {}


@given(st.text(max_size=200))
def test_text_never_raises_anything_but_value_error(raw):
    try:
        clean_value(NUMBER, raw)
        clean_value(DATE, raw)
        clean_value(DROPDOWN, raw)
        clean_value(CHECKBOX, raw)
    except ValueError:
        pass


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_integers_round_trip(number):
    assert clean_value(NUMBER, str(number)) == number
