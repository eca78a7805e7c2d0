"""Attachment downloads for staff and customers, after a permission check on the ticket."""

from __future__ import annotations

import uuid

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from supportdesk.core.errors import NotFound
from supportdesk.tickets import selectors
from supportdesk.tickets.models import Attachment
from supportdesk.tickets.rendering import INLINE_IMAGE_TYPES


def _find(request: HttpRequest, token: uuid.UUID) -> Attachment:
    user = request.user
    if user.is_staff_member:
        try:
            return selectors.attachment_for_staff(user, str(token))
        except NotFound:
            pass
    customer = getattr(user, "customer", None)
    if customer is not None:
        try:
            return selectors.attachment_for_customer(customer, str(token))
        except NotFound:
            pass
    raise Http404


@require_GET
def attachment_inline(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """An inline image of a message (a logo, a screenshot in an email), shown in the page.
    Only the raster types in INLINE_IMAGE_TYPES; anything else is served as a download."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attachment = _find(request, token)
    if attachment.content_type not in INLINE_IMAGE_TYPES:
        return attachment_download(request, token)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def attachment_download(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """The file, always as a download: browsers never render it inside our origin."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attachment = _find(request, token)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
