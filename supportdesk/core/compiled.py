"""Querysets turned into SQL once per process, then run with new values: `CompiledQuery`.

Building a queryset and compiling it to SQL is pure Python work that gives the same SQL every
time for a query of one shape; only the values differ. On the ticket page that work took half
of the page's time (13 queries, about 0.35 ms each to build and compile, 0.03 ms each to run on
SQLite). A `CompiledQuery` builds its queryset once per shape with stand-in values (twice, with
two sets of them: the parameters that differ are the values' places, the others the query's
own), keeps the SQL Django compiled for it, and from then on only puts the real values in
their places.

Running it is cut down the same way. Django's iterables work out, on every run, the columns'
converters, the fields each model instance takes and the populators of its `select_related`
relations, which cost ~0.1 ms a query before the first row (more than SQLite takes to answer).
Here that is done once per shape (`_Rows`); a run sends the SQL through Django's cursor and
makes the rows as the queryset's iterable would: model instances (`Model.from_db`, so custom
loading still applies; a model with neither its own loading nor init signals gets the same
instance without `Model.__init__`), `values()` dicts, `values_list()` tuples or flat values.

The build function must depend on its arguments alone (not on the clock, the language or a
setting that changes at run time): what it returns for one shape is compiled once, for good.
Its arguments decide the shape:

- an `int`, a `str` or an aware `datetime` is a value: a stand-in goes in, and the SQL must carry
  it into a parameter of its own (an exact lookup, a comparison, `__in`, a subquery's filter),
  unchanged or, for a datetime, as the database adapts it. A value Django transforms on the way
  (`contains` wraps it in `%`) is refused the first time, with the argument's name;
- a list or tuple of such values is as many values: its length is part of the shape;
- `None`, a bool or an `Enum` member (a choice that selects a branch in the build function) is
  part of the shape as it is: one compilation per distinct value. Anything else is refused.

One database engine per process is assumed (datetimes are adapted by the default connection's).
Results come back as a list (the model instances with their `select_related` relations, or
the rows of `values()` / `values_list()`), never as a queryset, so nothing can derive a new
query from one built on stand-ins. `prefetch_related` is refused: read the related rows with a
CompiledQuery of their own and leave them on the rows (`core.queries.keep_related`); so are
named tuples, composite primary keys and a related manager's querysets, which nothing needs.
"""

from __future__ import annotations

import inspect
import itertools
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.expressions import ColPairs
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.db.models.sql.compiler import SQLCompiler

T = TypeVar("T")
V = TypeVar("V")

# Stand-ins: strings with Unicode non-characters, seconds into the year 1111, and integers every
# integer column takes, down to a PositiveSmallIntegerField (Django answers an exact lookup with
# a value out of the column's range on PostgreSQL with "nothing", without SQL). A constant of
# the query that equals one is told apart by the second compilation, where it does not change.
_INT_STAND_IN = 32_767
_STR_STAND_IN = "\ufdd0compiled-query-value-{}-{}\ufdd0"
_DATETIME_STAND_IN = datetime(1111, 1, 1, tzinfo=UTC)
MAX_VALUES = _INT_STAND_IN // 2
_VALUE_TYPES = (int, str, datetime)
_SHAPE_TYPES = (type(None), bool, Enum)


