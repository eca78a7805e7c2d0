"""A per-process cache of the small reference tables every new ticket reads: priorities, the
default status labels, the fallback category, groups, custom field definitions, and the tags
tickets were given lately; and of the desk's staff list behind every assignee box.

Without it a ticket created through the API read five of these tables, each time the same rows.
Values are kept until one of the cached models changes, and at most `TTL` seconds:

- a save or delete of a Priority, StatusLabel, Category, CustomField, Group or Tag (the admin,
  the taxonomy services, fixtures) empties the cache at once in this process, and again when
  the transaction commits, so a reader never keeps what it read before the commit;
- while the current thread's transaction holds such an uncommitted change, the cache is
  bypassed (that transaction sees rows other threads must not, and it may still roll back);
- a save or delete of a User (the account services, a sign-in) empties it too, at once and at
  the commit, without that bypass: people are saved inside most transactions (every test's
  fixtures too), and the staff list only fills select boxes, where a person whose creation is
  rolled back could be offered for at most TTL seconds and would then be refused by the
  service;
- flushing the database (transactional tests) empties it (post_migrate);
- another process (a second gunicorn worker, the mail worker) sees a change after at most TTL
  seconds: there is no shared signal between processes without a shared cache server.

Cached model instances are shared between threads: read them, never change them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_migrate, post_save

from supportdesk.accounts.models import Group, User
from supportdesk.tickets.models import Category, CustomField, Priority, StatusLabel, Tag

T = TypeVar("T")

TTL = 5.0  # seconds another process may go on using a value changed elsewhere
CACHED_MODELS = (Priority, StatusLabel, Category, CustomField, Group, Tag)

_lock = threading.Lock()
_values: dict[Hashable, Any] = {}
_generation = 0
_expires = 0.0
_local = threading.local()
_clock = time.monotonic


def reference_cached(key: Hashable, load: Callable[[], T]) -> T:
    """`load()`, remembered under `key` until the reference tables change (see the module)."""
    global _expires
    if _uncommitted_change():
        return load()
    now = _clock()
    with _lock:
        if now >= _expires:
            _values.clear()
            _expires = now + TTL
        if key in _values:
            return _values[key]  # type: ignore[no-any-return]
        generation = _generation
    value = load()
    with _lock:
        # Dropped if the tables changed while it was being read.
        if generation == _generation and not _uncommitted_change():
            _values[key] = value
    return value


def reference_peek(key: Hashable) -> Any:
    """The value remembered under `key`, or None (nothing is read)."""
    if _uncommitted_change():
        return None
    with _lock:
        if _clock() >= _expires:
            return None
        return _values.get(key)


def reference_store(key: Hashable, value: Any) -> None:
    """Remember `value`, read from the database just now, under `key`."""
    global _expires
    if _uncommitted_change():
        return
    now = _clock()
    with _lock:
        if now >= _expires:
            _values.clear()
            _expires = now + TTL
        _values[key] = value


def invalidate_reference_cache(**_kwargs: Any) -> None:
    global _generation
    with _lock:
        _values.clear()
        _generation += 1


def _uncommitted_change() -> bool:
    """Whether this thread's open transaction changed a cached table (its commit hook pending)."""
    hook = getattr(_local, "hook", None)
    if hook is None:
        return False
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block and any(entry[1] is hook for entry in connection.run_on_commit):
        return True
    _local.hook = None  # committed (the hook ran) or rolled back (Django dropped it)
    return False


def _changed(**kwargs: Any) -> None:
    invalidate_reference_cache()
    using = kwargs.get("using") or DEFAULT_DB_ALIAS
    if connections[using].in_atomic_block:
        if _uncommitted_change():
            return  # this transaction's hook is registered already

        def hook() -> None:
            invalidate_reference_cache()

        _local.hook = hook
        transaction.on_commit(hook, using=using)


def _person_changed(**kwargs: Any) -> None:
    invalidate_reference_cache()
    using = kwargs.get("using") or DEFAULT_DB_ALIAS
    if connections[using].in_atomic_block:
        transaction.on_commit(invalidate_reference_cache, using=using)


post_save.connect(_person_changed, sender=User, dispatch_uid="reference_cache_save_User")
post_delete.connect(_person_changed, sender=User, dispatch_uid="reference_cache_delete_User")
for _model in CACHED_MODELS:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"reference_cache_save_{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"reference_cache_delete_{_model.__name__}")
post_migrate.connect(invalidate_reference_cache, dispatch_uid="reference_cache_migrate")
