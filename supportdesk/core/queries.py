"""Small query helpers shared by the services."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def unique_row(queryset: QuerySet[M]) -> M | None:
    """The row a lookup by a unique key finds, or None. Cheaper than `.first()`, which adds an
    ordering by primary key that a unique lookup does not need (building it cost more than the
    lookup itself on the mail intake's hot path)."""
    return next(iter(queryset[:1]), None)
