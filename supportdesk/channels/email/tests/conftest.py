"""Fixtures of the email channel's tests: a mailbox, real mail servers on 127.0.0.1 (a dovecot
IMAP server started for the test session, an aiosmtpd server that captures what we send), and
the corpora of real-world mail other projects collected (read in place, never copied)."""

from __future__ import annotations

import contextlib
import imaplib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from supportdesk.accounts.models import Group
from supportdesk.channels.email.imap import password_sign_in
from supportdesk.channels.email.models import Mailbox

DOVECOT = os.environ.get("DOVECOT_PATH", "/usr/sbin/dovecot")
REPO = Path(__file__).resolve().parents[4]
# $SUPPORTDESK_CORPORA points elsewhere, as for the other corpus tests.
CORPORA = Path(os.environ.get("SUPPORTDESK_CORPORA") or (REPO / ".." / "shared" / "corpora")).resolve()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def corpus(name: str) -> Path:
    """The folder of a shared corpus, or a skip when this machine does not have it."""
    folder = CORPORA / name
    if not folder.is_dir():
        pytest.skip(f"corpus {name!r} not found at {folder} (shared/corpora is not checked out)")
    return folder


@pytest.fixture
def mailbox(support_group: Group) -> Mailbox:
    """The desk's default mailbox, support@desk.test, with one alias; tickets go to Support."""
    return Mailbox.objects.create(
        name="Support",
        email_address="support@desk.test",
        aliases="help@desk.test\n",
        group=support_group,
        is_default=True,
    )