def _stand_in(value: object, index: int, variant: int) -> int | str | datetime:
    """The stand-in for the `index`th value in one of two compilations (`variant` 0 or 1): the
    two differ in every value, so a parameter that differs between them is a value's place."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("CompiledQuery takes aware datetimes only")
        return _DATETIME_STAND_IN + timedelta(seconds=2 * index + variant)
    if isinstance(value, int):
        return _INT_STAND_IN - 2 * index - variant
    return _STR_STAND_IN.format(index, variant)


def _is_value(value: object) -> bool:
    return isinstance(value, _VALUE_TYPES) and not isinstance(value, bool)


def _is_values(value: object) -> bool:
    return isinstance(value, list | tuple) and all(_is_value(item) for item in value)


# The descriptors of plain columns: setting one on a new instance only stores the value (the
# foreign key's also forgets a related object cached under the old value: a new one has none).
_STORING_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _made_plainly(model: type[Model], attnames: Sequence[str]) -> bool:
    """Whether `model.from_db(db, attnames, values)` only sets these attributes and the instance's
    state: no `__init__` or `from_db` of the model's own and nothing but plain columns, so a row
    can be made without them (Model.__init__ costs ~5 µs a row, a page reads dozens). The
    pre_init and post_init signals are checked at each run."""
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:  # type: ignore[attr-defined]
        return False
    return all(type(inspect.getattr_static(model, name, None)) in _STORING_DESCRIPTORS for name in attnames)


class _Rows:
    """What Django's iterable for the queryset does with the database's rows, with everything
    that does not depend on the values worked out once: the columns' converters (per database
    connection: a backend's converters are its connection's), and for model rows the fields
    each instance takes and the populators of its `select_related` relations."""

    def __init__(self, queryset: QuerySet[Any], compiler: SQLCompiler) -> None:
        self.db: str = queryset.db
        self._columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        self._trim = compiler.col_count if compiler.has_extra_select else None
        self._converters: WeakKeyDictionary[Any, list[tuple[int, list[Any], Any]]] = WeakKeyDictionary()
        kind = queryset._iterable_class
        self._make: Callable[[list[list[Any]]], list[Any]]
        if kind is ModelIterable:
            self._make = self._model_maker(queryset, compiler)
        elif kind is ValuesListIterable:
            self._make = lambda rows: [tuple(row) for row in rows]
        elif kind is FlatValuesListIterable:
            self._make = lambda rows: [row[0] for row in rows]
        elif kind is ValuesIterable:
            query = queryset.query
            names = list(
                query.selected or [*query.extra_select, *query.values_select, *query.annotation_select]
            )
            self._make = lambda rows: [dict(zip(names, row, strict=False)) for row in rows]
        else:
            raise ImproperlyConfigured(
                f"CompiledQuery makes model instances, values() and values_list() rows, not {kind.__name__}"
            )
        if any(isinstance(column, ColPairs) for column in self._columns):
            raise ImproperlyConfigured("CompiledQuery does not read composite primary keys")

    def _model_maker(
        self, queryset: QuerySet[Any], compiler: SQLCompiler
    ) -> Callable[[list[list[Any]]], list[Any]]:
        if queryset._known_related_objects:  # type: ignore[attr-defined]
            raise ImproperlyConfigured("CompiledQuery does not keep a related manager's instance on its rows")
        select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model, db = klass_info["model"], self.db
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column.target.attname for column, _sql, _alias in select[first:last]]
        # Read-only once built. (The stubs describe a later Django, which adds an argument.)
        populators = get_related_populators(klass_info, select, db)  # type: ignore[call-arg]
        annotated = list((annotations or {}).items())

        plain = _made_plainly(model, init_list)

        def make(rows: list[list[Any]]) -> list[Any]:
            # Receivers may connect at any time: asked once per run.
            quick = plain and not (pre_init.has_listeners(model) or post_init.has_listeners(model))
            made = []
            for row in rows:
                if quick:
                    # What from_db() and Model.__init__ leave on a row read from the database.
                    instance = object.__new__(model)
                    state = ModelState()
                    state.adding, state.db = False, db
                    attributes = instance.__dict__
                    attributes["_state"] = state
                    attributes.update(zip(init_list, row[first:last], strict=True))
                else:
                    instance = model.from_db(db, init_list, row[first:last])
                for populator in populators:
                    populator.populate(row, instance)
                for name, at in annotated:
                    setattr(instance, name, row[at])
                made.append(instance)
            return made

        return make

    def converters(self, connection: BaseDatabaseWrapper) -> list[tuple[int, list[Any], Any]]:
        found = self._converters.get(connection)
        if found is None:
            found = []
            for at, column in enumerate(self._columns):
                if column:
                    convert = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                    if convert:
                        found.append((at, convert, column))
            self._converters[connection] = found
        return found

    def __call__(self, fetched: list[tuple[Any, ...]], connection: BaseDatabaseWrapper) -> list[Any]:
        converters = self.converters(connection)
        rows = [list(row[: self._trim] if self._trim is not None else row) for row in fetched]
        if converters:
            for row in rows:
                for at, convert, column in converters:
                    value = row[at]
                    for converter in convert:
                        value = converter(value, column, connection)
                    row[at] = value
        return self._make(rows)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One shape's SQL, and how its rows become what the queryset would have returned."""

    sql: str
    params: tuple[Any, ...]
    # (position in params, position among the values, whether the database adapted it)
    slots: tuple[tuple[int, int, bool], ...]
    rows: _Rows | None  # None: Django knows the query finds nothing; it is never sent

    def run(self, values: list[Any]) -> list[Any]:
        if self.rows is None:
            return []
        params = list(self.params)
        database = connections[self.rows.db]
        adapt = database.ops.adapt_datetimefield_value
        for at, index, adapted in self.slots:
            params[at] = adapt(values[index]) if adapted else values[index]
        # Through Django's cursor: its error translation, execute wrappers and query log apply.
        with database.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        return self.rows(fetched, database)


