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


def test_a_session_read_again_decodes_the_same_and_changes_stay_apart(monkeypatch):
    store = SessionStore()
    store["cart"] = {"items": [1, 2], "note": "Zażółć"}
    store.save()
    checks = []
    real = SessionStore.__mro__[1].decode
    monkeypatch.setattr(
        SessionStore.__mro__[1], "decode", lambda self, data: checks.append(data) or real(self, data)
    )
    first = SessionStore(store.session_key)
    assert first["cart"] == {"items": [1, 2], "note": "Zażółć"}
    first["cart"]["items"].append(3)  # changed in place, not saved
    again = SessionStore(store.session_key)
    assert again["cart"] == {"items": [1, 2], "note": "Zażółć"}  # as stored
    assert len(checks) == 1  # the signature was checked once for the same text
    first.save()
    assert SessionStore(store.session_key)["cart"]["items"] == [1, 2, 3]  # saved: new text, read anew


def test_a_tampered_session_is_empty_and_not_remembered():
    store = SessionStore()
    store["who"] = "agent"
    store.save()
    row = Session.objects.get(session_key=store.session_key)
    Session.objects.filter(pk=row.pk).update(session_data=row.session_data[:-2] + "xx")
    for _ in range(2):
        assert dict(SessionStore(store.session_key).items()) == {}
    Session.objects.filter(pk=row.pk).update(session_data=row.session_data)
    assert SessionStore(store.session_key)["who"] == "agent"
