"""Test a mailbox's connections the way the fetcher and the sender will use them: IMAP (connect,
secure, sign in with a password or an OAuth 2.0 token, open the folder read-only and count its
messages) and SMTP (connect, EHLO, STARTTLS, sign in, QUIT). They write nothing and send no
mail; every step has a timeout, and a failure is reported in the server's own words."""

from __future__ import annotations

import contextlib
import imaplib
import smtplib
import socket
import ssl
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.channels.email.choices import ImapAuth, Security
from supportdesk.channels.email.imap import ImapFetchError, oauth_access_token, password_sign_in
from supportdesk.channels.email.models import Mailbox
from supportdesk.core.errors import PermissionDenied

CHECK_TIMEOUT = 10.0  # seconds for each network step (a page waits for the whole test)


def require_admin(actor: User) -> None:
    if not getattr(actor, "is_administrator", False):
        raise PermissionDenied(_("Only administrators can do this."))


@dataclass(frozen=True)
class ConnectionCheck:
    """What a connection test found: `ok`, and a sentence for the administrator (the server's own
    words included when it refused something)."""

    ok: bool
    message: str


def _server_text(data: Any) -> str:
    """The text of a server response (bytes, a list of them, an exception's argument)."""
    if isinstance(data, list | tuple):
        return " ".join(_server_text(item) for item in data if item)
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace").strip()
    return str(data).strip()


def _network_failure(error: BaseException, host: str, port: int, timeout: float) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return _("%(host)s:%(port)d did not answer within %(seconds)s seconds.") % {
            "host": host,
            "port": port,
            "seconds": f"{timeout:g}",
        }
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        verify = getattr(error, "verify_message", None)
        # OpenSSL's own words; the verify message names the cause (expired, self-signed, …).
        detail = f"certificate verify failed: {verify}" if verify else str(error)
        return _("The secure connection to %(host)s:%(port)d failed: %(error)s") % {
            "host": host,
            "port": port,
            "error": detail,
        }
    if isinstance(error, socket.gaierror):
        return _("The server name %(host)s could not be found: %(error)s") % {
            "host": host,
            "error": error.strerror or error,
        }
    return _("Could not connect to %(host)s:%(port)d: %(error)s") % {
        "host": host,
        "port": port,
        "error": getattr(error, "strerror", None) or _server_text(error) or type(error).__name__,
    }


def _tls_context(context: ssl.SSLContext | None) -> ssl.SSLContext:
    # Certificates are verified: an administrator must see a wrong certificate now, not later.
    return context or ssl.create_default_context()


def _oauth_access_token(mailbox: Mailbox, timeout: float) -> str:
    """The fetcher's own token exchange (so a refresh token the provider rotates is kept)."""
    try:
        return oauth_access_token(mailbox, timeout=timeout, cached=False)
    except ImapFetchError as error:
        raise _CheckFailed(str(error)) from None


class _CheckFailed(Exception):
    """A step failed; the argument is the sentence to show."""


def mailbox_check_imap(
    *,
    actor: User,
    mailbox: Mailbox,
    timeout: float = CHECK_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
) -> ConnectionCheck:
    """Connect to the mailbox's IMAP server, sign in, open its folder read-only and count the
    messages; writes nothing. `ssl_context` replaces the system's certificate store (tests)."""
    require_admin(actor)
    host, port = mailbox.imap_host, mailbox.imap_port
    if not host:
        return ConnectionCheck(False, _("Enter the IMAP server first."))
    client: imaplib.IMAP4 | None = None
    try:
        try:
            if mailbox.imap_security == Security.SSL:
                client = imaplib.IMAP4_SSL(host, port, ssl_context=_tls_context(ssl_context), timeout=timeout)
            else:
                client = imaplib.IMAP4(host, port, timeout=timeout)
                if mailbox.imap_security == Security.STARTTLS:
                    client.starttls(_tls_context(ssl_context))
        except imaplib.IMAP4.error as error:
            raise _CheckFailed(
                _("%(host)s:%(port)d refused the secure connection (STARTTLS): %(error)s")
                % {"host": host, "port": port, "error": _server_text(error.args)}
            ) from None
        try:
            if mailbox.imap_auth == ImapAuth.XOAUTH2:
                token = _oauth_access_token(mailbox, timeout)
                sasl = f"user={mailbox.imap_username}\x01auth=Bearer {token}\x01\x01"
                client.authenticate("XOAUTH2", lambda _challenge: sasl.encode())
            else:
                password_sign_in(client, mailbox.imap_username, mailbox.imap_password)
        except imaplib.IMAP4.error as error:
            raise _CheckFailed(
                _("The server refused the sign-in as %(user)s: %(error)s")
                % {"user": mailbox.imap_username, "error": _server_text(error.args)}
            ) from None
        from imap_tools.utils import encode_folder  # modified UTF-7 and quoting, as the fetcher does

        # Quoted modified UTF-7 is plain ASCII: imaplib sends str arguments as ASCII.
        status, data = client.select(encode_folder(mailbox.imap_folder).decode("ascii"), readonly=True)
        if status != "OK":
            raise _CheckFailed(
                _("Signed in, but the folder %(folder)s could not be opened: %(error)s")
                % {"folder": mailbox.imap_folder, "error": _server_text(data)}
            )
        count = _server_text(data[0] if data else b"0")
        return ConnectionCheck(
            True,
            _(
                "Connected to %(host)s:%(port)d, signed in as %(user)s and opened the folder "
                "%(folder)s: %(count)s messages."
            )
            % {
                "host": host,
                "port": port,
                "user": mailbox.imap_username,
                "folder": mailbox.imap_folder,
                "count": count,
            },
        )
    except _CheckFailed as failure:
        return ConnectionCheck(False, str(failure))
    except imaplib.IMAP4.error as error:
        return ConnectionCheck(
            False,
            _("The IMAP server answered with an error: %(error)s") % {"error": _server_text(error.args)},
        )
    except (OSError, EOFError) as error:
        return ConnectionCheck(False, _network_failure(error, host, port, timeout))
    finally:
        if client is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError, EOFError):
                client.logout()