# -- SMTP capture ---------------------------------------------------------------------------
@dataclass
class CapturedSmtp:
    host: str
    port: int
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[tuple[str, list[str], bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


class _CaptureHandler:
    def __init__(self, sink: CapturedSmtp):
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sink.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                bytes(envelope.original_content or envelope.content),
            )
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_capture() -> Iterator[CapturedSmtp]:
    """An SMTP server on 127.0.0.1 that accepts everything and keeps it in `.messages` as
    (mail_from, rcpt_tos, raw bytes). Point the code under test at `.host` and `.port`."""
    from aiosmtpd.controller import Controller

    sink = CapturedSmtp(host="127.0.0.1", port=free_port())
    controller = Controller(_CaptureHandler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


# -- dovecot ---------------------------------------------------------------------------------
DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
{ssl_files}
disable_plaintext_auth = no
auth_mechanisms = plain login {oauth_mechanism}
mail_location = maildir:{root}/mail/%u
first_valid_uid = 0
mail_max_userip_connections = 50
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
{oauth_passdb}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""

OAUTH_PASSDB = """\
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf
}}
"""


@dataclass
class Dovecot:
    """A running dovecot: IMAP on 127.0.0.1:`port` (STARTTLS offered when `tls`)."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]
    tls: bool
    users: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    cert_path: Path | None = None

    def add_users(self, users: list[str], password: str = "secret") -> None:
        """Create mail accounts (lines in the passwd file). Add them before signing in: dovecot
        rereads the file when its modification time changes (one-second resolution)."""
        with (self.root / "passwd").open("a") as handle:
            for user in users:
                self.users[user] = password
                handle.write(f"{user}:{{PLAIN}}{password}\n")

    def client(self, user: str) -> imaplib.IMAP4:
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        password_sign_in(connection, user, self.users[user])
        return connection

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX", flags: str = "") -> None:
        """Put `raw` into a folder of `user` (IMAP APPEND, as a mail server would deliver it)."""
        connection = self.client(user)
        try:
            if folder != "INBOX":
                connection.create(folder)
            connection.append(folder, flags or None, None, raw)
        finally:
            connection.logout()

    def folder_state(self, user: str, folder: str = "INBOX") -> list[tuple[int, str]]:
        """(uid, flags) of every message in `folder`."""
        connection = self.client(user)
        try:
            connection.select(folder)
            _status, data = connection.uid("FETCH", "1:*", "(FLAGS)")
            state = []
            for item in data:
                if not item:
                    continue
                text = item.decode() if isinstance(item, bytes) else str(item)
                uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                flags = text.split("FLAGS (")[1].split(")")[0]
                state.append((uid, flags))
            return state
        finally:
            connection.logout()


def self_signed_cert(folder: Path, *, ca: bool = False) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the cryptography package; `ca` makes
    it a CA certificate that a client context can be told to trust."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
    )
    if ca:
        cert = cert.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    cert = cert.sign(key, hashes.SHA256())
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def start_dovecot(*, tls: bool = True, oauth_introspection_url: str = "") -> Dovecot:
    """Start dovecot in the foreground (`dovecot -F -c cfg`) as our child, with its
    configuration, mail folders and passwd file in a new temporary folder (outside pytest's
    private one: dovecot's own processes run as the `dovecot` user and must read it). Stop it
    with `stop_dovecot`, which also removes the folder."""
    if not Path(DOVECOT).exists():
        pytest.skip(f"dovecot is not installed at {DOVECOT}")
    import grp
    import pwd
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="sd-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text("")
    (root / "passwd").chmod(0o644)
    try:
        uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
    except KeyError:
        uid, gid = os.getuid(), os.getgid()
    if os.getuid() == 0:
        os.chown(root / "mail", uid, gid)
    ssl_files = ""
    cert_path = None
    if tls:
        cert_path, key_path = self_signed_cert(root)
        ssl_files = f"ssl_cert = <{cert_path}\nssl_key = <{key_path}"
    oauth_passdb = ""
    if oauth_introspection_url:
        (root / "oauth2.conf").write_text(
            f"introspection_mode = post\nintrospection_url = {oauth_introspection_url}\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
        )
        oauth_passdb = OAUTH_PASSDB.format(root=root)
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(
        DOVECOT_CONF.format(
            root=root,
            port=port,
            uid=uid,
            gid=gid,
            ssl="yes" if tls else "no",
            ssl_files=ssl_files,
            oauth_mechanism="xoauth2 oauthbearer" if oauth_introspection_url else "",
            oauth_passdb=oauth_passdb,
        )
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            pytest.fail(f"dovecot did not start: {error}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            if sock.recv(100).startswith(b"* OK"):
                break
        time.sleep(0.05)
    else:
        stop_dovecot(Dovecot(root=root, port=port, process=process, tls=tls))
        pytest.fail("dovecot did not answer within 15 s")
    return Dovecot(root=root, port=port, process=process, tls=tls, cert_path=cert_path)


def stop_dovecot(server: Dovecot) -> None:
    process = server.process
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    shutil.rmtree(server.root, ignore_errors=True)


_user_numbers = iter(range(1, 1_000_000))


POOL_SIZE = 300
# An account whose password imaplib's LOGIN cannot send (it is ASCII only).
UNICODE_USER, UNICODE_PASSWORD = "unicode@mail.test", "zażółć-gęślą-密码"


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    """One dovecot for the whole session (starting one takes a moment) with a pool of accounts
    created up front: dovecot notices changes of its passwd file by modification time, which
    misses two changes within one second."""
    server = start_dovecot(tls=True)
    server.add_users([f"user{n}@mail.test" for n in range(1, POOL_SIZE + 1)])
    server.add_users([UNICODE_USER], password=UNICODE_PASSWORD)
    try:
        yield server
    finally:
        stop_dovecot(server)


@pytest.fixture
def dovecot(dovecot_server: Dovecot) -> Dovecot:
    """The session's dovecot with an account no other test used, in `.user` (password
    "secret")."""
    number = next(_user_numbers)
    if number > POOL_SIZE:
        pytest.skip("the dovecot account pool is used up; raise POOL_SIZE")
    dovecot_server.user = f"user{number}@mail.test"  # type: ignore[attr-defined]
    return dovecot_server


class HangingServer:
    """A TCP server that accepts connections and never says a word (a stuck IMAP server)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = int(self.socket.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _address = self.socket.accept()
                self.accepted.append(connection)

    def close(self) -> None:
        for connection in self.accepted:
            connection.close()
        self.socket.close()


@pytest.fixture
def hanging_server() -> Iterator[HangingServer]:
    server = HangingServer()
    try:
        yield server
    finally:
        server.close()


# -- intake ----------------------------------------------------------------------------------
@pytest.fixture
def deliver(mailbox: Mailbox) -> Any:
    """Store and process raw mail the way the IMAP fetcher does; returns the InboundEmail.

    row = deliver(mailfactory.email(subject="Help"))
    row = deliver(raw, mailbox=other, source="smtp")
    """
    from supportdesk.channels.email.services.intake import process_inbound, store_inbound

    def run(raw: bytes, *, mailbox: Mailbox | None = mailbox, source: str = "imap", **kwargs: Any) -> Any:
        row, _created = store_inbound(raw=raw, source=source, mailbox=mailbox, **kwargs)
        return process_inbound(row.pk)

    return run


@pytest.fixture
def free_tcp_port() -> int:
    """A port on 127.0.0.1 nobody listens on (connections are refused)."""
    return free_port()


# -- a real installation on disk, for tests that run the `supportdesk` command ---------------
SETUP_SNIPPET = """
from supportdesk.channels.email.models import Mailbox, NotificationSettings
Mailbox.objects.create(name="Support", email_address="support@desk.test", is_default=True)
NotificationSettings.objects.update_or_create(pk=1, defaults=dict(
    customer_request_received=False, customer_agent_replied=False, customer_ticket_solved=False,
    agent_ticket_assigned=False, agent_new_reply=False))
"""


def command_env(data_dir: Path, database_url: str = "", **extra: str) -> dict[str, str]:
    """The environment for running `python -m supportdesk …` on `data_dir` (SQLite there,
    unless `database_url` is given)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SUPPORTDESK_DATA_DIR=str(data_dir),
        HUEY_IMMEDIATE="1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def prepare_installation(data_dir: Path, database_url: str = "") -> None:
    """Migrate a database and give it the default mailbox, with notifications off (they are
    not what these tests look at)."""
    env = command_env(data_dir, database_url)
    for args in (["migrate", "-v0"], ["shell", "-c", SETUP_SNIPPET]):
        done = subprocess.run(
            [sys.executable, "-m", "supportdesk", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            pytest.fail(f"supportdesk {args[0]} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated SQLite database (made once per session)."""
    data = tmp_path_factory.mktemp("installation") / "data"
    prepare_installation(data)
    return data


@pytest.fixture
def data_dir(migrated_data_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the migrated data directory."""
    copy = tmp_path / "data"
    shutil.copytree(migrated_data_dir, copy)
    return copy
