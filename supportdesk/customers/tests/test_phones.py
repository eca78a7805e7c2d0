import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.customers.phones import InvalidPhoneNumber, format_phone, normalize_phone


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+48 22 123 45 67", "US", "+48221234567"),
        ("22 123 45 67", "PL", "+48221234567"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("+84 90 123 45 67", "US", "+84901234567"),
        ("0901234567", "VN", "+84901234567"),
        ("+886 2 2345 6789", "US", "+886223456789"),
    ],
)
def test_numbers_are_normalized_to_e164(raw, region, e164):
    assert normalize_phone(raw, region) == e164


@pytest.mark.parametrize("raw", ["", "12", "call me", "+999 123", "1" * 41, "<script>"])
def test_invalid_numbers_are_refused(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(raw, "US")


def test_format_for_display():
    assert format_phone("+48221234567") == "+48 22 123 45 67"
    assert format_phone("garbage") == "garbage"


@given(st.text(max_size=50))
def test_never_crashes(raw):
    with contextlib.suppress(InvalidPhoneNumber):
        normalize_phone(raw, "PL")
