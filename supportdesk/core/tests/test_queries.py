"""The shared query helpers, on the real database engine. (The rows are audit entries only
because core owns that table; the product never updates them.)"""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.core.models import AuditEntry
from supportdesk.core.queries import unique_row, update_many

pytestmark = pytest.mark.django_db


def _entry(action: str) -> AuditEntry:
    return AuditEntry.objects.create(action=action, target_label="before", changes={"n": 0})


def test_update_many_saves_each_rows_own_values_in_one_statement():
    first, second, untouched = _entry("one"), _entry("two"), _entry("three")
    when = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    first.target_label, first.changes, first.created_at = "Ann Nowak", {"name": ["Ann", "Ann Nowak"]}, when
    second.target_label, second.changes, second.created_at = "王小明", {"n": 2}, when
    second.actor_label = "not saved: not in the field list"
    with CaptureQueriesContext(connection) as queries:
        update_many([first, second], ["target_label", "changes", "created_at"])
    assert len(queries.captured_queries) == 1
    rows = {e.pk: (e.target_label, e.changes) for e in AuditEntry.objects.all()}
    assert rows == {
        first.pk: ("Ann Nowak", {"name": ["Ann", "Ann Nowak"]}),
        second.pk: ("王小明", {"n": 2}),
        untouched.pk: ("before", {"n": 0}),
    }
    assert AuditEntry.objects.get(pk=second.pk).created_at == when
    assert AuditEntry.objects.get(pk=second.pk).actor_label == ""
    with CaptureQueriesContext(connection) as queries:
        update_many([], ["target_label"])  # nothing to save
    assert not queries.captured_queries


def test_update_many_refuses_what_is_not_a_column():
    with pytest.raises(ValueError):
        update_many([_entry("one")], ["no_such_field"])


def test_unique_row_finds_one_or_none():
    entry = _entry("one")
    assert unique_row(AuditEntry.objects.filter(pk=entry.pk)) == entry
    assert unique_row(AuditEntry.objects.filter(pk=entry.pk + 1)) is None
