"""Values read once per batch of work instead of once per item.

A bulk job (the mail import: a batch of messages in one transaction) opens `batch_scope()`; inside
it, `batch_cached(key, load)` calls `load()` the first time a key is asked for and returns the
same value afterwards. Outside a scope it simply calls `load()`. The values live as long as the
block, so there is nothing to invalidate: a setting an administrator changes is seen by the
next batch. Only for small reference data that a batch cannot change itself (mailboxes, the
ticket taxonomy defaults)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_cache: ContextVar[dict[Hashable, Any] | None] = ContextVar("batch_cache", default=None)


@contextmanager
def batch_scope() -> Iterator[None]:
    """Remember `batch_cached` values until the block ends (nested scopes share the outer one)."""
    if _cache.get() is not None:
        yield
        return
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def in_batch() -> bool:
    """Whether a `batch_scope()` is active (to read a whole small table once instead of a row
    per item)."""
    return _cache.get() is not None


def batch_cached(key: Hashable, load: Callable[[], T]) -> T:
    """`load()`, remembered under `key` while a `batch_scope()` is active."""
    cache = _cache.get()
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]
