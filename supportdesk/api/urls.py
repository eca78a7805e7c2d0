"""URLs under /api/v1/: the API's own, then a JSON 404 for anything else below it.

The module defines no `app_name`: the API's URL names live in the "api" namespace that ninja
declares (reverse("api:openapi-json")).
"""

from django.urls import URLPattern, include, path, re_path

from supportdesk.api.api import api
from supportdesk.api.errors import json_method_not_allowed, not_found_view

_patterns, _app, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = json_method_not_allowed(_pattern.callback)

urlpatterns = [
    path("", include((_patterns, _app), namespace=_namespace)),
    re_path(r"^.*$", not_found_view, name="api-not-found"),
]
