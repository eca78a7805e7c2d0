"""insert(): the row save() would write, the instance as save() leaves it, one statement per row,
and save() itself wherever it must run (receivers, expressions). On the real engine. (Audit
entries, because core owns that table; the admin's log entries for a model with an auto_now.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Now
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext

from supportdesk.core import inserts
from supportdesk.core.inserts import insert
from supportdesk.core.models import AuditEntry

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
COLUMNS = ("created_at", "actor_id", "actor_label", "action", "target_label", "changes", "ip_address")


@pytest.fixture
def actor():
    return get_user_model().objects.create_user(email="ann@desk.test", password="x", name="Ann Nowak")


def _entry(actor, **fields) -> AuditEntry:
    values = {
        "created_at": WHEN,
        "actor": actor,
        "actor_label": "Ann Nowak",
        "action": "ticket.merged",
        "target_label": "Żółw 王小明 Nguyễn",
        "changes": {"from": [1, 2], "note": "ünïcode", "nested": {"ok": True}},
        "ip_address": "2001:db8::1",
    }
    return AuditEntry(**{**values, **fields})


def test_the_row_and_the_instance_are_those_save_makes(actor):
    saved, inserted = _entry(actor), _entry(actor)
    saved.save()
    insert(inserted)
    assert isinstance(inserted.pk, int) and inserted.pk > saved.pk
    assert not inserted._state.adding and inserted._state.db == "default"
    rows = {
        row.pop("id"): row
        for row in AuditEntry.objects.filter(pk__in=[saved.pk, inserted.pk]).values("id", *COLUMNS)
    }
    assert rows[inserted.pk] == rows[saved.pk]
    inserted.refresh_from_db()
    assert (inserted.created_at, inserted.changes, inserted.actor_id) == (WHEN, saved.changes, actor.pk)


def test_one_statement_per_row_compiled_once(actor):
    insert(_entry(actor))
    compiled = dict(inserts._statements)
    assert AuditEntry in {model for model, _db, _columns in compiled}  # compiled, not saved
    with CaptureQueriesContext(connection) as queries:
        for n in range(3):
            insert(_entry(actor, target_id=str(n)))
    assert len(queries.captured_queries) == 3
    assert all(query["sql"].startswith("INSERT INTO") for query in queries.captured_queries)
    assert inserts._statements == compiled  # nothing compiled again
    written = AuditEntry.objects.exclude(target_id="").values_list("target_id", flat=True)
    assert sorted(written) == ["0", "1", "2"]


def test_auto_now_fields_are_set_as_save_sets_them(actor):
    entry = LogEntry(user=actor, object_repr="Printer", action_flag=ADDITION)
    insert(entry)
    assert any(model is LogEntry for model, _db, _columns in inserts._statements)
    stored = LogEntry.objects.get(pk=entry.pk)
    assert entry.action_time is not None and stored.action_time == entry.action_time


def test_receivers_and_expressions_go_through_save(actor):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.action)

    pre_save.connect(receiver, sender=AuditEntry)
    try:
        insert(_entry(actor, action="with.receiver"))
    finally:
        pre_save.disconnect(receiver, sender=AuditEntry)
    assert seen == ["with.receiver"]
    by_expression = _entry(actor, created_at=Now())
    insert(by_expression)
    assert AuditEntry.objects.get(pk=by_expression.pk).created_at is not None


def test_a_row_with_its_primary_key_set_is_saved_as_save_saves_it(actor):
    existing = _entry(actor)
    existing.save()
    again = _entry(actor, pk=existing.pk, action="changed")
    insert(again)  # save() updates the row with that key; so does insert()
    assert AuditEntry.objects.get(pk=existing.pk).action == "changed"
    assert AuditEntry.objects.count() == 1


def test_bad_rows_are_refused_as_save_refuses_them(actor):
    unsaved = get_user_model()(email="nobody@desk.test")
    with pytest.raises(ValueError, match="unsaved related object"):
        insert(_entry(unsaved))
    before = AuditEntry.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(_entry(actor, action=None))  # NOT NULL
    assert AuditEntry.objects.count() == before
