"""Per-user language and time zone.

Django's LocaleMiddleware picks a language from the URL, cookie or browser; a signed-in user's
own choice wins over those. Time zones have no browser default in Django, so every request
activates the user's zone (or the site's) explicitly.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from supportdesk.core.preferences import SUPPORTED_LANGUAGES


class UserPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone_name = ""
        if user is not None and user.is_authenticated:
            language = getattr(user, "language", "")
            if language in SUPPORTED_LANGUAGES:
                translation.activate(language)
                request.LANGUAGE_CODE = language
            zone_name = getattr(user, "time_zone", "")
        zone_name = zone_name or request.COOKIES.get("tz", "")
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name)) if zone_name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
