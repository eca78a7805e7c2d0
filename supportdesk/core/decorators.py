"""Role gates for views. Anonymous visitors go to the sign-in page; signed-in people without the
role get a 403 page. Object-level rules (which tickets) live in the selectors, not here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def _role_required(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _role_required(lambda user: user.is_staff_member)
agent_required = _role_required(lambda user: user.is_agent)
admin_required = _role_required(lambda user: user.is_administrator)
