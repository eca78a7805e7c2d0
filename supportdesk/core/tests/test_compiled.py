"""CompiledQuery on the real database engine: the same rows as the queryset it compiles, each
shape compiled once, and the arguments it cannot carry refused by name. (Audit entries, because
core owns that table.)"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.test.utils import CaptureQueriesContext

from supportdesk.core.compiled import CompiledQuery, padded
from supportdesk.core.models import AuditEntry

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def entries() -> list[AuditEntry]:
    actor = get_user_model().objects.create_user(email="ann@desk.test", password="x", name="Ann Nowak")
    return [
        AuditEntry.objects.create(
            actor=actor if i % 2 else None,
            action=f"action-{i % 3}",
            target_id=str(i),
            target_label=["Żółw", "王小明", "Nguyễn"][i % 3],
            changes={"n": i, "note": "ünïcode"},
            created_at=START + timedelta(hours=i),
        )
        for i in range(9)
    ]


def _by_action(action: str, since: datetime) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.select_related("actor").filter(action=action, created_at__gte=since).order_by("id")
    )


class Counting:
    """A build function that counts how often a shape is compiled (each compilation builds the
    queryset twice, on two sets of stand-ins)."""

    def __init__(self, build: Any) -> None:
        self.build, self.calls = build, 0

    @property
    def compilations(self) -> int:
        assert self.calls % 2 == 0
        return self.calls // 2

    def __call__(self, **arguments: Any) -> Any:
        self.calls += 1
        return self.build(**arguments)


def test_rows_are_those_of_the_queryset_with_relations_and_converted_columns(entries):
    build = Counting(_by_action)
    query: CompiledQuery[AuditEntry] = CompiledQuery(build)
    for action in ("action-0", "action-1", "action-2", "nothing"):
        for since in (START, START + timedelta(hours=4)):
            got = query(action=action, since=since)
            expected = list(_by_action(action, since))
            assert [e.pk for e in got] == [e.pk for e in expected]
            assert [(e.target_label, e.changes, e.created_at) for e in got] == [
                (e.target_label, e.changes, e.created_at) for e in expected
            ]
            assert [e.actor.name if e.actor else None for e in got] == [
                e.actor.name if e.actor else None for e in expected
            ]
    assert build.compilations == 1  # one shape: compiled once, then only run


def test_reading_relations_selected_together_costs_no_query(entries):
    query: CompiledQuery[AuditEntry] = CompiledQuery(_by_action)
    query(action="action-1", since=START)
    with CaptureQueriesContext(connection) as queries:
        rows = query(action="action-1", since=START)
        names = [e.actor.name for e in rows if e.actor_id]
    assert names and len(queries.captured_queries) == 1


def test_value_rows_lists_and_their_lengths(entries):
    build = Counting(
        lambda ids: (
            AuditEntry.objects.filter(target_id__in=ids).order_by("-id").values_list("target_id", "changes")
        )
    )
    query: CompiledQuery[tuple[str, dict[str, Any]]] = CompiledQuery(build)
    assert query(ids=["1", "2"]) == [("2", {"n": 2, "note": "ünïcode"}), ("1", {"n": 1, "note": "ünïcode"})]
    assert query(ids=["7", "8"]) == [("8", {"n": 8, "note": "ünïcode"}), ("7", {"n": 7, "note": "ünïcode"})]
    assert query(ids=["3"]) == [("3", {"n": 3, "note": "ünïcode"})]
    assert build.compilations == 2  # two lengths, two shapes
    named = CompiledQuery(lambda pk: AuditEntry.objects.filter(pk=pk).values("target_label", "actor__name"))
    assert named(pk=entries[1].pk) == [{"target_label": "王小明", "actor__name": "Ann Nowak"}]


class Scope(Enum):
    ALL = "all"
    MINE = "mine"


def test_shape_arguments_choose_a_query_each(entries):
    def build(scope: Scope, actor_id: int | None) -> QuerySet[AuditEntry]:
        rows = AuditEntry.objects.order_by("id")
        if scope is Scope.MINE:
            rows = rows.filter(actor_id=actor_id) if actor_id is not None else rows.filter(actor__isnull=True)
        return rows.values_list("target_id", flat=True)

    counting = Counting(build)
    query: CompiledQuery[str] = CompiledQuery(counting)
    actor_id = entries[1].actor_id
    assert query(scope=Scope.ALL, actor_id=None) == [str(i) for i in range(9)]
    assert query(scope=Scope.MINE, actor_id=None) == ["0", "2", "4", "6", "8"]
    assert query(scope=Scope.MINE, actor_id=actor_id) == ["1", "3", "5", "7"]
    assert query(scope=Scope.MINE, actor_id=actor_id + 1000) == []
    assert counting.compilations == 3


def test_a_query_known_to_be_empty_runs_nothing(entries):
    query: CompiledQuery[AuditEntry] = CompiledQuery(lambda ids: AuditEntry.objects.filter(Q(pk__in=ids)))
    with CaptureQueriesContext(connection) as queries:
        assert query(ids=[]) == []
    assert not queries.captured_queries


def test_values_the_sql_would_not_carry_as_given_are_refused_by_name(entries):
    transformed = CompiledQuery(
        lambda word: AuditEntry.objects.filter(target_label__contains=word), name="labels"
    )
    with pytest.raises(ImproperlyConfigured, match="labels: word did not reach the SQL"):
        transformed(word="Żółw")
    unused = CompiledQuery(lambda pk, spare: AuditEntry.objects.filter(pk=pk))
    with pytest.raises(ImproperlyConfigured, match="spare"):
        unused(pk=1, spare=2)
    prefetching = CompiledQuery(lambda pk: AuditEntry.objects.filter(pk=pk).prefetch_related("actor"))
    with pytest.raises(ImproperlyConfigured, match="prefetch_related is not compiled"):
        prefetching(pk=1)
    with pytest.raises(TypeError, match="neither a value nor a shape"):
        CompiledQuery(lambda pk: AuditEntry.objects.filter(pk=pk))(pk=1.5)
    with pytest.raises(TypeError, match="aware"):
        CompiledQuery(_by_action)(action="x", since=datetime(2026, 1, 1))


def test_results_are_lists_not_querysets(entries):
    query: CompiledQuery[AuditEntry] = CompiledQuery(lambda pk: AuditEntry.objects.filter(pk=pk))
    rows = query(pk=entries[0].pk)
    assert isinstance(rows, list) and rows[0].pk == entries[0].pk


def test_padded_lists_share_a_few_shapes():
    assert padded([]) == []
    assert padded([7]) == [7]
    assert padded([1, 2, 3]) == [1, 2, 3, 3]
    assert padded(list(range(5))) == [0, 1, 2, 3, 4, 4, 4, 4]
    assert len(padded(list(range(300)))) == 512


def test_values_after_a_datetime_keep_their_places(entries):
    query: CompiledQuery[str] = CompiledQuery(
        lambda since, label, until: (
            AuditEntry.objects.filter(created_at__gte=since, target_label=label, created_at__lt=until)
            .order_by("id")
            .values_list("target_id", flat=True)
        )
    )
    assert query(since=START, label="王小明", until=START + timedelta(hours=5)) == ["1", "4"]
    later = START + timedelta(hours=2)
    assert query(since=later, label="Żółw", until=START + timedelta(hours=9)) == ["3", "6"]


def test_annotations_and_instances_loaded_as_the_model_loads_them(entries):
    query: CompiledQuery[AuditEntry] = CompiledQuery(
        lambda action: (
            AuditEntry.objects.filter(action=action)
            .annotate(label_length=Length("target_label"))
            .only("id", "target_label")
            .order_by("id")
        )
    )
    rows = query(action="action-1")
    expected = list(
        AuditEntry.objects.filter(action="action-1")
        .annotate(label_length=Length("target_label"))
        .only("id", "target_label")
        .order_by("id")
    )
    assert [(e.pk, e.target_label, e.label_length) for e in rows] == [
        (e.pk, e.target_label, e.label_length) for e in expected
    ]
    # Saved and loaded like any instance: not new, from this database, the other columns deferred.
    assert all(not e._state.adding and e._state.db == "default" for e in rows)
    assert rows[0].get_deferred_fields() == expected[0].get_deferred_fields()


def test_rows_made_on_other_threads_convert_with_their_own_connection(entries, transactional_db):
    """Converters come from each thread's connection (a backend's converters are its own)."""
    query: CompiledQuery[tuple[str, datetime]] = CompiledQuery(
        lambda pk: AuditEntry.objects.filter(pk=pk).values_list("target_label", "created_at")
    )
    here = query(pk=entries[2].pk)
    found: list[Any] = []

    def read() -> None:
        try:
            found.append(query(pk=entries[2].pk))
        finally:
            connection.close()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    assert found == [here] == [[("Nguyễn", START + timedelta(hours=2))]]


def test_rows_it_cannot_make_are_refused_when_compiled(entries):
    named = CompiledQuery(lambda pk: AuditEntry.objects.filter(pk=pk).values_list("id", named=True))
    with pytest.raises(ImproperlyConfigured, match="not NamedValuesListIterable"):
        named(pk=1)
    actor = entries[1].actor  # the admin's log entries: any related manager will do
    of_related_manager = CompiledQuery(lambda pk: actor.logentry_set.filter(pk=pk))
    with pytest.raises(ImproperlyConfigured, match="related manager"):
        of_related_manager(pk=1)


def test_small_integer_columns_and_constants_that_look_like_stand_ins(entries):
    """Stand-ins fit every integer column (PostgreSQL answers an out-of-range value with nothing,
    without asking), and a constant of the query is never taken for a value's place."""
    from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

    actor = entries[1].actor
    logged = {
        flag: LogEntry.objects.create(user=actor, object_repr="x", action_flag=flag)
        for flag in (ADDITION, CHANGE, DELETION)
    }
    by_flag: CompiledQuery[int] = CompiledQuery(
        lambda flag: LogEntry.objects.filter(action_flag=flag).values_list("pk", flat=True)  # a small integer
    )
    assert {flag: by_flag(flag=flag) for flag in logged} == {flag: [row.pk] for flag, row in logged.items()}
    beside_a_constant: CompiledQuery[AuditEntry] = CompiledQuery(
        lambda pk: AuditEntry.objects.filter(pk=pk).exclude(pk=32_767).exclude(target_id="32767")
    )
    assert [e.pk for e in beside_a_constant(pk=entries[3].pk)] == [entries[3].pk]


