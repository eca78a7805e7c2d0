"""Checking and storing uploaded files."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from supportdesk.core.conf import product_settings
from supportdesk.core.errors import ValidationFailed
from supportdesk.tickets.models import Attachment, Message

_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


@dataclass(frozen=True)
class FileData:
    """A file that did not come from a browser upload: an email's attachment or inline image."""

    name: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.data)


Upload = UploadedFile | FileData


def safe_filename(raw: str) -> str:
    """A display name without paths, control or reserved characters, at most 255 bytes."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if not name:
        return "attachment"
    stem, ext = os.path.splitext(name)
    while len(name.encode()) > 255:
        stem = stem[:-1]
        name = stem + ext[:20]
    return name


def safe_content_type(raw: str | None) -> str:
    value = (raw or "").split(";")[0].strip().lower()
    return value if _MIME.match(value) else "application/octet-stream"


def check_uploads(files: Sequence[Upload]) -> None:
    """Reject the whole batch (before anything is written) if any file breaks a limit."""
    limits = product_settings()
    if len(files) > limits.attachments_per_message:
        message = _("At most %(n)d files can be attached to one message.") % {
            "n": limits.attachments_per_message
        }
        raise ValidationFailed(message, details={"attachments": message}, code="too_many_attachments")
    for upload in files:
        if upload.size is None or upload.size > limits.attachment_max_bytes:
            message = _("“%(name)s” is larger than the limit of %(limit)s.") % {
                "name": safe_filename(upload.name or ""),
                "limit": filesizeformat(limits.attachment_max_bytes),
            }
            raise ValidationFailed(message, details={"attachments": message}, code="attachment_too_large")
        if upload.size == 0:
            message = _("“%(name)s” is empty.") % {"name": safe_filename(upload.name or "")}
            raise ValidationFailed(message, details={"attachments": message}, code="attachment_empty")


def store_attachments(message: Message, files: Sequence[Upload]) -> list[Attachment]:
    stored = []
    for upload in files:
        if isinstance(upload, FileData):
            content: File = ContentFile(upload.data)
            digest = hashlib.sha256(upload.data).hexdigest()
            name, content_type = upload.name, upload.content_type
            content_id, inline = upload.content_id.strip("<> ")[:255], upload.inline
        else:
            hasher = hashlib.sha256()
            for chunk in upload.chunks():
                hasher.update(chunk)
            upload.seek(0)
            content, digest = upload, hasher.hexdigest()
            name, content_type, content_id, inline = upload.name or "", upload.content_type or "", "", False
        attachment = Attachment(
            ticket_id=message.ticket_id,
            message=message,
            filename=safe_filename(name),
            content_type=safe_content_type(content_type),
            size=upload.size or 0,
            sha256=digest,
            content_id=content_id,
            is_inline=inline and bool(content_id),
        )
        attachment.file.save("upload", content, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
