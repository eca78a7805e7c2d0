"""REST API for a ticket's conversation (replies, internal notes, attachments) and timeline.

Adding a message has two forms: JSON (`POST /tickets/{id}/messages`) for text, and multipart
(`POST /tickets/{id}/messages/upload`) for text with files. Both call tickets.services.message_add.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile

from supportdesk.accounts.models import User
from supportdesk.core.errors import PermissionDenied, ValidationFailed
from supportdesk.tickets import permissions, selectors
from supportdesk.tickets.api.schemas import (
    ID_MAX,
    EventListOut,
    MessageIn,
    MessageListOut,
    MessageOut,
    StatusSlug,
)
from supportdesk.tickets.api.serializers import event_out, message_out
from supportdesk.tickets.api.tickets import caller
from supportdesk.tickets.choices import STATUS_BY_SLUG
from supportdesk.tickets.services import Actor, message_add
from supportdesk.tickets.services.common import MAX_BODY

messages_router = Router(tags=["messages"])

UPLOAD_FIELDS = {"body", "is_public", "status", "csrfmiddlewaretoken"}
# The multipart form's parameters (module-level, since ninja reads them from the signature).
BODY_FIELD = Form(..., max_length=MAX_BODY)
IS_PUBLIC_FIELD = Form(True, description="false for an internal note.")
STATUS_FIELD = Form(None, description="Change the status in the same step.")
FILES_FIELD = File(..., description="One or more files, as repeated `attachments` parts.")


def _add(
    request: HttpRequest,
    ticket_id: int,
    *,
    body: str,
    is_public: bool,
    status: str | None,
    files: list[UploadedFile],
) -> dict[str, Any]:
    user: User = caller(request)
    # message_add lets any staff author change the status with a note; only people who may
    # change fields (agents and above) may do that, as in PATCH /tickets/{id}.
    if status is not None and not permissions.can_work(user):
        selectors.ticket_for_staff(user, ticket_id)  # an invisible ticket stays a 404
        raise PermissionDenied(_("You cannot change this ticket."))
    message = message_add(
        actor=Actor.staff(user),
        ticket_id=ticket_id,
        body=body,
        is_public=is_public,
        attachments=files,
        status=STATUS_BY_SLUG[status] if status else None,
    )
    return message_out(message)


@messages_router.get(
    "/{int:ticket_id}/messages",
    response=MessageListOut,
    operation_id="tickets_messages_list",
    summary="A ticket's messages",
)
def messages_list(
    request: HttpRequest,
    ticket_id: int = Path(..., ge=1, le=ID_MAX),
    cursor: str | None = Query(None, max_length=512),
    limit: int = Query(50, ge=1, le=100),
) -> dict[str, Any]:
    """Public replies and internal notes, oldest first, with their attachments."""
    ticket = selectors.ticket_for_staff(caller(request), ticket_id)
    page = selectors.message_page(ticket.pk, cursor=cursor, size=limit)
    return {"items": [message_out(m) for m in page.items], "next_cursor": page.next_cursor}


@messages_router.post(
    "/{int:ticket_id}/messages",
    response={201: MessageOut},
    operation_id="tickets_messages_create",
    summary="Reply or add an internal note",
)
def messages_create(
    request: HttpRequest, payload: MessageIn, ticket_id: int = Path(..., ge=1, le=ID_MAX)
) -> Status[dict[str, Any]]:
    """A public reply (agents and above) or, with `is_public: false`, an internal note (any
    staff member who can see the ticket, collaborators included)."""
    message = _add(
        request, ticket_id, body=payload.body, is_public=payload.is_public, status=payload.status, files=[]
    )
    return Status(201, message)


@messages_router.post(
    "/{int:ticket_id}/messages/upload",
    response={201: MessageOut},
    operation_id="tickets_messages_upload",
    summary="Reply or add a note with attachments (multipart)",
)
def messages_upload(
    request: HttpRequest,
    ticket_id: int = Path(..., ge=1, le=ID_MAX),
    body: str = BODY_FIELD,
    is_public: bool = IS_PUBLIC_FIELD,
    status: StatusSlug | None = STATUS_FIELD,
    attachments: list[UploadedFile] = FILES_FIELD,
) -> Status[dict[str, Any]]:
    """The same as the JSON form, as multipart/form-data with one or more `attachments` files."""
    unknown = sorted((set(request.POST) - UPLOAD_FIELDS) | (set(request.FILES) - {"attachments"}))
    if unknown:
        raise ValidationFailed(
            _("Some fields are not valid."), details={name[:50]: _("Unknown field.") for name in unknown[:20]}
        )
    if "\x00" in body:
        raise ValidationFailed(
            _("Some fields are not valid."), details={"body": _("Text cannot contain NUL characters.")}
        )
    message = _add(request, ticket_id, body=body, is_public=is_public, status=status, files=attachments)
    return Status(201, message)


@messages_router.get(
    "/{int:ticket_id}/events",
    response=EventListOut,
    operation_id="tickets_events_list",
    summary="A ticket's timeline",
)
def events_list(request: HttpRequest, ticket_id: int = Path(..., ge=1, le=ID_MAX)) -> dict[str, Any]:
    """Every change to the ticket, oldest first (the latest 300)."""
    ticket = selectors.ticket_for_staff(caller(request), ticket_id)
    return {"items": [event_out(e) for e in selectors.timeline(ticket)]}
