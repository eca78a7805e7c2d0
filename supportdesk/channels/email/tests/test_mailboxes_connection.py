"""The "Test connection" checks against real servers: Debian's dovecot (IMAP plain, STARTTLS and
implicit TLS, passwords and OAuth 2.0 tokens that dovecot checks at a provider of ours) and
aiosmtpd (SMTP with and without sign-in and TLS), plus servers that refuse, hang or do not
exist. Each failure must name its cause exactly, and never the password."""

from __future__ import annotations

import http.server
import imaplib
import json
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.urls import reverse

from supportdesk.channels.email.choices import ImapAuth, Security
from supportdesk.channels.email.models import Mailbox
from supportdesk.channels.email.services.mailboxes import mailbox_check_imap, mailbox_check_smtp
from supportdesk.channels.email.tests.conftest import free_port, self_signed_cert
from supportdesk.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate, as the system trusts a real CA."""
        return ssl.create_default_context(cafile=str(self.cert))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert), str(self.key))
        return context


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-made CA certificate for 127.0.0.1 (servers use it; clients trust it only when told)."""
    cert_path, key_path = self_signed_cert(tmp_path_factory.mktemp("tls"), ca=True)
    return Certificate(cert_path, key_path)


DOVECOT = os.environ.get("DOVECOT_PATH", "/usr/sbin/dovecot")
# Accounts of the test server, made before it starts: dovecot re-reads its passwd file only
# when the file's time changes, so accounts added within the same second could be missed.
ACCOUNTS = {
    "counting@mail.test": "secret",
    "folders@mail.test": "secret",
    "general@mail.test": "secret",
    "refused@mail.test": "secret",
    "oauth@mail.test": "",
}
DOVECOT_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{users}protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
# Refused sign-ins are part of the tests: no delay and no growing penalty for 127.0.0.1, so
# a test that follows one is not slowed past its timeout.
auth_failure_delay = 0
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {root}/oauth2.conf
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


@dataclass
class ImapServer:
    port: int  # plain, offering STARTTLS
    ssl_port: int  # implicit TLS
    oauth_token_url: str

    def deliver(self, user: str, raw: bytes) -> None:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(user, ACCOUNTS[user])
        client.append("INBOX", None, None, raw)
        client.logout()


