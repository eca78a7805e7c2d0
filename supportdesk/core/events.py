"""A small in-process domain event bus.

Lower layers publish what happened; higher layers subscribe in their AppConfig.ready(). Events
are delivered only after the surrounding transaction commits, so a subscriber never sees a
change that was rolled back. Subscribers that do slow work enqueue a task instead of doing it
inline.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

log = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]
_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def publish(event: object) -> None:
    """Deliver `event` to its subscribers once the current transaction commits."""
    transaction.on_commit(lambda: _dispatch(event))


def _dispatch(event: object) -> None:
    for handler in list(_handlers.get(type(event), ())):
        try:
            handler(event)
        except Exception:
            # One failing subscriber must not stop the others nor undo the committed change.
            log.exception("event handler %r failed for %r", handler, event)
