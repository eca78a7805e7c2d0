"""The authentication backend: Django's ModelBackend (email and password, active accounts
only), except that the person signed in is loaded on every request with a query compiled once
(core/compiled.py): building that lookup cost more than running it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from supportdesk.accounts.models import User
from supportdesk.core.compiled import CompiledQuery

_PERSON: CompiledQuery[User] = CompiledQuery(lambda pk: User.objects.filter(pk=pk)[:1])


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            return None
        person = _PERSON.first(pk=user_id)
        return person if person is not None and self.user_can_authenticate(person) else None
