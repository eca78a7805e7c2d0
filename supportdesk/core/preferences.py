"""Checking a person's language and time zone choice (shared by staff and customer records)."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _

from supportdesk.core.errors import ValidationFailed

SUPPORTED_LANGUAGES = frozenset(code for code, _label in settings.LANGUAGES)


def clean_preferences(language: str, time_zone: str) -> tuple[str, str]:
    """Checked language and time zone; an empty value means "use the default"."""
    if language and language not in SUPPORTED_LANGUAGES:
        raise ValidationFailed.on("language", _("This language is not supported."))
    if time_zone:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed.on("time_zone", _("Unknown time zone.")) from None
    return language, time_zone


# Names the tz database keeps only for backwards compatibility; nobody needs to pick them from a
# list (a record that already holds one keeps it, as an extra option).
_LEGACY_ZONE_PREFIXES = (
    "Etc/",
    "SystemV/",
    "US/",
    "posix/",
    "right/",
    "Brazil/",
    "Canada/",
    "Chile/",
    "Mexico/",
)


@lru_cache(maxsize=1)
def common_time_zones() -> tuple[str, ...]:
    """UTC and every Area/City zone, sorted (read from the zone database once per process)."""
    zones = {
        zone
        for zone in zoneinfo.available_timezones()
        if "/" in zone and not zone.startswith(_LEGACY_ZONE_PREFIXES)
    }
    return ("UTC", *sorted(zones))


def time_zone_choices(empty_label: str, current: str = "") -> list[tuple[str, str]]:
    """Choices for a time zone select: `empty_label` for "not set", then the common zones,
    keeping `current` when it is a valid zone left out of the list (an old alias)."""
    zones = list(common_time_zones())
    if current and current not in zones:
        zones.insert(1, current)
    return [("", empty_label), *((zone, zone.replace("_", " ")) for zone in zones)]
