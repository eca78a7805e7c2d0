"""Keyset ("cursor") pagination.

Lists are ordered by a few non-null columns ending with the primary key, so every row has a
unique position. A cursor is the position of the last row shown; the next page is the rows
strictly after it. The cost of a page does not grow with its depth, unlike OFFSET.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar, overload

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from supportdesk.core.errors import ValidationFailed

M = TypeVar("M", bound=Model)


class HasPk(Protocol):
    @property
    def pk(self) -> Any: ...


R = TypeVar("R", bound=HasPk)
T = TypeVar("T")
# Room for a few sort values, such as a 200-character name, with some margin.
MAX_CURSOR_LENGTH = 4096


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = True

    @property
    def order_by(self) -> str:
        return f"-{self.field}" if self.descending else self.field


def rows_after(keys: Sequence[SortKey], values: Sequence[Any]) -> Q:
    """A filter for the rows strictly after `values` in the order given by `keys`.

    For keys (a, b, c) this is a>va OR (a=va AND b>vb) OR (a=va AND b=vb AND c>vc), with > read as
    < on descending keys. Databases turn the leading term into an index range scan.
    """
    if len(keys) != len(values):
        raise ValueError("one value per sort key")
    condition = Q(pk__in=[])
    for position, key in enumerate(keys):
        term = Q(**{f"{key.field}__{'lt' if key.descending else 'gt'}": values[position]})
        for earlier, earlier_key in enumerate(keys[:position]):
            term &= Q(**{earlier_key.field: values[earlier]})
        condition |= term
    return condition


def encode_cursor(values: Sequence[Any]) -> str:
    parts: list[list[Any]] = []
    for value in values:
        if isinstance(value, datetime):
            parts.append(["d", value.isoformat()])
        elif isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(f"cannot put {type(value).__name__} in a cursor")
        elif isinstance(value, int):
            parts.append(["i", value])
        else:
            parts.append(["s", value])
    raw = json.dumps(parts, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, expected_length: int) -> list[Any]:
    """Values from a cursor made by encode_cursor; anything else is a ValidationFailed."""
    invalid = ValidationFailed(_("The page cursor is not valid."), code="invalid_cursor")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(parts, list) or len(parts) != expected_length:
        raise invalid
    values: list[Any] = []
    for part in parts:
        if not (isinstance(part, list) and len(part) == 2):
            raise invalid
        kind, value = part
        try:
            if kind == "d" and isinstance(value, str):
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    raise invalid
                values.append(parsed)
            elif _is_int64(value) if kind == "i" else (kind == "s" and isinstance(value, str)):
                values.append(value)
            else:
                raise invalid
        except ValueError:
            raise invalid from None
    return values


def _is_int64(value: Any) -> bool:
    # Databases store 64-bit integers; a larger one in a forged cursor must not reach them.
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


@overload
def paginate(queryset: QuerySet[M], keys: Sequence[SortKey], cursor: str | None, size: int) -> Page[M]: ...


@overload
def paginate(
    queryset: QuerySet[M],
    keys: Sequence[SortKey],
    cursor: str | None,
    size: int,
    *,
    hydrate: Callable[[list[Any]], Iterable[R]],
) -> Page[R]: ...


def paginate(
    queryset: QuerySet[M],
    keys: Sequence[SortKey],
    cursor: str | None,
    size: int,
    *,
    hydrate: Callable[[list[Any]], Iterable[Any]] | None = None,
) -> Page[Any]:
    """One page of `queryset` in the order of `keys`, starting after `cursor`.

    With `hydrate` (reading the rows of a list of primary keys with their joins and prefetches,
    or as plain rows that have a `pk`, in any order), the page is read in two steps: the page's
    ids and sort values from `queryset` alone, then `hydrate(those ids)`. Joined in one
    query, a planner may start from a small joined table and sort the whole big one (SQLite
    did, at a million tickets: 2.5 s instead of a few milliseconds); alone, the table's sort
    index gives the page directly on both engines, and the second read is by primary key."""
    if not keys or keys[-1].field not in {"id", "pk"}:
        raise ValueError("the last sort key must be the primary key")
    ordered = queryset.order_by(*(key.order_by for key in keys))
    if cursor:
        values = decode_cursor(cursor, len(keys))
        _check_types(queryset.model, keys, values)
        ordered = ordered.filter(rows_after(keys, values))
    if hydrate is None:
        rows = list(ordered[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        last = [_attribute(rows[-1], key.field) for key in keys] if more else None
    else:
        found = list(ordered.values_list(*(key.field for key in keys))[: size + 1])
        more = len(found) > size
        found = found[:size]
        by_id = {row.pk: row for row in hydrate([values[-1] for values in found])}
        # A row deleted between the two reads is simply left out of the page.
        rows = [by_id[values[-1]] for values in found if values[-1] in by_id]
        last = list(found[-1]) if more else None
    return Page(items=rows, next_cursor=encode_cursor(last) if last is not None else None)


_PYTHON_TYPES: dict[str, type] = {
    "DateTimeField": datetime,
    "CharField": str,
    "TextField": str,
    "SlugField": str,
    "EmailField": str,
}


def _check_types(model: type[Model], keys: Sequence[SortKey], values: Sequence[Any]) -> None:
    """A forged cursor may hold a text where a date belongs: refuse it here, as an invalid
    cursor, rather than let the database or the ORM fail on it."""
    for key, value in zip(keys, values, strict=True):
        field: Any = model._meta.pk if key.field == "pk" else model._meta.get_field(key.field)
        while getattr(field, "target_field", None) is not None:  # a foreign key: its target's type
            field = field.target_field
        kind = field.get_internal_type()
        expected = int if "Integer" in kind or "AutoField" in kind else _PYTHON_TYPES.get(kind)
        if expected is None or not isinstance(value, expected):
            raise ValidationFailed(_("The page cursor is not valid."), code="invalid_cursor")


def _attribute(obj: Model, field: str) -> Any:
    if field == "pk":
        return obj.pk
    field_object = obj._meta.get_field(field)
    return getattr(obj, getattr(field_object, "attname", field))
