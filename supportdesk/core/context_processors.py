from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def product(request: HttpRequest) -> dict[str, Any]:
    return {"PRODUCT_NAME": "supportdesk", "SUPPORTED_LANGUAGES": settings.LANGUAGES}
