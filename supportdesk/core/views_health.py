"""`GET /health/`: a liveness check for load balancers and service monitors.

It answers from the web process alone: no database query, no session, no sign-in, so a check
every few seconds costs next to nothing and says only "this process serves requests". (The
sign-in page, `/login/`, is the deeper check: it needs the database too.) The benchmark suite
uses it as its reference scenario: the floor of what any view costs on the same server.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe


# csrf_exempt: the view changes nothing, and without it a POST would be refused by the CSRF
# check (403) before the method check could say what is really wrong (405).
@csrf_exempt
@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """`{"status": "ok"}` to GET and HEAD; 405 to any other method."""
    return JsonResponse({"status": "ok"})
