"""One error format for the whole API: `{"code": str, "message": str, "details": object}`.

Programs match on `code` (stable, documented in docs/api.md); people read `message`, which is
translated into the caller's language. Every way a request can fail (a domain rule, pydantic
validation, a malformed body, a missing object, an unexpected crash) ends in this shape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from supportdesk.core.errors import DomainError

log = logging.getLogger(__name__)

# RFC 6750: a 401 names the scheme the client should use.
BEARER_CHALLENGE = 'Bearer realm="supportdesk"'


class NotAuthenticated(DomainError):
    """No credentials, or credentials that do not identify an active staff member."""

    code = "not_authenticated"
    http_status = 401


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": str(message), "details": details or {}}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> HttpResponse:
    response = JsonResponse(error_body(code, message, details), status=status)
    if status == 401:
        response["WWW-Authenticate"] = BEARER_CHALLENGE
    return response


# -- pydantic / ninja validation errors ----------------------------------------------------------


def _field_message(error: dict[str, Any]) -> str:
    """A translated sentence for one pydantic error; pydantic's English text as the fallback."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "string_too_long":
        return _("Ensure this value has at most %(n)d characters.") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("Ensure this value has at least %(n)d characters.") % {"n": ctx.get("min_length")}
    if kind == "too_long":
        return _("Ensure this list has at most %(n)s items.") % {"n": ctx.get("max_length")}
    if kind == "too_short":
        return _("Ensure this list has at least %(n)s items.") % {"n": ctx.get("min_length")}
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind == "string_type":
        return _("Enter text.")
    if kind in {"list_type"}:
        return _("Enter a list.")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return _("Enter an object.")
    if kind in {"datetime_parsing", "datetime_type", "datetime_from_date_parsing"}:
        return _("Enter a date and time in ISO 8601 format.")
    if kind == "literal_error":
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Ensure this value is at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Ensure this value is at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind == "value_error" and "error" in ctx:
        # Our own validators raise ValueError with a message that is already translated.
        return str(ctx["error"])
    return str(error.get("msg", _("This value is not valid.")))


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("body", "payload", "requester", "email")` → `requester.email`; `("query", "limit")` → `limit`.

    Endpoints name their body schema `payload` and their query schema `filters`; those segments
    carry no meaning for the client."""
    source, *parts = list(loc) or ["body"]
    if parts and parts[0] in {"payload", "filters"}:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or str(source)


def validation_details(errors: list[dict[str, Any]]) -> dict[str, str]:
    details: dict[str, str] = {}
    for error in errors:
        details.setdefault(_field_name(error.get("loc", ())), _field_message(error))
    return details


# -- handlers -----------------------------------------------------------------------------------


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(exc.http_status, exc.code, exc.message, exc.details)


def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return error_response(
        422, "validation_failed", _("Some fields are not valid."), validation_details(exc.errors)
    )


def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        401, "not_authenticated", _("Sign in or send an API token: Authorization: Bearer <token>.")
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja raises HttpError(400) only when it cannot parse the JSON body.
    if exc.status_code == 400:
        return error_response(400, "malformed_json", _("The request body is not valid JSON."))
    if exc.status_code == 429:
        return error_response(429, "throttled", _("Too many requests. Try again later."))
    return error_response(exc.status_code, "error", str(exc))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


def _forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return error_response(403, "permission_denied", _("You do not have permission to do this."))


def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, "payload_too_large", _("The request is too large."))


def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return error_response(400, "bad_request", _("The request could not be processed."))


def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # A number too large for the database (SQLite raises rather than comparing); input schemas
    # bound every number, so this is a safety net for values that arrive by other routes (cursors).
    return error_response(422, "value_out_of_range", _("A number in the request is out of range."))


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API request failed: %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "server_error", _("Something went wrong on our side. Please try again."))


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers (`{"detail": …}`) with ours. Ninja picks the handler of
    the closest class in the exception's MRO, so the general Exception handler is a fallback."""
    handlers: list[tuple[type[Exception], Any]] = [
        (DomainError, _domain_error),
        (NinjaValidationError, _validation_error),
        (AuthenticationError, _not_authenticated),
        (HttpError, _http_error),
        (Http404, _not_found),
        (DjangoPermissionDenied, _forbidden),
        (RequestDataTooBig, _too_big),
        (SuspiciousOperation, _suspicious),
        (OverflowError, _overflow),
        (Exception, _server_error),
    ]
    for exception_class, handler in handlers:
        api.add_exception_handler(exception_class, handler)


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other URL under /api/v1/: a JSON 404 instead of the site's HTML page."""
    return error_response(404, "not_found", _("There is no such API endpoint."))


def json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap one of ninja's URL views so that a wrong HTTP method gets our error format too
    (ninja answers it with a plain-text 405 before any exception handler runs)."""

    @wraps(view)  # keeps csrf_exempt and the other attributes Django reads from the view
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response(
                405, "method_not_allowed", _("This endpoint does not accept that HTTP method.")
            )
            response["Allow"] = allowed
        return response

    return wrapped
