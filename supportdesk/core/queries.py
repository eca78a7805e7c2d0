"""Small query helpers shared by the services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Field, Model, QuerySet

M = TypeVar("M", bound=Model)


def unique_row(queryset: QuerySet[M]) -> M | None:
    """The row a lookup by a unique key finds, or None. Cheaper than `.first()`, which adds an
    ordering by primary key that a unique lookup does not need (building it cost more than the
    lookup itself on the mail intake's hot path)."""
    return next(iter(queryset[:1]), None)


def keep_related(instance: Model, relation: str, objects: Sequence[Model]) -> None:
    """Leave `objects` on `instance` as its `relation` (a many-to-many or reverse foreign key),
    as `prefetch_related` would have: `instance.<relation>.all()` then reads nothing. For rows
    the caller read another way (a compiled query) or has just written."""
    related = getattr(instance, relation).all()
    vars(related).update({"_result_cache": list(objects), "_prefetch_done": True})
    vars(instance).setdefault("_prefetched_objects_cache", {})[relation] = related


def update_many(objects: Sequence[Model], fields: Sequence[str]) -> None:
    """Save `fields` of many rows, each with its own values: `bulk_update` without its cost.

    `QuerySet.bulk_update` builds one CASE expression per field and row, and compiling that
    cost more than the mail import's whole database work; this sends one prepared UPDATE by
    primary key with the rows as its parameter sets (executemany: one round trip on
    PostgreSQL's pipeline, one prepared statement on SQLite). Values are prepared by the
    model's fields exactly as `save()` prepares them."""
    if not objects:
        return
    meta = objects[0]._meta
    columns: list[Field[Any, Any]] = []
    for name in fields:
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if not isinstance(field, Field) or not field.concrete:
            raise ValueError(f"{name!r} is not a column of {meta.label}")
        columns.append(field)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in columns)
    table, key = quote(meta.db_table), quote(str(meta.pk.column if meta.pk else "id"))
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
    rows = [
        [*(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns), obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