class CompiledQuery(Generic[T]):
    """`build(**arguments)` compiled once per shape and database; calling the CompiledQuery
    with the same arguments returns the list the built queryset would."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *, name: str = "") -> None:
        self._build = build
        self._name = name or getattr(build, "__qualname__", "query")
        self._shapes: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, **arguments: Any) -> list[T]:
        values: list[Any] = []
        shape: list[Hashable] = []
        for name in sorted(arguments):
            value = arguments[name]
            if _is_value(value):
                shape.append((name, type(value)))
                values.append(value)
            elif _is_values(value):
                shape.append((name, tuple(type(item) for item in value)))
                values.extend(value)
            elif isinstance(value, _SHAPE_TYPES):
                shape.append((name, "as is", value))
            else:
                raise TypeError(f"{self._name}: {name} is neither a value nor a shape ({value!r})")
        key = tuple(shape)
        compiled = self._shapes.get(key)
        if compiled is None:
            compiled = self._compile(arguments)
            with self._lock:
                self._shapes.setdefault(key, compiled)
        return compiled.run(values)

    def first(self, **arguments: Any) -> T | None:
        """The first row the query finds with these arguments, or None."""
        rows = self(**arguments)
        return rows[0] if rows else None

    def _compile(self, arguments: dict[str, Any]) -> _Compiled:
        # Compiled twice, with different stand-ins: a parameter that differs between the two is
        # a value's place; one that does not is the query's own (a constant that happens to
        # equal a stand-in is not mistaken for a value).
        first, second = self._trace(arguments, 0), self._trace(arguments, 1)
        if first.sql is None and second.sql is None:
            # Django knows it finds nothing (an empty `__in`): nothing is ever sent.
            return _Compiled("", (), (), None)
        if first.sql != second.sql or len(first.params) != len(second.params):
            raise ImproperlyConfigured(
                f"{self._name}: the query's SQL depends on its values; pass the ones that decide "
                "it as shape values"
            )
        slots = []
        for at, (one, other) in enumerate(zip(first.params, second.params, strict=True)):
            if type(one) is type(other) and one == other:
                continue
            index = first.order.get(one) if _is_value(one) else None
            if index is None or index != (second.order.get(other) if _is_value(other) else None):
                index = -1  # a value transformed on its way: refused below, by its name
            slots.append((at, index, one in first.adapted))
        reached = {index for _at, index, _adapted in slots}
        missing = sorted({name for index, name in first.owner.items() if index not in reached})
        if missing:
            raise ImproperlyConfigured(
                f"{self._name}: {', '.join(missing)} did not reach the SQL as a parameter of its own "
                "(a lookup transformed it, or the query does not use it); pass it as a shape value"
            )
        if -1 in reached:
            raise ImproperlyConfigured(
                f"{self._name}: a parameter changes with the values but is none of them"
            )
        assert first.sql is not None and first.compiler is not None
        return _Compiled(first.sql, tuple(first.params), tuple(slots), _Rows(first.queryset, first.compiler))

    def _trace(self, arguments: dict[str, Any], variant: int) -> _Trace:
        """The queryset built on one set of stand-ins, compiled, with where each stand-in went."""
        trace = _Trace()
        places = itertools.count()

        def stand_in_for(value: Any, name: str) -> Any:
            index = next(places)
            if index >= MAX_VALUES:
                raise ImproperlyConfigured(f"{self._name}: more than {MAX_VALUES} values")
            placeholder = _stand_in(value, index, variant)
            trace.owner[index], trace.order[placeholder] = name, index
            if isinstance(placeholder, datetime):
                # SQLite's parameter is the text Django makes of it; PostgreSQL's, the datetime.
                form = connection.ops.adapt_datetimefield_value(placeholder)
                trace.order[form] = index
                trace.adapted.add(form)
            return placeholder

        stand_ins: dict[str, Any] = {}
        for name in sorted(arguments):
            value = arguments[name]
            if _is_value(value):
                stand_ins[name] = stand_in_for(value, name)
            elif _is_values(value):
                stand_ins[name] = type(value)(stand_in_for(item, name) for item in value)
            else:
                stand_ins[name] = value
        trace.queryset = self._build(**stand_ins)
        if trace.queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            # Its Prefetch objects would be shared by every thread that runs the query.
            raise ImproperlyConfigured(
                f"{self._name}: prefetch_related is not compiled; read the related rows with a "
                "CompiledQuery of their own and leave them on the rows (core.queries.keep_related)"
            )
        trace.compiler = trace.queryset.query.get_compiler(trace.queryset.db)
        try:
            trace.sql, params = trace.compiler.as_sql()
        except EmptyResultSet:
            return trace
        trace.params = list(params)
        return trace


@dataclass
class _Trace:
    """One compilation on stand-ins (`sql` None: Django knew it finds nothing)."""

    queryset: QuerySet[Any] = None  # type: ignore[assignment]
    compiler: SQLCompiler | None = None
    sql: str | None = None
    params: list[Any] = field(default_factory=list)
    owner: dict[int, str] = field(default_factory=dict)  # a value's place -> its argument
    order: dict[Any, int] = field(default_factory=dict)  # a stand-in as it reaches the SQL -> its place
    adapted: set[Any] = field(default_factory=set)  # stand-ins that reach the SQL adapted by the database


def padded(values: Sequence[V]) -> list[V]:
    """`values` made as long as the next power of two by repeating the last one: for an `__in`
    of any length, so that lists of 5 to 8 items share one shape (IN (a, b, b) finds what
    IN (a, b) does). Empty stays empty."""
    size = 1
    while size < len(values):
        size *= 2
    return [*values, *[values[-1]] * (size - len(values))] if values else []
