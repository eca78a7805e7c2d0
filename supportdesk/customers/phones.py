"""Phone number validation and normalization to E.164 (pure, no I/O)."""

from __future__ import annotations

import phonenumbers


class InvalidPhoneNumber(ValueError):
    pass


def normalize_phone(raw: str, default_region: str) -> str:
    """The E.164 form of `raw` ("+48 22 123 45 67" → "+48221234567").

    Numbers without a leading + are read as numbers of `default_region`. Raises
    InvalidPhoneNumber for text that is not a possible, valid number.
    """
    text = (raw or "").strip()
    if not text or len(text) > 40:
        raise InvalidPhoneNumber(raw)
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else default_region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(raw) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """An E.164 number in international notation for display ("+48 22 123 45 67")."""
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164
