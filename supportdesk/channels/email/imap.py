"""Fetching mail from IMAP mailboxes (imap-tools over imaplib).

One poll of one mailbox: connect (SSL, STARTTLS or plain; a password or OAuth 2.0 XOAUTH2 with
an access token fetched from the refresh token), look at the folder's UIDVALIDITY, fetch every
message with a UID above the last one seen, and for each one: store the raw bytes (committed),
THEN mark it read / move it / delete it on the server, then remember its UID, then hand it to
processing. A crash between any two steps fetches the message again at the next poll, and
storing it again finds the row already there: nothing is lost and nothing is doubled.

Every network operation has a socket timeout, and a poll stops taking new messages after
MAX_SECONDS_PER_POLL, so a slow or broken server costs its own mailbox a delay and nothing else.
Failures are recorded on the mailbox (last_error, consecutive_failures) and the next poll backs
off exponentially.

The first poll of a mailbox that marks mail as read fetches the UNSEEN messages only (mail
already read there is taken as handled by people before supportdesk); after that every new UID
is fetched, read or not. Mailboxes that move or delete fetched mail start with everything in
the folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import imaplib
import json
import logging
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.mailbox import BaseMailBox

from supportdesk.channels.email.choices import AfterFetch, ImapAuth, InboundSource, InboundStatus, Security
from supportdesk.channels.email.models import InboundEmail, Mailbox
from supportdesk.channels.email.services.intake import store_inbound

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0  # seconds, for every socket operation (connect, each command)
MAX_MESSAGES_PER_POLL = 200
MAX_SECONDS_PER_POLL = 120.0
MAX_BACKOFF_SECONDS = 3600
TOKEN_MARGIN_SECONDS = 60


class ImapFetchError(Exception):
    """A poll failed; the message is what administrators see as the mailbox's last error."""


@dataclass
class FetchResult:
    mailbox_id: int
    fetched: int = 0
    stored: int = 0  # new rows (the others were stored before)
    error: str = ""
    inbound_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error


