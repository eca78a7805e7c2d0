"""Secrets at rest (mailbox passwords, OAuth refresh tokens): encrypted with a key derived from
SECRET_KEY, so a copy of the database alone does not give away the mail accounts.

Changing SECRET_KEY makes stored secrets unreadable; they read as empty and must be entered again.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"supportdesk-secrets", info=b"fields").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return PREFIX + _fernet(settings.SECRET_KEY).encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    """The plain text, or "" when the value was made with another key or is damaged."""
    if not stored or not stored.startswith(PREFIX):
        return ""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(stored[len(PREFIX) :].encode()).decode()
    except (InvalidToken, ValueError):
        return ""


class EncryptedTextField(models.TextField):
    """A text column holding ciphertext; Python code sees the plain text."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        return decrypt(value or "")

    def get_prep_value(self, value: Any) -> str:
        return encrypt(str(value or ""))

    def to_python(self, value: Any) -> str:
        return "" if value is None else str(value)