def _wait_for_greeting(port: int, process: subprocess.Popen, root: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = root / "dovecot.log"
            raise RuntimeError(f"dovecot stopped: {log.read_text(errors='replace') if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if connection.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not answer within 15 s")


@pytest.fixture(scope="module")
def oauth_provider() -> Iterator[str]:
    """Our OAuthProvider on a high port; yields its base URL."""
    provider = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OAuthProvider)
    threading.Thread(target=provider.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{provider.server_port}"
    finally:
        provider.shutdown()


@pytest.fixture(scope="module")
def imap_server(certificate: Certificate, oauth_provider: str) -> Iterator[ImapServer]:
    """Debian's dovecot in the foreground on two high ports of 127.0.0.1 (plain with STARTTLS,
    and implicit TLS), with password accounts and XOAUTH2 checked at our OAuthProvider."""
    if not Path(DOVECOT).exists():
        pytest.skip(f"dovecot is not installed at {DOVECOT} (apt install dovecot-imapd)")
    # Dovecot's unprivileged auth and login processes must reach the files: pytest's temporary
    # folders are private to the user running the tests (mode 0700), so not there.
    root = Path(tempfile.mkdtemp(prefix="sd-dovecot-"))
    root.chmod(0o755)
    me = pwd.getpwuid(os.geteuid())
    # As root, dovecot refuses to keep mail as root: it belongs to dovecot's own user then.
    owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else me
    for name in ("mail", "home"):
        (root / name).mkdir()
        os.chown(root / name, owner.pw_uid, owner.pw_gid)
    (root / "passwd").write_text("".join(f"{user}:{{PLAIN}}{pw}\n" for user, pw in ACCOUNTS.items() if pw))
    (root / "oauth2.conf").write_text(
        f"introspection_mode = post\nintrospection_url = {oauth_provider}/introspect\n"
        "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
    )
    server = ImapServer(port=free_port(), ssl_port=free_port(), oauth_token_url=f"{oauth_provider}/token")
    users = (
        ""
        if os.geteuid() == 0
        else f"default_login_user = {me.pw_name}\ndefault_internal_user = {me.pw_name}\n"
    )
    config = root / "dovecot.conf"
    config.write_text(
        DOVECOT_CONFIG.format(
            root=root,
            users=users,
            cert=certificate.cert,
            key=certificate.key,
            uid=owner.pw_uid,
            gid=owner.pw_gid,
            port=server.port,
            ssl_port=server.ssl_port,
        )
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for_greeting(server.port, process, root)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def imap_mailbox(server: ImapServer, user: str = "general@mail.test", **fields) -> Mailbox:
    base = {
        "name": "Support",
        "email_address": "support@desk.test",
        "imap_enabled": True,
        "imap_host": "127.0.0.1",
        "imap_port": server.port,
        "imap_security": Security.NONE,
        "imap_username": user,
        "imap_password": ACCOUNTS.get(user, ""),
    }
    return Mailbox(**{**base, **fields})


# -- IMAP ----------------------------------------------------------------------------------------


def test_imap_check_signs_in_and_counts_the_folder(administrator, imap_server):
    for number in (1, 2):
        imap_server.deliver("counting@mail.test", f"Subject: message {number}\r\n\r\nHello\r\n".encode())
    mailbox = imap_mailbox(imap_server, "counting@mail.test")
    check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=5)
    assert check.ok, check.message
    assert check.message == (
        f"Connected to 127.0.0.1:{imap_server.port}, signed in as counting@mail.test and opened the "
        "folder INBOX: 2 messages."
    )


def test_imap_check_opens_a_folder_with_a_non_ascii_name(administrator, imap_server):
    client = imaplib.IMAP4("127.0.0.1", imap_server.port, timeout=5)
    client.login("folders@mail.test", "secret")
    client.create("&AMk-quipe")  # "Équipe" in IMAP's modified UTF-7
    client.logout()
    mailbox = imap_mailbox(imap_server, "folders@mail.test", imap_folder="Équipe")
    check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=5)
    assert check.ok, check.message
    assert "Équipe: 0 messages" in check.message


def test_imap_check_over_starttls(administrator, imap_server, certificate):
    starttls = imap_mailbox(imap_server, imap_security=Security.STARTTLS)
    check = mailbox_check_imap(
        actor=administrator, mailbox=starttls, timeout=5, ssl_context=certificate.client_context()
    )
    assert check.ok, check.message
    # With the system's certificate store, the self-made certificate is refused, and says so.
    check = mailbox_check_imap(actor=administrator, mailbox=starttls, timeout=5)
    assert not check.ok
    assert f"The secure connection to 127.0.0.1:{imap_server.port} failed" in check.message
    assert "certificate verify failed" in check.message


def test_imap_check_over_ssl(administrator, imap_server, certificate):
    over_ssl = imap_mailbox(imap_server, imap_security=Security.SSL, imap_port=imap_server.ssl_port)
    check = mailbox_check_imap(
        actor=administrator, mailbox=over_ssl, timeout=5, ssl_context=certificate.client_context()
    )
    assert check.ok, check.message
    check = mailbox_check_imap(actor=administrator, mailbox=over_ssl, timeout=5)
    assert not check.ok
    assert f"The secure connection to 127.0.0.1:{imap_server.ssl_port} failed" in check.message


def test_imap_check_reports_the_servers_refusal_of_the_password(administrator, imap_server):
    mailbox = imap_mailbox(imap_server, "refused@mail.test", imap_password="wrong-password")
    check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=5)
    assert not check.ok
    assert check.message == (
        "The server refused the sign-in as refused@mail.test: [AUTHENTICATIONFAILED] Authentication failed."
    )


def test_imap_check_reports_a_missing_folder(administrator, imap_server):
    mailbox = imap_mailbox(imap_server, imap_folder="Archive 2019")
    check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=5)
    assert not check.ok
    assert "Signed in, but the folder Archive 2019 could not be opened" in check.message
    assert "Mailbox doesn't exist" in check.message