# -- OAuth 2.0 ------------------------------------------------------------------------------
_tokens: dict[tuple[object, ...], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def xoauth2_string(user: str, access_token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64), as Gmail and Microsoft 365 expect."""
    return f"user={user}\x01auth=Bearer {access_token}\x01\x01"


def _token_key(mailbox: Mailbox, refresh_token: str) -> tuple[object, ...]:
    secret = hashlib.sha256(refresh_token.encode()).hexdigest()
    return (mailbox.pk, mailbox.oauth_token_url, mailbox.oauth_client_id, secret)


def oauth_access_token(mailbox: Mailbox, *, timeout: float = DEFAULT_TIMEOUT, cached: bool = True) -> str:
    """An access token for `mailbox`, from its refresh token (cached until shortly before it
    expires; `cached=False` always asks the provider, as a connection test must). A new refresh
    token in the answer (providers rotate them) is saved."""
    if not mailbox.oauth_token_url or not mailbox.oauth_refresh_token:
        raise ImapFetchError(_("The OAuth token URL and refresh token are required."))
    key = _token_key(mailbox, mailbox.oauth_refresh_token)
    with _tokens_lock:
        hit = _tokens.get(key) if cached else None
    if hit is not None and hit[1] > time.monotonic():
        return hit[0]
    form = {
        "grant_type": "refresh_token",
        "refresh_token": mailbox.oauth_refresh_token,
        "client_id": mailbox.oauth_client_id,
    }
    if mailbox.oauth_client_secret:
        form["client_secret"] = mailbox.oauth_client_secret
    if mailbox.oauth_scope:
        form["scope"] = mailbox.oauth_scope
    request = urllib.request.Request(  # noqa: S310 - an https URL an administrator configured
        mailbox.oauth_token_url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        try:
            body = json.loads(error.read().decode("utf-8", "replace"))
            detail = str(body.get("error_description") or body.get("error") or error.reason)
        except (ValueError, AttributeError):
            detail = str(error.reason)
        raise ImapFetchError(
            _("The OAuth server refused the refresh token (HTTP %(status)d): %(detail)s")
            % {"status": error.code, "detail": detail[:300]}
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        raise ImapFetchError(
            _("The OAuth server could not be reached: %(error)s") % {"error": str(error)[:300]}
        ) from None
    token = str(answer.get("access_token") or "")
    if not token:
        raise ImapFetchError(_("The OAuth server gave no access token."))
    lifetime = float(answer.get("expires_in") or 3600)
    rotated = str(answer.get("refresh_token") or "")
    if rotated and rotated != mailbox.oauth_refresh_token:
        mailbox.oauth_refresh_token = rotated
        if mailbox.pk is not None:  # a mailbox being tested before it is saved keeps it in memory
            mailbox.save(update_fields=["oauth_refresh_token"])
        key = _token_key(mailbox, rotated)
    with _tokens_lock:
        _tokens[key] = (token, time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN_SECONDS))
    return token


# -- connecting -----------------------------------------------------------------------------
def connect(
    mailbox: Mailbox, *, timeout: float = DEFAULT_TIMEOUT, ssl_context: ssl.SSLContext | None = None
) -> BaseMailBox:
    """A signed-in imap-tools connection to `mailbox`'s server (no folder selected)."""
    context = ssl_context or ssl.create_default_context()
    host, port = mailbox.imap_host, mailbox.imap_port
    if mailbox.imap_security == Security.SSL:
        box: BaseMailBox = MailBox(host, port, timeout=timeout, ssl_context=context)
    elif mailbox.imap_security == Security.STARTTLS:
        box = MailBoxStartTls(host, port, timeout=timeout, ssl_context=context)
    else:
        box = MailBoxUnencrypted(host, port, timeout=timeout)
    try:
        if mailbox.imap_auth == ImapAuth.XOAUTH2:
            token = oauth_access_token(mailbox, timeout=timeout)
            box.xoauth2(mailbox.imap_username, token, initial_folder=None)
        else:
            password_sign_in(box.client, mailbox.imap_username, mailbox.imap_password)
    except BaseException:
        _close(box)
        raise
    return box


def password_sign_in(client: imaplib.IMAP4, username: str, password: str) -> None:
    """LOGIN, which imaplib can only send in ASCII; a name or password with other characters
    signs in by AUTHENTICATE PLAIN in UTF-8 instead (RFC 4616)."""
    if username.isascii() and password.isascii():
        client.login(username, password)
    else:
        plain = f"\x00{username}\x00{password}".encode()
        client.authenticate("PLAIN", lambda _challenge: plain)


def _close(box: BaseMailBox) -> None:
    # The connection may already be gone; there is nothing left to do then.
    with contextlib.suppress(Exception):
        box.logout()


# -- one poll -------------------------------------------------------------------------------
def _fetch_raw(box: BaseMailBox, uid: int) -> bytes | None:
    """The message's bytes exactly as the server holds them (PEEK: its flags do not change)."""
    status, data = box.client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if status != "OK":
        raise ImapFetchError(_("The server refused to hand over message %(uid)d.") % {"uid": uid})
    for item in data or ():
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None  # deleted on the server meanwhile


def _after_fetch(box: BaseMailBox, mailbox: Mailbox, uid: int) -> None:
    if mailbox.after_fetch == AfterFetch.MOVE and mailbox.move_to_folder:
        if not box.folder.exists(mailbox.move_to_folder):
            box.folder.create(mailbox.move_to_folder)
        box.move(str(uid), mailbox.move_to_folder)
    elif mailbox.after_fetch == AfterFetch.DELETE:
        box.delete(str(uid))
    else:
        box.flag(str(uid), "\\Seen", True)


def _enqueue(row: InboundEmail, created: bool) -> None:
    from supportdesk.channels.email.tasks_inbound import process_inbound_email

    process_inbound_email(row.pk)


def _poll(
    box: BaseMailBox,
    mailbox: Mailbox,
    result: FetchResult,
    on_stored: Callable[[InboundEmail, bool], None],
    limit: int,
) -> None:
    folder = mailbox.imap_folder or "INBOX"
    status = box.folder.status(folder, ["UIDVALIDITY", "UIDNEXT"])
    box.folder.set(folder)
    uidvalidity = int(status.get("UIDVALIDITY", 0))
    state = dict(mailbox.fetch_state or {})
    same_folder = state.get("folder") == folder and state.get("uidvalidity") == uidvalidity
    last_uid = int(state.get("last_uid", 0)) if same_folder else 0
    first_poll = not same_folder
    if last_uid:
        criteria = f"UID {last_uid + 1}:*"
    elif first_poll and mailbox.after_fetch == AfterFetch.SEEN:
        criteria = "UNSEEN"
    else:
        criteria = "ALL"
    # "N:*" always matches the newest message, even below N: filter on our side.
    uids = sorted(int(u) for u in box.uids(criteria) if int(u) > last_uid)
    truncated = len(uids) > limit
    uids = uids[:limit]
    started = time.monotonic()
    for uid in uids:
        if time.monotonic() - started > MAX_SECONDS_PER_POLL:
            truncated = True
            break
        raw = _fetch_raw(box, uid)
        if raw is not None:
            result.fetched += 1
            row, created = store_inbound(
                raw=raw,
                source=InboundSource.IMAP,
                mailbox=mailbox,
                source_ref=f"{folder} uidvalidity={uidvalidity} uid={uid}",
            )
            result.stored += int(created)
            result.inbound_ids.append(row.pk)
            _after_fetch(box, mailbox, uid)
            last_uid = uid
            _save_state(mailbox, folder, uidvalidity, last_uid)
            if created or row.status == InboundStatus.RECEIVED:
                try:
                    on_stored(row, created)
                except Exception:
                    # Stored is what matters; the periodic sweep processes it later.
                    log.exception("mailbox %s: could not hand inbound email %s on", mailbox.pk, row.pk)
    if not truncated:
        # Everything below UIDNEXT has been looked at (read mail skipped on a first poll).
        last_uid = max(last_uid, int(status.get("UIDNEXT", 1)) - 1)
    _save_state(mailbox, folder, uidvalidity, last_uid)


def _save_state(mailbox: Mailbox, folder: str, uidvalidity: int, last_uid: int) -> None:
    state = {
        **(mailbox.fetch_state or {}),
        "folder": folder,
        "uidvalidity": uidvalidity,
        "last_uid": last_uid,
    }
    if state != mailbox.fetch_state:
        mailbox.fetch_state = state
        Mailbox.objects.filter(pk=mailbox.pk).update(fetch_state=state)


def backoff_seconds(mailbox: Mailbox, failures: int) -> int:
    """How long to wait after `failures` failed polls in a row: the poll interval doubled per
    failure, at most an hour."""
    interval = max(1, mailbox.poll_interval)
    return int(min(interval * 2 ** min(failures, 16), max(MAX_BACKOFF_SECONDS, interval)))


def _error_text(error: BaseException) -> str:
    if isinstance(error, ImapFetchError):
        return str(error)
    if isinstance(error, TimeoutError):
        return _("The server did not answer in time.")
    if isinstance(error, ConnectionRefusedError):
        return _("The server refused the connection.")
    text = str(error).strip() or type(error).__name__
    return _("Could not fetch mail: %(error)s") % {"error": text[:500]}


def fetch_mailbox(
    mailbox_id: int,
    *,
    timeout: float | None = None,
    ssl_context: ssl.SSLContext | None = None,
    on_stored: Callable[[InboundEmail, bool], None] | None = None,
    limit: int = MAX_MESSAGES_PER_POLL,
) -> FetchResult:
    """Poll one mailbox once (see the module docstring). `on_stored` receives each stored row
    still waiting to be processed (default: enqueue its processing). Never raises for server
    problems: they are recorded on the mailbox and returned in the result."""
    result = FetchResult(mailbox_id=mailbox_id)
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None or not (mailbox.is_active and mailbox.imap_enabled):
        result.error = "inactive"
        return result
    polled_at = timezone.now()
    try:
        box = connect(mailbox, timeout=timeout or DEFAULT_TIMEOUT, ssl_context=ssl_context)
        try:
            _poll(box, mailbox, result, on_stored or _enqueue, limit)
        finally:
            _close(box)
    except Exception as error:
        result.error = _error_text(error)
        failures = mailbox.consecutive_failures + 1
        Mailbox.objects.filter(pk=mailbox_id).update(
            last_polled_at=polled_at,
            last_error=result.error,
            consecutive_failures=failures,
            next_poll_at=timezone.now() + timedelta(seconds=backoff_seconds(mailbox, failures)),
        )
        log.warning("mailbox %s (%s): %s", mailbox_id, mailbox.email_address, result.error)
        return result
    now = timezone.now()
    Mailbox.objects.filter(pk=mailbox_id).update(
        last_polled_at=polled_at,
        last_success_at=now,
        last_error="",
        consecutive_failures=0,
        next_poll_at=now + timedelta(seconds=max(1, mailbox.poll_interval)),
    )
    return result
