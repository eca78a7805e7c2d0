"""Writes for people, groups and API tokens. Administrative changes are written to the audit log."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.accounts.choices import STAFF_ROLES, Role
from supportdesk.accounts.models import ApiToken, Group, Membership, User
from supportdesk.core.audit import audit_record
from supportdesk.core.compiled import CompiledQuery
from supportdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from supportdesk.core.preferences import clean_preferences

TOKEN_PREFIX = "sdk_"  # noqa: S105 - a marker that tells tokens apart, not a secret
# A token's last-used time is written at most this often, so API traffic does not turn every
# read into a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def _require_admin(actor: User) -> None:
    if not actor.is_administrator:
        raise PermissionDenied(_("Only administrators can do this."))


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            _("Enter a valid email address."), details={"email": _("Enter a valid email address.")}
        ) from None
    return email


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("A name is required."), details={"name": _("A name is required.")})
    if len(name) > 200:
        raise ValidationFailed(_("The name is too long."), details={"name": _("The name is too long.")})
    return name


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    group_ids: Iterable[int] = (),
    language: str = "",
    time_zone: str = "",
    is_active: bool = True,
) -> User:
    """Create a person. Staff accounts need an administrator as `actor`; customer accounts
    (portal sign-up) are created with actor None. An inactive account (an unconfirmed sign-up)
    cannot sign in. Raises ValidationFailed, Conflict."""
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), details={"role": _("Unknown role.")})
    if role in STAFF_ROLES:
        if actor is None:
            raise PermissionDenied(_("Only administrators can do this."))
        _require_admin(actor)
    email = _clean_email(email)
    name = _clean_name(name)
    language, time_zone = clean_preferences(language, time_zone)
    if password:
        try:
            validate_password(password, User(email=email, name=name))
        except DjangoValidationError as error:
            raise ValidationFailed(" ".join(error.messages), details={"password": error.messages}) from None
    if User.objects.filter(email=email).exists():
        raise Conflict(_("An account with this email address already exists."), code="email_taken")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                name=name,
                role=role,
                language=language,
                time_zone=time_zone,
                is_active=is_active,
            )
    except IntegrityError:
        raise Conflict(_("An account with this email address already exists."), code="email_taken") from None
    _set_groups(user, group_ids)
    if role in STAFF_ROLES:
        audit_record(action="user.created", actor=actor, target=user, changes={"role": role})
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    name: str | None = None,
    role: str | None = None,
    is_active: bool | None = None,
    group_ids: Iterable[int] | None = None,
) -> User:
    """An administrator changes a person's name, role, active flag or groups (audited)."""
    _require_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    changes: dict[str, Any] = {}
    if name is not None and _clean_name(name) != user.name:
        changes["name"] = [user.name, _clean_name(name)]
        user.name = _clean_name(name)
    if role is not None and role != user.role:
        if role not in Role.values:
            raise ValidationFailed(_("Unknown role."), details={"role": _("Unknown role.")})
        _guard_last_administrator(user, role=role)
        changes["role"] = [user.role, role]
        user.role = role
    if is_active is not None and is_active != user.is_active:
        if not is_active:
            if user.pk == actor.pk:
                raise Conflict(_("You cannot deactivate your own account."), code="self_deactivation")
            _guard_last_administrator(user, role=Role.CUSTOMER)
        changes["is_active"] = [user.is_active, is_active]
        user.is_active = is_active
    user.save(update_fields=["name", "role", "is_active"])
    if group_ids is not None:
        before = sorted(user.memberships.values_list("group_id", flat=True))
        _set_groups(user, group_ids)
        after = sorted(user.memberships.values_list("group_id", flat=True))
        if before != after:
            changes["groups"] = [before, after]
    user.__dict__.pop("group_ids", None)
    if changes:
        audit_record(action="user.updated", actor=actor, target=user, changes=changes)
    return user


