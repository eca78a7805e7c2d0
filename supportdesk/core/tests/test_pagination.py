"""Keyset pagination: cursors round-trip, tampering is refused, pages tile the ordering."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.core.errors import ValidationFailed
from supportdesk.core.models import AuditEntry
from supportdesk.core.pagination import SortKey, decode_cursor, encode_cursor, paginate


@given(
    st.lists(
        st.one_of(
            st.integers(min_value=-(2**62), max_value=2**62),
            st.text(max_size=250),
            st.datetimes(timezones=st.just(UTC)),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_cursor_round_trips(values):
    assert decode_cursor(encode_cursor(values), len(values)) == values


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        "bm90IGpzb24",
        "W10",
        "W1sieCIsMV1d",
        "W1siZCIsIjIwMjYtMDEtMDEiXV0",
        "a" * 5000,
        "W1siaSIsdHJ1ZV1d",
    ],
)
def test_bad_cursors_are_a_validation_error(cursor):
    with pytest.raises(ValidationFailed) as caught:
        decode_cursor(cursor, 1)
    assert caught.value.code == "invalid_cursor"


def test_wrong_length_is_refused():
    with pytest.raises(ValidationFailed):
        decode_cursor(encode_cursor([1, 2]), 3)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=7),
    ties=st.integers(min_value=1, max_value=4),
    two_steps=st.booleans(),
)
def test_pages_cover_every_row_once_in_order(size, ties, two_steps):
    AuditEntry.objects.all().delete()
    base = datetime(2026, 1, 1, tzinfo=UTC)
    # Several rows share a timestamp, so the id must break ties.
    for n in range(17):
        AuditEntry.objects.create(action="x", created_at=base + timedelta(minutes=n // ties))
    keys = (SortKey("created_at"), SortKey("id"))
    expected = list(AuditEntry.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    seen, cursor = [], None
    while True:
        # Two steps: the page's ids alone, then the rows with their relations joined.
        hydrate = (
            (lambda ids: AuditEntry.objects.filter(pk__in=ids).select_related("actor")) if two_steps else None
        )
        page = paginate(AuditEntry.objects.all(), keys, cursor, size, hydrate=hydrate)
        seen += [entry.pk for entry in page.items]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == expected


@pytest.mark.django_db
def test_ascending_order_and_last_key_must_be_the_primary_key():
    for n in range(5):
        AuditEntry.objects.create(action="x", created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n))
    keys = (SortKey("created_at", descending=False), SortKey("id", descending=False))
    first = paginate(AuditEntry.objects.all(), keys, None, 2)
    second = paginate(AuditEntry.objects.all(), keys, first.next_cursor, 2)
    assert [e.created_at.day for e in first.items + second.items] == [1, 2, 3, 4]
    with pytest.raises(ValueError):
        paginate(AuditEntry.objects.all(), (SortKey("created_at"),), None, 2)


def test_integers_beyond_64_bits_are_refused():
    with pytest.raises(ValidationFailed):
        decode_cursor("W1siaSIsIDk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5XV0", 1)
    assert decode_cursor(encode_cursor([2**63 - 1]), 1) == [2**63 - 1]


@pytest.mark.django_db
def test_values_of_the_wrong_type_for_the_sort_keys_are_an_invalid_cursor():
    keys = (SortKey("created_at"), SortKey("id"))
    for forged in (["not a date", 1], [5, 1], [datetime(2026, 1, 1, tzinfo=UTC), "x"]):
        with pytest.raises(ValidationFailed) as caught:
            paginate(AuditEntry.objects.all(), keys, encode_cursor(forged), 5)
        assert caught.value.code == "invalid_cursor"


@pytest.mark.django_db
def test_a_row_deleted_between_the_two_reads_is_left_out_not_an_error(monkeypatch):
    entries = [AuditEntry.objects.create(action=f"a{n}") for n in range(3)]

    def hydrate(ids):
        AuditEntry.objects.filter(pk=entries[1].pk).delete()  # gone after the ids were read
        return AuditEntry.objects.filter(pk__in=ids)

    page = paginate(AuditEntry.objects.all(), (SortKey("id"),), None, 10, hydrate=hydrate)
    assert [entry.pk for entry in page.items] == [entries[2].pk, entries[0].pk]
    assert not page.has_next