def _site_smtp(mailbox: Mailbox) -> tuple[str, int, str, str, str]:
    """(host, port, security, user, password): the mailbox's own server, or the site's."""
    if mailbox.smtp_host:
        return (
            mailbox.smtp_host,
            mailbox.smtp_port,
            mailbox.smtp_security,
            mailbox.smtp_username,
            mailbox.smtp_password,
        )
    security = (
        Security.SSL
        if getattr(settings, "EMAIL_USE_SSL", False)
        else Security.STARTTLS
        if getattr(settings, "EMAIL_USE_TLS", False)
        else Security.NONE
    )
    return (
        getattr(settings, "EMAIL_HOST", ""),
        int(getattr(settings, "EMAIL_PORT", 25)),
        security,
        getattr(settings, "EMAIL_HOST_USER", ""),
        getattr(settings, "EMAIL_HOST_PASSWORD", ""),
    )


def mailbox_check_smtp(
    *,
    actor: User,
    mailbox: Mailbox,
    timeout: float = CHECK_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
) -> ConnectionCheck:
    """Connect to the SMTP server the mailbox sends through (its own, or the site's), greet it
    (EHLO), secure the connection and sign in as configured, then QUIT; sends no mail."""
    require_admin(actor)
    uses_site = not mailbox.smtp_host
    host, port, security, user, password = _site_smtp(mailbox)
    if uses_site and (not host or "smtp" not in settings.EMAIL_BACKEND):
        return ConnectionCheck(
            False,
            _(
                "This mailbox has no SMTP server of its own and the site has none configured "
                "(EMAIL_HOST), so outgoing mail is only written to the log."
            ),
        )
    client: smtplib.SMTP | None = None
    try:
        if security == Security.SSL:
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=_tls_context(ssl_context))
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        client.ehlo()
        if security == Security.STARTTLS:
            try:
                client.starttls(context=_tls_context(ssl_context))
            except smtplib.SMTPNotSupportedError:
                raise _CheckFailed(
                    _("%(host)s:%(port)d does not offer STARTTLS; choose another security setting.")
                    % {"host": host, "port": port}
                ) from None
            client.ehlo()
        if user:
            try:
                client.login(user, password)
            except smtplib.SMTPAuthenticationError as error:
                raise _CheckFailed(
                    _("The server refused the sign-in as %(user)s: %(code)s %(error)s")
                    % {"user": user, "code": error.smtp_code, "error": _server_text(error.smtp_error)}
                ) from None
            except smtplib.SMTPNotSupportedError:
                raise _CheckFailed(
                    _("%(host)s:%(port)d does not accept a sign-in on this connection (no AUTH).")
                    % {"host": host, "port": port}
                ) from None
        client.quit()
        client = None
        where = _("the site's SMTP server") if uses_site else _("the SMTP server")
        signed = _("signed in as %(user)s") % {"user": user} if user else _("no sign-in is configured")
        return ConnectionCheck(
            True,
            _("Connected to %(where)s %(host)s:%(port)d; it greeted us and %(signed)s.")
            % {"where": where, "host": host, "port": port, "signed": signed},
        )
    except _CheckFailed as failure:
        return ConnectionCheck(False, str(failure))
    except smtplib.SMTPResponseException as error:
        return ConnectionCheck(
            False,
            _("The SMTP server answered with an error: %(code)s %(error)s")
            % {"code": error.smtp_code, "error": _server_text(error.smtp_error)},
        )
    except smtplib.SMTPServerDisconnected as error:
        if isinstance(error.__context__, TimeoutError):
            # smtplib reports a reply that never came as a disconnection.
            return ConnectionCheck(False, _network_failure(error.__context__, host, port, timeout))
        return ConnectionCheck(
            False,
            _("%(host)s:%(port)d closed the connection: %(error)s")
            % {"host": host, "port": port, "error": _server_text(error.args) or _("no reason given")},
        )
    except (smtplib.SMTPException, OSError) as error:
        return ConnectionCheck(False, _network_failure(error, host, port, timeout))
    finally:
        if client is not None:
            with contextlib.suppress(OSError):
                client.close()
