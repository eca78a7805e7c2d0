"""Administrators' settings of the email channel: mailboxes (create, change, delete; the IMAP
and SMTP connection tests are in `checks`) and which notification emails go out.

Every write is audited with `core.audit.audit_record`; secrets are never written to the audit log
(only that they changed). Passwords and tokens left blank keep their stored value.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.accounts.models import Group, User
from supportdesk.channels.email.choices import AfterFetch, ImapAuth, Security
from supportdesk.channels.email.models import Mailbox, NotificationSettings
from supportdesk.channels.email.services.mailboxes.checks import (
    ConnectionCheck,
    mailbox_check_imap,
    mailbox_check_smtp,
    require_admin,
)
from supportdesk.core.audit import audit_record
from supportdesk.core.errors import Conflict, ValidationFailed
from supportdesk.core.forms import split_lines

__all__ = [
    "ConnectionCheck",
    "MailboxValues",
    "mailbox_candidate",
    "mailbox_check_imap",
    "mailbox_check_smtp",
    "mailbox_delete",
    "mailbox_save",
    "notification_settings_update",
]

PORT_RANGE = (1, 65535)
# Polling faster than every 10 s gains nothing and gets accounts throttled by providers.
POLL_INTERVAL_RANGE = (10, 86400)
MAX_ALIASES = 50
# A host name or an IP address (IPv6 in brackets or bare); no spaces, no URL parts.
HOST_PATTERN = re.compile(
    r"^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]+:[0-9A-Fa-f:.]*|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$"
)
# Folder names go into IMAP commands: control characters (CR, LF) would split a command.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
SECRET_FIELDS = ("imap_password", "oauth_client_secret", "oauth_refresh_token", "smtp_password")
# Changing these makes the fetcher try the new settings at once, with a clean error record.
CONNECTION_FIELDS = (
    "imap_enabled",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_password",
    "imap_auth",
    "imap_folder",
    "oauth_token_url",
    "oauth_client_id",
    "oauth_client_secret",
    "oauth_refresh_token",
    "oauth_scope",
)


@dataclass
class MailboxValues:
    """Everything an administrator sets on a mailbox. A secret (password, OAuth secret or token)
    of None keeps the stored value; "" removes it; any other text replaces it."""

    name: str
    email_address: str
    aliases: str = ""
    display_name: str = ""
    group: Group | None = None
    is_active: bool = True
    is_default: bool = False
    imap_enabled: bool = False
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = Security.SSL
    imap_username: str = ""
    imap_password: str | None = None
    imap_auth: str = ImapAuth.PASSWORD
    oauth_token_url: str = ""
    oauth_client_id: str = ""
    oauth_client_secret: str | None = None
    oauth_refresh_token: str | None = None
    oauth_scope: str = ""
    imap_folder: str = "INBOX"
    after_fetch: str = AfterFetch.SEEN
    move_to_folder: str = ""
    poll_interval: int = 60
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = Security.STARTTLS
    smtp_username: str = ""
    smtp_password: str | None = None


def _one_line(value: str, field: str, limit: int, *, required: bool = False) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise ValidationFailed.on(field, _("This field is required."))
    if len(text) > limit:
        raise ValidationFailed.on(
            field, _("Use at most %(limit)d characters.") % {"limit": limit}, code="too_long"
        )
    return text


def _address(value: str, field: str) -> str:
    address = (value or "").strip().lower()
    try:
        validate_email(address)
    except DjangoValidationError:
        raise ValidationFailed.on(
            field, _("“%(value)s” is not a valid email address.") % {"value": value[:254]}
        ) from None
    if len(address) > 254:
        raise ValidationFailed.on(field, _("An email address has at most 254 characters."))
    return address


def _port(value: Any, field: str) -> int:
    low, high = PORT_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed.on(
            field, _("A port is a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return value


def _host(value: str, field: str, *, required: bool) -> str:
    host = (value or "").strip().lower()
    if not host:
        if required:
            raise ValidationFailed.on(field, _("Enter the server's name."))
        return ""
    if len(host) > 253 or not HOST_PATTERN.match(host):
        raise ValidationFailed.on(
            field, _("Enter a server name such as imap.example.com, without spaces or a scheme.")
        )
    return host


def _folder(value: str, field: str, *, required: bool) -> str:
    folder = (value or "").strip()
    if required and not folder:
        raise ValidationFailed.on(field, _("Enter a folder name."))
    if len(folder) > 200 or CONTROL_CHARACTERS.search(folder):
        raise ValidationFailed.on(field, _("A folder name has at most 200 characters and no line breaks."))
    return folder


def _choice(value: str, field: str, choices: type[models.TextChoices]) -> str:
    if value not in choices.values:
        raise ValidationFailed.on(field, _("Choose one of the options."))
    return value


def _clean(values: MailboxValues) -> MailboxValues:
    """Checked and normalized values; a ValidationFailed names the field at fault."""
    clean = copy.copy(values)
    clean.name = _one_line(values.name, "name", 100, required=True)
    clean.email_address = _address(values.email_address, "email_address")
    aliases: list[str] = []
    for line in split_lines(values.aliases):
        alias = _address(line, "aliases")
        if alias != clean.email_address and alias not in aliases:
            aliases.append(alias)
    if len(aliases) > MAX_ALIASES:
        raise ValidationFailed.on(
            "aliases", _("A mailbox has at most %(count)d other addresses.") % {"count": MAX_ALIASES}
        )
    clean.aliases = "\n".join(aliases)
    clean.display_name = _one_line(values.display_name, "display_name", 100)
    if CONTROL_CHARACTERS.search(values.display_name or ""):
        raise ValidationFailed.on("display_name", _("The sender name must be on one line."))

    clean.imap_security = _choice(values.imap_security, "imap_security", Security)
    clean.imap_auth = _choice(values.imap_auth, "imap_auth", ImapAuth)
    clean.after_fetch = _choice(values.after_fetch, "after_fetch", AfterFetch)
    clean.smtp_security = _choice(values.smtp_security, "smtp_security", Security)
    clean.imap_port = _port(values.imap_port, "imap_port")
    clean.smtp_port = _port(values.smtp_port, "smtp_port")
    clean.imap_host = _host(values.imap_host, "imap_host", required=values.imap_enabled)
    clean.smtp_host = _host(values.smtp_host, "smtp_host", required=False)
    clean.imap_username = _one_line(values.imap_username, "imap_username", 254, required=values.imap_enabled)
    clean.smtp_username = _one_line(values.smtp_username, "smtp_username", 254)
    clean.imap_folder = _folder(values.imap_folder, "imap_folder", required=True)
    clean.move_to_folder = _folder(
        values.move_to_folder, "move_to_folder", required=values.after_fetch == AfterFetch.MOVE
    )
    low, high = POLL_INTERVAL_RANGE
    interval = values.poll_interval
    if isinstance(interval, bool) or not isinstance(interval, int) or not low <= interval <= high:
        raise ValidationFailed.on(
            "poll_interval",
            _("Fetch every %(low)d to %(high)d seconds.") % {"low": low, "high": high},
        )
    clean.oauth_client_id = _one_line(values.oauth_client_id, "oauth_client_id", 200)
    clean.oauth_scope = _one_line(values.oauth_scope, "oauth_scope", 500)
    clean.oauth_token_url = (values.oauth_token_url or "").strip()
    if clean.oauth_token_url:
        try:
            URLValidator(schemes=["https", "http"])(clean.oauth_token_url)
        except DjangoValidationError:
            raise ValidationFailed.on(
                "oauth_token_url", _("Enter the full address of the token endpoint.")
            ) from None
    for name in SECRET_FIELDS:
        secret = getattr(values, name)
        if secret is not None and (len(secret) > 4000 or "\n" in secret or "\r" in secret):
            raise ValidationFailed.on(name, _("This value is too long or has line breaks."))
    return clean


def _apply(mailbox: Mailbox, values: MailboxValues) -> None:
    for item in fields(values):
        value = getattr(values, item.name)
        if item.name in SECRET_FIELDS and value is None:
            continue  # blank in the form: keep what is stored
        setattr(mailbox, item.name, value)


def _check_sign_in(mailbox: Mailbox) -> None:
    """The IMAP settings are complete enough to try: a password, or the three OAuth values."""
    if not mailbox.imap_enabled:
        return
    if mailbox.imap_auth == ImapAuth.PASSWORD and not mailbox.imap_password:
        raise ValidationFailed.on("imap_password", _("Enter the password of the mail account."))
    if mailbox.imap_auth == ImapAuth.XOAUTH2:
        for name in ("oauth_token_url", "oauth_client_id", "oauth_refresh_token"):
            if not getattr(mailbox, name):
                raise ValidationFailed.on(name, _("Signing in with OAuth 2.0 needs this value."))


def mailbox_candidate(*, mailbox: Mailbox | None, values: MailboxValues) -> Mailbox:
    """An unsaved mailbox with `values` applied to a copy of `mailbox` (or to a new one), checked
    like a save would check it: what "Test connection" tries before anything is stored."""
    candidate = copy.copy(mailbox) if mailbox is not None else Mailbox()
    _apply(candidate, _clean(values))
    return candidate


def _addresses_in_use(mailbox: Mailbox) -> None:
    """No address (main or alias) may belong to two mailboxes: incoming mail would have two homes.
    A desk has a handful of mailboxes, so reading them all is cheap. The database guards the main
    address (unique); two administrators adding the same alias at the same instant is not guarded."""
    wanted = set(mailbox.addresses)
    others = Mailbox.objects.only("id", "name", "email_address", "aliases")
    if mailbox.pk:
        others = others.exclude(pk=mailbox.pk)
    for other in others:
        clash = wanted & set(other.addresses)
        if clash:
            address = sorted(clash)[0]
            field = "email_address" if address == mailbox.email_address.lower() else "aliases"
            raise Conflict(
                _("%(address)s is already used by the mailbox %(name)s.")
                % {"address": address, "name": other.name},
                code="address_taken",
                details={
                    field: _("%(address)s is already used by the mailbox %(name)s.")
                    % {"address": address, "name": other.name}
                },
            )


def _snapshot(mailbox: Mailbox) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in fields(MailboxValues):
        if item.name in SECRET_FIELDS:
            data[item.name] = bool(getattr(mailbox, item.name))
        elif item.name == "group":
            data["group"] = mailbox.group.name if mailbox.group_id and mailbox.group else None
        else:
            data[item.name] = getattr(mailbox, item.name)
    return data


def _changes(before: dict[str, Any], after: dict[str, Any], secrets_changed: set[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key, value in after.items():
        if key in SECRET_FIELDS:
            if key in secrets_changed:
                changes[key] = "set" if value else "removed"
        elif before.get(key) != value:
            changes[key] = [before.get(key), value]
    return changes


@transaction.atomic
def mailbox_save(*, actor: User, mailbox: Mailbox | None = None, values: MailboxValues) -> Mailbox:
    """Create (mailbox None) or change a mailbox; administrators only; audited.

    Locks the mailbox and the current default mailbox; making this one the default un-defaults
    the other, so there is one default at most. Changing the IMAP connection makes the fetcher try
    it at the next round and clears the previous error. Raises ValidationFailed (field named),
    Conflict (address_taken) or PermissionDenied."""
    require_admin(actor)
    clean = _clean(values)
    created = mailbox is None
    target = (
        Mailbox() if mailbox is None else Mailbox.objects.select_for_update().filter(pk=mailbox.pk).first()
    )
    if target is None:
        raise Conflict(_("This mailbox was deleted meanwhile."), code="mailbox_gone")
    before = _snapshot(target) if not created else {}
    stored_secrets = {name: getattr(target, name) for name in SECRET_FIELDS}
    _apply(target, clean)
    _check_sign_in(target)
    _addresses_in_use(target)
    secrets_changed = {name for name in SECRET_FIELDS if getattr(target, name) != stored_secrets[name]}
    connection_changed = (
        created
        or secrets_changed & set(CONNECTION_FIELDS)
        or any(
            before.get(name) != getattr(target, name)
            for name in CONNECTION_FIELDS
            if name not in SECRET_FIELDS
        )
    )
    if target.imap_enabled and connection_changed:
        target.next_poll_at = timezone.now()
        target.last_error = ""
        target.consecutive_failures = 0
    if target.is_default:
        others = Mailbox.objects.select_for_update().filter(is_default=True)
        if target.pk:
            others = others.exclude(pk=target.pk)
        list(others)  # take the locks before changing the rows
        others.update(is_default=False)
    target.updated_at = timezone.now()
    # Only what this form owns: the fetcher's own columns (fetch_state, last_polled_at, …) are
    # left as they are, apart from the restart written above.
    owned = [item.name for item in fields(MailboxValues)]
    restart = ["next_poll_at", "last_error", "consecutive_failures"]
    try:
        with transaction.atomic():
            if created:
                target.save(force_insert=True)
            else:
                target.save(update_fields=[*owned, *restart, "updated_at"])
    except IntegrityError:
        # Another administrator saved the same address or a default at the same moment.
        raise Conflict(
            _("Another change was saved at the same time; try again."), code="mailbox_conflict"
        ) from None
    after = _snapshot(target)
    audit_record(
        action="mailbox.created" if created else "mailbox.updated",
        actor=actor,
        target=target,
        changes=_changes(before, after, secrets_changed)
        if not created
        else {key: value for key, value in after.items() if key not in SECRET_FIELDS or value},
    )
    return target


@transaction.atomic
def mailbox_delete(*, actor: User, mailbox: Mailbox) -> None:
    """Delete a mailbox; administrators only; audited. The emails it received stay (without a
    mailbox), so nothing a customer sent is lost. Conflict when one of them is the same message
    as one kept from another deleted mailbox: deactivating the mailbox is the way then."""
    require_admin(actor)
    audit_record(action="mailbox.deleted", actor=actor, target=mailbox)
    try:
        with transaction.atomic():
            Mailbox.objects.filter(pk=mailbox.pk).delete()
    except IntegrityError:
        raise Conflict(
            _(
                "This mailbox received messages that are also kept from a deleted mailbox, so it "
                "cannot be deleted. Make it inactive instead."
            ),
            code="mailbox_in_use",
        ) from None


@transaction.atomic
def notification_settings_update(*, actor: User, **flags: bool) -> NotificationSettings:
    """Switch notification emails on or off; administrators only; audited. Locks the settings row."""
    require_admin(actor)
    NotificationSettings.objects.get_or_create(pk=1)
    current = NotificationSettings.objects.select_for_update().get(pk=1)
    known = {item.name for item in NotificationSettings._meta.concrete_fields if item.name != "id"}
    unknown = set(flags) - known
    if unknown:
        raise ValidationFailed(_("Unknown setting: %(name)s.") % {"name": sorted(unknown)[0]})
    changes = {
        name: [getattr(current, name), bool(value)]
        for name, value in flags.items()
        if getattr(current, name) != bool(value)
    }
    for name, value in flags.items():
        setattr(current, name, bool(value))
    if changes:
        current.save(update_fields=sorted(changes))
        audit_record(action="notification_settings.updated", actor=actor, target=current, changes=changes)
    return current
