"""`insert(instance)`: a new row saved as `instance.save()` saves it, without rebuilding the
INSERT statement each time.

`Model.save()` builds an insert query and compiles it for every row: for a ticket with thirty
columns that was ~0.2 ms of Python around a statement SQLite runs in 0.05 ms, three or four
times for each ticket opened (the ticket, its first message, its timeline event). Here the
statement is compiled once per model, columns and database, by Django's own compiler on the
first row, and each later row only has its values prepared by its fields (`pre_save`, then
`get_db_prep_save`, as the compiler does) and sent through Django's cursor (its error
translation, execute wrappers and query log apply).

The row is the same as `save()` would write, and the instance ends as `save()` leaves it: its
primary key and the other columns the database returns set, `_state` no longer adding. Rows
`save()` would treat differently go through `save()`: a model with `pre_save` or `post_save`
receivers (they must run), with parents (multi-table inheritance), with a primary key set
already (save() may update that row), a value that is an expression, or a field that writes a
placeholder of its own.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import AutoField, Field, Model
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

_lock = threading.Lock()
# (model, database alias, the columns written) -> the compiled statement's SQL and RETURNING
# parameters, or None where save() must write the row
_statements: dict[tuple[type[Model], str, tuple[str, ...]], tuple[str, tuple[Any, ...]] | None] = {}


def insert(instance: Model, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Save the new `instance` (as `instance.save()` would; see the module)."""
    model = type(instance)
    meta = model._meta
    if (
        meta.parents
        or pre_save.has_listeners(model)
        or post_save.has_listeners(model)
        or not instance._state.adding
        or instance.pk is not None  # save() may update the row that has it: its rules apply
    ):
        instance.save(using=using)
        return
    instance._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    fields = _written_fields(instance)
    key = (model, using, tuple(field.attname for field in fields))
    if key not in _statements:
        with _lock:
            _statements.setdefault(key, _compile(instance, fields, using))
    compiled = _statements[key]
    if compiled is None:  # not one parameter a column (remembered, not compiled again)
        instance.save(using=using)
        return
    connection = connections[using]
    values = []
    for field in fields:
        value = field.pre_save(instance, True)
        if hasattr(value, "resolve_expression"):  # written as SQL: the compiler's work
            instance.save(using=using)
            return
        values.append(field.get_db_prep_save(value, connection))
    sql, returning_params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *returning_params])
        _set_returned(instance, cursor, connection, returning_params)
    instance._state.adding = False
    instance._state.db = using


def _written_fields(instance: Model) -> list[Field[Any, Any]]:
    """The columns `save()` writes for a new row without a primary key: all but the one the
    database assigns, and never a generated column."""
    meta = instance._meta
    return [
        field
        for field in meta.local_concrete_fields
        if field is not meta.auto_field and not getattr(field, "generated", False)
    ]


def _compile(
    instance: Model, fields: list[Field[Any, Any]], using: str
) -> tuple[str, tuple[Any, ...]] | None:
    """The INSERT Django's compiler makes for rows of `instance`'s model with these columns, and
    its RETURNING clause's parameters; None when a column's value is not simply one parameter
    (a field that writes SQL of its own) or there is more than one statement."""
    if any(hasattr(field, "get_placeholder") for field in fields):
        return None
    query = InsertQuery(type(instance))
    query.insert_values(fields, [instance])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = type(instance)._meta.db_returning_fields
    statements = compiler.as_sql()
    if len(statements) != 1:
        return None
    sql, params = statements[0]
    returning_params = tuple(getattr(compiler, "returning_params", ()))
    if len(params) != len(fields) + len(returning_params):
        return None
    return sql, returning_params


def _set_returned(instance: Model, cursor: Any, connection: Any, returning_params: tuple[Any, ...]) -> None:
    """Read back the columns the database set (the primary key, database defaults) as
    SQLInsertCompiler.execute_sql does, converted as the ORM converts them."""
    meta = instance._meta
    returning = meta.db_returning_fields
    if not returning:
        return
    if connection.features.can_return_columns_from_insert:
        row = list(connection.ops.fetch_returned_insert_columns(cursor, returning_params))
    elif isinstance(returning[0], AutoField):
        returning = [returning[0]]
        row = [connection.ops.last_insert_id(cursor, meta.db_table, returning[0].column)]
    else:
        return
    for value, field in zip(row, returning, strict=True):
        column = field.get_col(meta.db_table)
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = converter(value, column, connection)
        setattr(instance, field.attname, value)