def test_a_value_that_changes_the_sql_itself_is_refused(entries):
    sliced = CompiledQuery(lambda n: AuditEntry.objects.order_by("id")[:n], name="first n")
    with pytest.raises(ImproperlyConfigured, match="first n: the query's SQL depends on its values"):
        sliced(n=3)


def _instance_state(entry: AuditEntry) -> dict[str, Any]:
    values = {k: v for k, v in vars(entry).items() if k != "_state"}
    return {**values, "adding": entry._state.adding, "db": entry._state.db}


def test_instances_made_without_init_are_those_the_model_makes(entries):
    query: CompiledQuery[AuditEntry] = CompiledQuery(_by_action)
    for action in ("action-0", "action-1"):
        made, expected = query(action=action, since=START), list(_by_action(action, START))
        assert [_instance_state(e) for e in made] == [_instance_state(e) for e in expected]
        assert [e.actor_id for e in made] == [e.actor.pk if e.actor else None for e in made]
    # Saved like any loaded row: an UPDATE of the same row, not a new one.
    row = made[0]
    row.target_label = "Changed"
    row.save(update_fields=["target_label"])
    assert AuditEntry.objects.get(pk=row.pk).target_label == "Changed"


def test_init_signals_and_a_models_own_loading_are_kept(entries, monkeypatch):
    from django.db.models.signals import post_init

    query: CompiledQuery[AuditEntry] = CompiledQuery(_by_action)
    query(action="action-1", since=START)  # compiled before the receiver connects
    seen: list[int] = []

    def receiver(sender: type, instance: AuditEntry, **kwargs: Any) -> None:
        seen.append(id(instance))

    post_init.connect(receiver, sender=AuditEntry)
    try:
        rows = query(action="action-1", since=START)
    finally:
        post_init.disconnect(receiver, sender=AuditEntry)
    assert rows and {id(e) for e in rows} <= set(seen)

    loading = AuditEntry.from_db.__func__  # type: ignore[attr-defined]

    def from_db(cls: type[AuditEntry], db: str, field_names: Any, values: Any) -> AuditEntry:
        instance = loading(cls, db, field_names, values)
        instance.loaded_here = True  # type: ignore[attr-defined]
        return instance

    monkeypatch.setattr(AuditEntry, "from_db", classmethod(from_db))
    own: CompiledQuery[AuditEntry] = CompiledQuery(lambda action: AuditEntry.objects.filter(action=action))
    assert all(getattr(e, "loaded_here", False) for e in own(action="action-2"))
