"""Django's database session engine, reading the session with a query compiled once and
verifying each stored session's signature once per process.

Every signed-in page reads its session first; building and compiling that one-row lookup cost
more than running it (core/compiled.py). Then Django checks the stored data's signature and
decompresses it (~60 µs, a few per cent of a page) although the same text was checked on the
previous request: the text and what it decodes to are remembered for the most recent sessions.
Storage, expiry and keys are Django's, unchanged: switching to this engine keeps everyone signed
in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from supportdesk.core.compiled import CompiledQuery

_LIVE_SESSION: CompiledQuery[Session] = CompiledQuery(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now)[:1]
)

# Stored session text -> what it decodes to. The text is signed with the secret key, which does
# not change while the process runs, so the same text always decodes to the same data; a
# session that changes is saved as new text. Bounded: the least recently read go first.
REMEMBERED_SESSIONS = 2048
_decoded: OrderedDict[bytes | str, dict[str, Any]] = OrderedDict()
_lock = threading.Lock()


def _fresh(value: Any) -> Any:
    """A copy of JSON data (what sessions hold) that shares nothing mutable with `value`."""
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    return value  # str, int, float, bool, None: immutable


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        found = _LIVE_SESSION.first(key=self.session_key, now=timezone.now()) if self.session_key else None
        if found is None:
            self._session_key = None
        return found

    def decode(self, session_data: bytes | str) -> dict[str, Any]:
        with _lock:
            known = _decoded.get(session_data)
            if known is not None:
                _decoded.move_to_end(session_data)
        if known is not None:
            # A copy: the caller changes its session in place, the remembered one stays as stored.
            fresh: dict[str, Any] = _fresh(known)
            return fresh
        decoded = super().decode(session_data)
        if decoded:  # {} is also what a bad signature gives: never remembered
            with _lock:
                _decoded[session_data] = _fresh(decoded)
                if len(_decoded) > REMEMBERED_SESSIONS:
                    _decoded.popitem(last=False)
        return decoded
