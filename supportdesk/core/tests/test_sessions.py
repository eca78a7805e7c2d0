"""The database session engine (core/sessions/db.py): Django's sessions, read by a compiled
query, with expiry and unknown keys handled as Django does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from supportdesk.core.sessions.db import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back_and_an_expired_one_does_not():
    first, second = SessionStore(), SessionStore()
    first["who"], second["who"] = "Łucja", "王小明"
    first.save()
    second.save()
    assert SessionStore(first.session_key)["who"] == "Łucja"
    assert SessionStore(second.session_key)["who"] == "王小明"  # the same compiled query, other values
    Session.objects.filter(session_key=first.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(first.session_key)
    assert "who" not in expired and expired.session_key is None  # a new key is made on save
    assert SessionStore(second.session_key)["who"] == "王小明"


def test_unknown_or_malformed_keys_give_an_empty_session():
    for key in ("x" * 32, "nope", "", None, "'; DROP TABLE django_session; --" + "a" * 10):
        store = SessionStore(key)
        assert dict(store.items()) == {}
    assert Session.objects.count() == 0