def test_imap_check_with_ssl_against_a_plain_port(administrator, imap_server):
    mailbox = imap_mailbox(imap_server, imap_security=Security.SSL)
    check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=5)
    assert not check.ok
    assert f"127.0.0.1:{imap_server.port}" in check.message


def test_imap_check_reports_a_closed_port(administrator):
    port = free_port()
    mailbox = Mailbox(imap_host="127.0.0.1", imap_port=port, imap_security=Security.NONE, imap_username="u")
    check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=2)
    assert not check.ok
    assert check.message == f"Could not connect to 127.0.0.1:{port}: Connection refused"


def test_imap_check_reports_an_unknown_host(administrator):
    mailbox = Mailbox(imap_host="no-such-host.invalid", imap_port=993, imap_username="u")
    check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=2)
    assert not check.ok
    assert "no-such-host.invalid" in check.message


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word: a server that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.mark.parametrize("kind", ["imap", "smtp"])
def test_checks_give_up_after_the_timeout(administrator, silent_port, kind):
    started = time.monotonic()
    if kind == "imap":
        mailbox = Mailbox(imap_host="127.0.0.1", imap_port=silent_port, imap_security=Security.NONE)
        check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=0.5)
    else:
        mailbox = Mailbox(smtp_host="127.0.0.1", smtp_port=silent_port, smtp_security=Security.NONE)
        check = mailbox_check_smtp(actor=administrator, mailbox=mailbox, timeout=0.5)
    assert time.monotonic() - started < 5
    assert not check.ok
    assert check.message == f"127.0.0.1:{silent_port} did not answer within 0.5 seconds."


class OAuthProvider(http.server.BaseHTTPRequestHandler):
    """A token endpoint (refresh token → access token) and the introspection endpoint dovecot
    asks whether an access token is good: a provider such as Microsoft 365, in miniature."""

    refresh_token = "good-refresh-token"
    access_token = "access-token-1"
    username = "oauth@mail.test"
    token_requests: list[dict[str, str]] = []
    rotate_to = ""  # when set, answers carry this new refresh token (as Microsoft's do)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        if self.path == "/token":
            type(self).token_requests.append(form)
            if form.get("refresh_token") == self.refresh_token and form.get("grant_type") == "refresh_token":
                answer = {"access_token": self.access_token, "token_type": "Bearer", "expires_in": 3600}
                if self.rotate_to:
                    answer["refresh_token"] = self.rotate_to
                self._json(200, answer)
            else:
                self._json(400, {"error": "invalid_grant", "error_description": "AADSTS70000: token expired"})
        else:  # dovecot asking about a token
            good = form.get("token") == self.access_token
            self._json(200, {"active": "true" if good else "false", "username": self.username})

    def _json(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def oauth_mailbox(server: ImapServer, **fields) -> Mailbox:
    base = {
        "imap_host": "127.0.0.1",
        "imap_port": server.port,
        "imap_security": Security.NONE,
        "imap_username": "oauth@mail.test",
        "imap_auth": ImapAuth.XOAUTH2,
        "oauth_token_url": server.oauth_token_url,
        "oauth_client_id": "desk-client",
        "oauth_client_secret": "client-secret",
        "oauth_refresh_token": OAuthProvider.refresh_token,
        "oauth_scope": "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    }
    return Mailbox(**{**base, **fields})


def test_imap_check_signs_in_with_oauth(administrator, imap_server):
    OAuthProvider.token_requests.clear()
    check = mailbox_check_imap(actor=administrator, mailbox=oauth_mailbox(imap_server), timeout=5)
    assert check.ok, check.message
    assert "signed in as oauth@mail.test" in check.message
    request = OAuthProvider.token_requests[-1]
    assert request["grant_type"] == "refresh_token" and request["client_id"] == "desk-client"
    assert request["client_secret"] == "client-secret" and "offline_access" in request["scope"]


def test_imap_check_keeps_a_refresh_token_the_provider_rotates(administrator, imap_server, monkeypatch):
    mailbox = oauth_mailbox(imap_server, name="Rotating", email_address="rotating@desk.test")
    mailbox.save()
    monkeypatch.setattr(OAuthProvider, "rotate_to", "rotated-refresh-token")
    check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=5)
    assert check.ok, check.message
    mailbox.refresh_from_db()
    assert mailbox.oauth_refresh_token == "rotated-refresh-token"  # the old one may be void now


def test_imap_check_with_oauth_reports_the_token_endpoints_refusal(administrator, imap_server):
    mailbox = oauth_mailbox(imap_server, oauth_refresh_token="expired")
    check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=5)
    assert not check.ok
    assert "HTTP 400" in check.message and "AADSTS70000: token expired" in check.message


