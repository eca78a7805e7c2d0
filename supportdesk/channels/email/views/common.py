"""Helpers of the email settings views."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from supportdesk.accounts.models import User


def acting_admin(request: HttpRequest) -> User:
    """The signed-in administrator: the views' admin_required has checked who it is."""
    return cast(User, request.user)
