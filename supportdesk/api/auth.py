"""Who is calling: a personal API token (`Authorization: Bearer sdk_…`) or the browser session.

The API is for staff (collaborators and above). Ninja tries the token first, then the session:

- a request with an Authorization header is judged by the token alone, so a bad token is a 401
  even when a session cookie rides along (a script never silently acts as someone else);
- a session request that changes something must carry the CSRF token, like any form post;
- a signed-in customer gets 403 `staff_only`; nobody signed in gets 401 `not_authenticated`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from supportdesk.accounts.models import User
from supportdesk.accounts.services import api_token_authenticate
from supportdesk.api.errors import NotAuthenticated
from supportdesk.core.errors import PermissionDenied

SUPPORTED_LANGUAGES = {code for code, _label in settings.LANGUAGES}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _use_preferences(request: HttpRequest, user: User) -> None:
    """The middleware chose a language before the token was read; the owner's choice wins."""
    if user.language in SUPPORTED_LANGUAGES:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`, checked with one indexed lookup (no password hash)."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if header is None:
            return None  # not a token request: let the session decide
        scheme, _sep, secret = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise NotAuthenticated(
                _("Send the API token as: Authorization: Bearer <token>."), code="invalid_token"
            )
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = api_token_authenticate(token)
        if user is None:
            raise NotAuthenticated(
                _("The API token is not valid: it is unknown, expired or revoked."), code="invalid_token"
            )
        # Code that reads request.user (logging, the audit log) sees the token's owner.
        request.user = user
        _use_preferences(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """The desk's own session cookie, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # csrf=True tells ninja's docs page to send the CSRF header with "Try it out" requests;
        # the check itself happens in _get_key, with our error format.
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if not user.is_staff_member:
            raise PermissionDenied(_("The API is for staff members only."), code="staff_only")
        if request.method in UNSAFE_METHODS and check_csrf(request) is not None:
            raise PermissionDenied(
                _("The CSRF token is missing or wrong. Send it in the X-CSRFToken header."),
                code="csrf_failed",
            )
        return user