def test_imap_check_with_oauth_reports_a_token_the_server_refuses(administrator, imap_server, monkeypatch):
    monkeypatch.setattr(OAuthProvider, "username", "somebody-else@mail.test")
    monkeypatch.setattr(OAuthProvider, "access_token", "a-token-dovecot-will-not-accept")
    check = mailbox_check_imap(actor=administrator, mailbox=oauth_mailbox(imap_server), timeout=5)
    assert not check.ok
    assert "The server refused the sign-in as oauth@mail.test" in check.message


def test_imap_check_with_oauth_reports_an_unreachable_token_endpoint(administrator, imap_server):
    mailbox = oauth_mailbox(imap_server, oauth_token_url=f"http://127.0.0.1:{free_port()}/token")
    check = mailbox_check_imap(actor=administrator, mailbox=mailbox, timeout=5)
    assert not check.ok
    assert "The OAuth server could not be reached" in check.message


def test_checks_are_for_administrators_only(manager, imap_server):
    with pytest.raises(PermissionDenied):
        mailbox_check_imap(actor=manager, mailbox=imap_mailbox(imap_server))
    with pytest.raises(PermissionDenied):
        mailbox_check_smtp(actor=manager, mailbox=imap_mailbox(imap_server))


# -- SMTP ----------------------------------------------------------------------------------------