def _guard_last_administrator(user: User, *, role: str) -> None:
    if user.role == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR:
        others = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).exclude(pk=user.pk)
        if not others.exists():
            raise Conflict(_("The last active administrator cannot be removed."), code="last_administrator")


def _set_groups(user: User, group_ids: Iterable[int]) -> None:
    wanted = {int(pk) for pk in group_ids}
    existing = set(Group.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if missing := wanted - existing:
        raise ValidationFailed.on(
            "groups", _("Unknown group: %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}
        )
    current = set(user.memberships.values_list("group_id", flat=True))
    Membership.objects.filter(user=user, group_id__in=current - wanted).delete()
    Membership.objects.bulk_create([Membership(user=user, group_id=pk) for pk in wanted - current])


@transaction.atomic
def user_activate(*, user: User) -> User:
    """Let a person sign in after the system confirmed their address (portal sign-up).

    Not for administrators re-enabling staff: that is user_update, which is audited."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_set_preferences(
    *,
    user: User,
    name: str | None = None,
    language: str = "",
    time_zone: str = "",
    signature: str | None = None,
) -> User:
    """A person changes their own display name, language, time zone and (staff) signature."""
    language, time_zone = clean_preferences(language, time_zone)
    user.language, user.time_zone = language, time_zone
    fields = ["language", "time_zone"]
    if name is not None:
        user.name = _clean_name(name)
        fields.append("name")
    if signature is not None:
        user.signature = signature[:2000]
        fields.append("signature")
    user.save(update_fields=fields)
    return user


# -- groups -------------------------------------------------------------------------------------


@transaction.atomic
def group_save(
    *, actor: User, group: Group | None = None, name: str, description: str = "", is_default: bool = False
) -> Group:
    """Create (group None) or update a group; making it the default un-defaults the others."""
    _require_admin(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationFailed.on("name", _("A name of up to 100 characters is required."))
    clash = Group.objects.filter(name__iexact=name)
    if group is not None:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise Conflict(_("A group with this name already exists."), code="name_taken")
    created = group is None
    if group is None:
        group = Group()
    before = {"name": group.name, "description": group.description, "is_default": group.is_default}
    if is_default:
        Group.objects.filter(is_default=True).exclude(pk=group.pk).update(is_default=False)
    group.name, group.description, group.is_default = name, description[:5000], is_default
    group.save()
    after = {"name": group.name, "description": group.description, "is_default": group.is_default}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    audit_record(
        action="group.created" if created else "group.updated", actor=actor, target=group, changes=changes
    )
    return group


@transaction.atomic
def group_delete(*, actor: User, group: Group) -> None:
    """Delete a group. Its tickets are left without a group (only managers and administrators see those)."""
    _require_admin(actor)
    audit_record(action="group.deleted", actor=actor, target=group)
    group.delete()


# -- API tokens ---------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user` (staff only). Returns the row and the token text, shown once."""
    if not user.is_staff_member:
        raise PermissionDenied(_("Only staff members can create API tokens."))
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationFailed.on("name", _("A name of up to 100 characters is required."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed.on("expires_at", _("The expiry date must be in the future."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=_digest(secret),
        expires_at=expires_at,
    )
    audit_record(action="api_token.created", actor=user, target=token)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    """Revoke a token: its owner or an administrator may."""
    if token.user_id != actor.pk and not actor.is_administrator:
        raise PermissionDenied(_("You cannot revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="api_token.revoked", actor=actor, target=token)


# Every API request asks: compiled once (core/compiled.py).
_TOKEN_BY_DIGEST: CompiledQuery[ApiToken] = CompiledQuery(
    lambda digest: ApiToken.objects.select_related("user").filter(digest=digest)[:1]
)


def api_token_authenticate(secret: str) -> User | None:
    """The active staff user a token belongs to, or None. One indexed lookup, no password hash."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = _TOKEN_BY_DIGEST.first(digest=_digest(secret))
    if token is None or not token.is_usable or not token.user.is_staff_member:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
