"""Writing the audit log: administrative changes (called by services) and sign-ins (auth signals).

Auth signals are Django's own hook for sign-in events; the audit log is infrastructure, not
domain logic, so listening to them here is the simple and complete way to see every sign-in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.http import HttpRequest

from supportdesk.core.models import AuditEntry


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one entry to the audit log. Callers run it inside their own transaction."""
    label = actor_label or (getattr(actor, "email", "") if actor is not None else "")
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label[:254],
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:254] if target is not None else "",
        changes=changes or {},
        ip_address=_client_ip(request),
    )


def _on_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.sign_in", actor=user, request=request)


def _on_sign_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action="auth.sign_out", actor=user, request=request)


def _on_sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    attempted = str(credentials.get("username") or credentials.get("email") or "")
    audit_record(
        action="auth.sign_in_failed",
        actor_label=attempted[:254],
        request=request if isinstance(request, HttpRequest) else None,
    )


def connect_sign_in_signals() -> None:
    user_logged_in.connect(_on_sign_in, dispatch_uid="supportdesk.audit.sign_in")
    user_logged_out.connect(_on_sign_out, dispatch_uid="supportdesk.audit.sign_out")
    user_login_failed.connect(_on_sign_in_failed, dispatch_uid="supportdesk.audit.sign_in_failed")