class _Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"sender" and auth_data.password == b"smtp-secret"
    # handled=False: aiosmtpd answers the client itself (235 or 535).
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server(certificate: Certificate) -> Iterator[Controller]:
    """aiosmtpd on a high port: sign-in allowed without TLS, STARTTLS offered."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate.cert), str(certificate.key))
    controller = Controller(
        _Sink(),
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=_authenticator,
        auth_require_tls=False,
        tls_context=context,
    )
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def plain_smtp_server() -> Iterator[Controller]:
    """aiosmtpd without TLS and without sign-in."""
    controller = Controller(_Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def smtp_mailbox(server: Controller, **fields) -> Mailbox:
    base = {"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_security": Security.NONE}
    return Mailbox(**{**base, **fields})


def test_smtp_check_greets_and_quits(administrator, plain_smtp_server):
    check = mailbox_check_smtp(actor=administrator, mailbox=smtp_mailbox(plain_smtp_server), timeout=5)
    assert check.ok, check.message
    assert f"127.0.0.1:{plain_smtp_server.port}" in check.message
    assert "no sign-in is configured" in check.message


def test_smtp_check_signs_in(administrator, smtp_server):
    mailbox = smtp_mailbox(smtp_server, smtp_username="sender", smtp_password="smtp-secret")
    check = mailbox_check_smtp(actor=administrator, mailbox=mailbox, timeout=5)
    assert check.ok, check.message
    assert "signed in as sender" in check.message


def test_smtp_check_starttls_then_sign_in(administrator, smtp_server, certificate):
    mailbox = smtp_mailbox(
        smtp_server, smtp_security=Security.STARTTLS, smtp_username="sender", smtp_password="smtp-secret"
    )
    check = mailbox_check_smtp(
        actor=administrator, mailbox=mailbox, timeout=5, ssl_context=certificate.client_context()
    )
    assert check.ok, check.message
    check = mailbox_check_smtp(actor=administrator, mailbox=mailbox, timeout=5)
    assert not check.ok and "certificate" in check.message.lower()


def test_smtp_check_reports_a_refused_password(administrator, smtp_server):
    mailbox = smtp_mailbox(smtp_server, smtp_username="sender", smtp_password="wrong")
    check = mailbox_check_smtp(actor=administrator, mailbox=mailbox, timeout=5)
    assert not check.ok
    assert "refused the sign-in as sender: 535" in check.message
    assert "wrong" not in check.message


def test_smtp_check_reports_missing_starttls_and_missing_auth(administrator, plain_smtp_server):
    check = mailbox_check_smtp(
        actor=administrator,
        mailbox=smtp_mailbox(plain_smtp_server, smtp_security=Security.STARTTLS),
        timeout=5,
    )
    assert not check.ok and "does not offer STARTTLS" in check.message
    check = mailbox_check_smtp(
        actor=administrator,
        mailbox=smtp_mailbox(plain_smtp_server, smtp_username="sender", smtp_password="x"),
        timeout=5,
    )
    assert not check.ok and "does not accept a sign-in" in check.message


def test_smtp_check_without_a_server_of_its_own_tests_the_sites(administrator, plain_smtp_server, settings):
    mailbox = Mailbox(smtp_host="")
    check = mailbox_check_smtp(actor=administrator, mailbox=mailbox, timeout=5)
    assert not check.ok and "EMAIL_HOST" in check.message
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", plain_smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    check = mailbox_check_smtp(actor=administrator, mailbox=mailbox, timeout=5)
    assert check.ok, check.message
    assert "the site's SMTP server" in check.message


# -- the buttons on the mailbox page ----------------------------------------------------------------


def form_data(**overrides) -> dict[str, str]:
    data = {
        "name": "Support",
        "email_address": "support@desk.test",
        "aliases": "",
        "display_name": "",
        "group": "",
        "is_active": "on",
        "imap_port": "993",
        "imap_security": Security.SSL,
        "imap_auth": ImapAuth.PASSWORD,
        "imap_folder": "INBOX",
        "after_fetch": "seen",
        "poll_interval": "60",
        "smtp_port": "587",
        "smtp_security": Security.STARTTLS,
    }
    data.update(overrides)
    return data


def test_the_test_buttons_try_the_typed_values_without_saving(
    client_for, administrator, imap_server, plain_smtp_server
):
    client = client_for(administrator)
    user, password = "general@mail.test", ACCOUNTS["general@mail.test"]
    data = form_data(
        imap_enabled="on",
        imap_host="127.0.0.1",
        imap_port=str(imap_server.port),
        imap_security=Security.NONE,
        imap_username=user,
        imap_password=password,
        smtp_host="127.0.0.1",
        smtp_port=str(plain_smtp_server.port),
        smtp_security=Security.NONE,
    )
    response = client.post(reverse("email_settings:mailbox_create"), {**data, "action": "test_imap"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "IMAP connection test" in html and "it works." in html and "INBOX: 0 messages" in html
    # What the administrator typed is still in the form, so Save needs no retyping.
    assert f'value="{password}"' in html
    response = client.post(reverse("email_settings:mailbox_create"), {**data, "action": "test_smtp"})
    assert "SMTP connection test" in response.content.decode()
    assert "it works." in response.content.decode()
    assert not Mailbox.objects.exists()

    client.post(reverse("email_settings:mailbox_create"), {**data, "action": "save"})
    mailbox = Mailbox.objects.get()
    # On the saved mailbox, a blank password means the stored one, for the test too.
    response = client.post(
        reverse("email_settings:mailbox_edit", args=[mailbox.pk]),
        {**data, "imap_password": "", "action": "test_imap"},
    )
    html = response.content.decode()
    assert "it works." in html
    assert f'value="{password}"' not in html
    response = client.post(
        reverse("email_settings:mailbox_edit", args=[mailbox.pk]),
        {**data, "imap_password": "wrong", "action": "test_imap"},
    )
    html = response.content.decode()
    assert "it failed." in html and "AUTHENTICATIONFAILED" in html
    mailbox.refresh_from_db()
    assert mailbox.imap_password == password
