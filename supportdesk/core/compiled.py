"""Querysets turned into SQL once per process, then run with new values: `CompiledQuery`.

Building a queryset and compiling it to SQL is pure Python work that gives the same SQL every
time for a query of one shape; only the values differ. On the ticket page that work took half
of the page's time (13 queries, about 0.35 ms each to build and compile, 0.03 ms each to run on
SQLite). A `CompiledQuery` builds its queryset once per shape with stand-in values, keeps the
SQL Django compiled for it, and from then on only puts the real values in their places.

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
CompiledQuery of their own and leave them on the rows (`core.queries.keep_related`).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from django.db.models.sql.query import Query

T = TypeVar("T")
V = TypeVar("V")

# Stand-ins no real value takes: far below any id, strings with Unicode non-characters, and
# seconds into the year 1111.
_INT_STAND_IN = -(2**62)
_STR_STAND_IN = "\ufdd0compiled-query-value-{}\ufdd0"
_DATETIME_STAND_IN = datetime(1111, 1, 1, tzinfo=UTC)
_VALUE_TYPES = (int, str, datetime)
_SHAPE_TYPES = (type(None), bool, Enum)
# A queryset's attributes that decide what its rows become (model instances, values, tuples).
_CARRIED_OVER = ("_iterable_class", "_fields")


def _stand_in(value: object, index: int) -> int | str | datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("CompiledQuery takes aware datetimes only")
        return _DATETIME_STAND_IN + timedelta(seconds=index)
    return _INT_STAND_IN - index if isinstance(value, int) else _STR_STAND_IN.format(index)


def _is_value(value: object) -> bool:
    return isinstance(value, _VALUE_TYPES) and not isinstance(value, bool)


def _is_values(value: object) -> bool:
    return isinstance(value, list | tuple) and all(_is_value(item) for item in value)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One shape's SQL and what running it needs from the compiler that made it."""

    queryset: QuerySet[Any]  # built on stand-ins: its query and the kind of rows it makes
    sql: str
    params: tuple[Any, ...]
    # (position in params, position among the values, whether the database adapted it)
    slots: tuple[tuple[int, int, bool], ...]
    compiler_state: dict[str, Any]

    def run(self, values: list[Any]) -> list[Any]:
        if not self.sql:
            return []
        params = list(self.params)
        adapt = connection.ops.adapt_datetimefield_value
        for at, index, adapted in self.slots:
            params[at] = adapt(values[index]) if adapted else values[index]
        template = self.queryset
        query: Query = _BoundQuery.__new__(_BoundQuery)
        query.__dict__ = {**template.query.__dict__, "_compiled": self, "_params": tuple(params)}
        kept = vars(template)  # what QuerySet's own copies carry over: where to read, what to make
        queryset = template.__class__(model=template.model, query=query, using=kept["_db"])
        vars(queryset).update({name: kept[name] for name in _CARRIED_OVER})
        return list(queryset)


class _BoundQuery(Query):
    """A compiled query with its values: its compiler answers with the kept SQL."""

    _compiled: _Compiled
    _params: tuple[Any, ...]

    def get_compiler(self, using: Any = None, connection: Any = None, elide_empty: bool = True) -> Any:
        compiler = super().get_compiler(using, connection, elide_empty)
        # What as_sql() would have set up on the way, for the code that reads the rows.
        compiler.__dict__.update(self._compiled.compiler_state)
        compiler.as_sql = self._kept_sql
        return compiler

    def _kept_sql(self, *args: Any, **kwargs: Any) -> tuple[str, tuple[Any, ...]]:
        return self._compiled.sql, self._params

    def clone(self) -> Query:  # pragma: no cover - nothing clones it: results leave as lists
        raise TypeError("a compiled query cannot be changed; build another CompiledQuery")


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
        stand_ins: dict[str, Any] = {}
        owner: dict[Any, str] = {}  # stand-in -> the argument it stands for
        order: dict[Any, int] = {}  # stand-in, as it reaches the SQL -> its place among the values
        adapted: set[Any] = set()  # stand-ins that reach the SQL as the database adapted them

        places = itertools.count()

        def stand_in_for(value: Any, name: str) -> Any:
            index = next(places)
            placeholder = _stand_in(value, index)
            owner[placeholder], order[placeholder] = name, index
            if isinstance(placeholder, datetime):
                # SQLite's parameter is the text Django makes of it; PostgreSQL's, the datetime.
                form = connection.ops.adapt_datetimefield_value(placeholder)
                owner[form], order[form] = name, order[placeholder]
                adapted.add(form)
            return placeholder

        for name in sorted(arguments):
            value = arguments[name]
            if _is_value(value):
                stand_ins[name] = stand_in_for(value, name)
            elif _is_values(value):
                stand_ins[name] = type(value)(stand_in_for(item, name) for item in value)
            else:
                stand_ins[name] = value
        queryset = self._build(**stand_ins)
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            # Its Prefetch objects would be shared by every thread that runs the query.
            raise ImproperlyConfigured(
                f"{self._name}: prefetch_related is not compiled; read the related rows with a "
                "CompiledQuery of their own and leave them on the rows (core.queries.keep_related)"
            )
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            # Django knows it finds nothing (an empty `__in`): kept as SQL that is never sent.
            return _Compiled(queryset, "", (), (), {})
        slots = tuple(
            (at, order[param], param in adapted)
            for at, param in enumerate(params)
            if _is_value(param) and param in order
        )
        reached = {index for _at, index, _adapted in slots}
        missing = sorted({owner[placeholder] for placeholder, index in order.items() if index not in reached})
        if missing:
            raise ImproperlyConfigured(
                f"{self._name}: {', '.join(missing)} did not reach the SQL as a parameter of its own "
                "(a lookup transformed it, or the query does not use it); pass it as a shape value"
            )
        state = {
            attribute: getattr(compiler, attribute)
            for attribute in ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")
        }
        return _Compiled(queryset, sql, tuple(params), slots, state)


def padded(values: Sequence[V]) -> list[V]:
    """`values` made as long as the next power of two by repeating the last one: for an `__in`
    of any length, so that lists of 5 to 8 items share one shape (IN (a, b, b) finds what
    IN (a, b) does). Empty stays empty."""
    size = 1
    while size < len(values):
        size *= 2
    return [*values, *[values[-1]] * (size - len(values))] if values else []
