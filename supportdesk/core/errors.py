"""Domain errors with stable codes.

Programs match on `code`; people read `message`, which is translated. Views and the API turn
these into responses (a form error, an HTTP status and `{"code", "message", "details"}`).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationFailed(DomainError):
    """Input was malformed or broke a rule; `details` maps field names to messages people read
    (translated), so a form can show each message beside its field."""

    code = "validation_failed"
    http_status = 422

    @classmethod
    def on(cls, field: str, message: str, *, code: str | None = None) -> ValidationFailed:
        """The error for one field: its message is both the summary and the field's message."""
        return cls(message, code=code, details={field: str(message)})


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it exists."""

    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    """The caller may see the object but may not do this to it."""

    code = "permission_denied"
    http_status = 403


class Conflict(DomainError):
    """The request clashes with the object's current state (an illegal transition, a duplicate)."""

    code = "conflict"
    http_status = 409
