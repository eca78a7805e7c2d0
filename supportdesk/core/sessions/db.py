"""Django's database session engine, reading the session with a query compiled once.

Every signed-in page reads its session first; building and compiling that one-row lookup cost
more than running it (core/compiled.py). Storage, expiry and keys are Django's, unchanged:
switching to this engine keeps everyone signed in.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from supportdesk.core.compiled import CompiledQuery

_LIVE_SESSION: CompiledQuery[Session] = CompiledQuery(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now)[:1]
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        found = _LIVE_SESSION.first(key=self.session_key, now=timezone.now()) if self.session_key else None
        if found is None:
            self._session_key = None
        return found
