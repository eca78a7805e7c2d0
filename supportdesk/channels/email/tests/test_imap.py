"""Fetching by IMAP, against a real dovecot on 127.0.0.1 (see conftest.py)."""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from supportdesk.channels.email import imap
from supportdesk.channels.email.choices import AfterFetch, ImapAuth, InboundOutcome, InboundStatus, Security
from supportdesk.channels.email.models import InboundEmail, Mailbox
from supportdesk.channels.email.tasks_inbound import due_mailboxes
from supportdesk.channels.email.tests import mailfactory
from supportdesk.channels.email.tests.conftest import (
    UNICODE_PASSWORD,
    UNICODE_USER,
    start_dovecot,
    stop_dovecot,
)
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def imap_mailbox(server: Any, user: str, **fields: Any) -> Mailbox:
    values: dict[str, Any] = {
        "name": f"IMAP {user}",
        "email_address": "support@desk.test",
        "imap_enabled": True,
        "imap_host": "127.0.0.1",
        "imap_port": server.port,
        "imap_security": Security.NONE,
        "imap_username": user,
        "imap_password": server.users.get(user, "secret"),
        "poll_interval": 60,
        **fields,
    }
    return Mailbox.objects.create(**values)


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    imap._tokens.clear()


@pytest.fixture
def box(dovecot) -> Mailbox:
    return imap_mailbox(dovecot, dovecot.user)


def test_new_mail_is_stored_processed_and_marked_read(dovecot, box):
    dovecot.deliver(dovecot.user, mailfactory.email(subject="First", sender="a@example.com"))
    dovecot.deliver(dovecot.user, mailfactory.email(subject="Second", sender="b@example.com"))

    result = imap.fetch_mailbox(box.pk)

    assert result.ok and result.fetched == 2 and result.stored == 2
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["First", "Second"]
    rows = InboundEmail.objects.order_by("pk")
    assert [r.status for r in rows] == [InboundStatus.PROCESSED, InboundStatus.PROCESSED]
    assert rows[0].source == "imap" and "uid=1" in rows[0].source_ref
    assert all("\\Seen" in flags for _uid, flags in dovecot.folder_state(dovecot.user))
    box.refresh_from_db()
    assert box.fetch_state["last_uid"] == 2 and box.fetch_state["uidvalidity"] > 0
    assert box.last_success_at is not None and box.last_error == "" and box.consecutive_failures == 0
    assert box.next_poll_at > timezone.now()


def test_a_password_beyond_ascii_signs_in(dovecot):
    """imaplib's LOGIN sends ASCII only; such a password goes by AUTHENTICATE PLAIN in UTF-8."""
    unicode_box = imap_mailbox(dovecot, UNICODE_USER, imap_password=UNICODE_PASSWORD)
    dovecot.deliver(UNICODE_USER, mailfactory.email(subject="Zażółć", sender="ola@example.pl"))

    result = imap.fetch_mailbox(unicode_box.pk)

    assert result.ok and result.stored == 1, result
    assert Ticket.objects.get().subject == "Zażółć"


def test_the_next_poll_fetches_only_what_is_new(dovecot, box):
    dovecot.deliver(dovecot.user, mailfactory.email(subject="Old"))
    imap.fetch_mailbox(box.pk)
    assert imap.fetch_mailbox(box.pk).fetched == 0
    # Read in a mail client before we got to it: new to us all the same.
    dovecot.deliver(dovecot.user, mailfactory.email(subject="New"), flags="(\\Seen)")
    result = imap.fetch_mailbox(box.pk)
    assert result.fetched == 1 and Ticket.objects.filter(subject="New").exists()


def test_the_first_poll_leaves_mail_already_read_there(dovecot, box):
    dovecot.deliver(dovecot.user, mailfactory.email(subject="Handled long ago"), flags="(\\Seen)")
    dovecot.deliver(dovecot.user, mailfactory.email(subject="Unread"))
    imap.fetch_mailbox(box.pk)
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Unread"]
    dovecot.deliver(dovecot.user, mailfactory.email(subject="Later"))
    assert imap.fetch_mailbox(box.pk).fetched == 1


def test_move_after_fetch(dovecot):
    box = imap_mailbox(dovecot, dovecot.user, after_fetch=AfterFetch.MOVE, move_to_folder="Done")
    dovecot.deliver(dovecot.user, mailfactory.email())
    assert imap.fetch_mailbox(box.pk).stored == 1
    assert dovecot.folder_state(dovecot.user) == []
    assert len(dovecot.folder_state(dovecot.user, "Done")) == 1


def test_delete_after_fetch(dovecot):
    box = imap_mailbox(dovecot, dovecot.user, after_fetch=AfterFetch.DELETE)
    dovecot.deliver(dovecot.user, mailfactory.email())
    dovecot.deliver(dovecot.user, mailfactory.email(), flags="(\\Seen)")
    assert imap.fetch_mailbox(box.pk).stored == 2  # delete mode starts with everything
    assert dovecot.folder_state(dovecot.user) == []


def test_starttls_with_the_servers_certificate(dovecot):
    box = imap_mailbox(dovecot, dovecot.user, imap_security=Security.STARTTLS)
    dovecot.deliver(dovecot.user, mailfactory.email())
    context = ssl.create_default_context(cafile=str(dovecot.cert_path))
    assert imap.fetch_mailbox(box.pk, ssl_context=context).stored == 1


def test_starttls_refuses_a_certificate_it_cannot_verify(dovecot):
    box = imap_mailbox(dovecot, dovecot.user, imap_security=Security.STARTTLS)
    result = imap.fetch_mailbox(box.pk)
    assert not result.ok and "certificate" in result.error.lower()


# -- failures ------------------------------------------------------------------------------------
def test_a_wrong_password_is_recorded_and_polls_back_off(dovecot):
    box = imap_mailbox(dovecot, dovecot.user, imap_password="wrong")
    first = imap.fetch_mailbox(box.pk)
    assert not first.ok
    box.refresh_from_db()
    assert box.consecutive_failures == 1 and "authentication" in box.last_error.lower()
    assert box.last_success_at is None
    wait_1 = (box.next_poll_at - timezone.now()).total_seconds()
    imap.fetch_mailbox(box.pk)
    box.refresh_from_db()
    wait_2 = (box.next_poll_at - timezone.now()).total_seconds()
    assert box.consecutive_failures == 2 and wait_2 > wait_1 * 1.5

    Mailbox.objects.filter(pk=box.pk).update(imap_password="secret")  # fixed by the administrator
    assert imap.fetch_mailbox(box.pk).ok
    box.refresh_from_db()
    assert box.consecutive_failures == 0 and box.last_error == ""


def test_backoff_doubles_up_to_an_hour():
    box = Mailbox(poll_interval=60)
    assert [imap.backoff_seconds(box, n) for n in (1, 2, 3)] == [120, 240, 480]
    assert imap.backoff_seconds(box, 30) == 3600


def test_an_unreachable_server_fails_fast(free_tcp_port):
    box = Mailbox.objects.create(
        name="Down",
        email_address="down@desk.test",
        imap_enabled=True,
        imap_host="127.0.0.1",
        imap_port=free_tcp_port,
        imap_security=Security.NONE,
        imap_username="x",
        imap_password="y",
    )
    started = time.monotonic()
    result = imap.fetch_mailbox(box.pk, timeout=5)
    assert not result.ok and time.monotonic() - started < 3
    assert "refused" in result.error


def test_a_hanging_server_times_out(hanging_server):
    box = Mailbox.objects.create(
        name="Stuck",
        email_address="stuck@desk.test",
        imap_enabled=True,
        imap_host="127.0.0.1",
        imap_port=hanging_server.port,
        imap_security=Security.NONE,
        imap_username="x",
        imap_password="y",
    )
    started = time.monotonic()
    result = imap.fetch_mailbox(box.pk, timeout=1)
    assert not result.ok and 0.9 < time.monotonic() - started < 5
    assert "in time" in result.error


def test_an_inactive_mailbox_is_not_fetched(dovecot):
    box = imap_mailbox(dovecot, dovecot.user, is_active=False)
    dovecot.deliver(dovecot.user, mailfactory.email())
    assert imap.fetch_mailbox(box.pk).fetched == 0 and not InboundEmail.objects.exists()


# -- never lose, never double --------------------------------------------------------------------
def test_a_crash_between_storing_and_marking_read_doubles_nothing(dovecot, box, monkeypatch):
    dovecot.deliver(dovecot.user, mailfactory.email(subject="Only once"))

    def broken(*args: Any) -> None:
        raise ConnectionResetError("the connection dropped")

    monkeypatch.setattr(imap, "_after_fetch", broken)
    assert not imap.fetch_mailbox(box.pk).ok
    assert InboundEmail.objects.count() == 1  # stored before the server was touched
    monkeypatch.undo()

    result = imap.fetch_mailbox(box.pk)
    assert result.ok and result.fetched == 1 and result.stored == 0
    assert Ticket.objects.filter(subject="Only once").count() == 1
    assert all("\\Seen" in flags for _uid, flags in dovecot.folder_state(dovecot.user))


def test_a_new_uidvalidity_fetches_again_without_duplicates(dovecot, box):
    dovecot.deliver(dovecot.user, mailfactory.email(subject="Kept once"))
    imap.fetch_mailbox(box.pk)
    # The server renumbered the folder (restored from a backup, say) and the message is unread
    # again: it is fetched again, and recognized.
    client = dovecot.client(dovecot.user)
    client.select("INBOX")
    client.uid("STORE", "1", "-FLAGS", "(\\Seen)")
    client.logout()
    box.refresh_from_db()
    Mailbox.objects.filter(pk=box.pk).update(fetch_state={**box.fetch_state, "uidvalidity": 1, "last_uid": 0})
    result = imap.fetch_mailbox(box.pk)
    assert result.fetched == 1 and result.stored == 0
    assert Ticket.objects.filter(subject="Kept once").count() == 1


def test_replies_fetched_later_thread_into_the_ticket(dovecot, box):
    first = mailfactory.email(subject="Broken")
    dovecot.deliver(dovecot.user, first)
    imap.fetch_mailbox(box.pk)
    dovecot.deliver(dovecot.user, mailfactory.reply_to(first, body="Any news?"))
    imap.fetch_mailbox(box.pk)
    reply = InboundEmail.objects.order_by("-pk").first()
    assert reply.outcome == InboundOutcome.REPLY and Ticket.objects.count() == 1


# -- scheduling ----------------------------------------------------------------------------------
def test_due_mailboxes_are_claimed_once(dovecot):
    due = imap_mailbox(dovecot, dovecot.user)
    later = imap_mailbox(dovecot, dovecot.user, email_address="later@desk.test")
    Mailbox.objects.filter(pk=later.pk).update(next_poll_at=timezone.now() + timezone.timedelta(minutes=5))
    Mailbox.objects.create(name="No IMAP", email_address="plain@desk.test")
    assert due_mailboxes() == [due.pk]
    assert due_mailboxes() == []  # claimed: the next tick does not enqueue it again


def test_a_mailbox_being_fetched_is_not_fetched_twice_at_once(dovecot, box):
    from huey.contrib.djhuey import HUEY

    from supportdesk.channels.email.tasks_inbound import fetch_lock_name, fetch_mailbox_mail

    dovecot.deliver(dovecot.user, mailfactory.email())
    with HUEY.lock_task(fetch_lock_name(box.pk)):
        assert fetch_mailbox_mail.call_local(box.pk) == -1
    assert not InboundEmail.objects.exists()
    assert fetch_mailbox_mail.call_local(box.pk) == 1


@pytest.mark.django_db(transaction=True)
def test_a_hanging_mailbox_does_not_delay_the_others(dovecot, hanging_server, monkeypatch):
    """Two worker threads of a real huey consumer: the scheduler tick enqueues one fetch task per
    due mailbox, so the good mailbox is fetched and processed while the other one hangs."""
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from supportdesk.channels.email.tasks_inbound import poll_due_mailboxes

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot be written from worker threads")
    monkeypatch.setattr(imap, "DEFAULT_TIMEOUT", 5.0)
    stuck = Mailbox.objects.create(
        name="Stuck",
        email_address="stuck@desk.test",
        imap_enabled=True,
        imap_host="127.0.0.1",
        imap_port=hanging_server.port,
        imap_security=Security.NONE,
        imap_username="x",
        imap_password="y",
    )
    good = imap_mailbox(dovecot, dovecot.user)
    dovecot.deliver(dovecot.user, mailfactory.email(subject="Arrives on time"))

    from django.db import connections

    # Worker threads close their connections after each task (as the real worker does when
    # connections are not kept), so none is left open when the test database is dropped.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    monkeypatch.setattr(HUEY, "_immediate", False)  # queue for real (in memory), run in threads
    consumer = HUEY.create_consumer(
        workers=2, worker_type="thread", periodic=False, check_worker_health=False, max_delay=0.1
    )
    monkeypatch.setattr(consumer, "_set_signal_handlers", lambda: None)
    started = time.monotonic()
    consumer.start()
    try:
        poll_due_mailboxes()
        deadline = started + 20
        while time.monotonic() < deadline and not Ticket.objects.filter(subject="Arrives on time").exists():
            time.sleep(0.05)
        good_done = time.monotonic() - started
        while time.monotonic() < deadline and not Mailbox.objects.get(pk=stuck.pk).last_error:
            time.sleep(0.05)
        stuck_done = time.monotonic() - started
    finally:
        consumer.stop(graceful=True)
    assert Ticket.objects.filter(subject="Arrives on time").exists()
    # The good mailbox was done before the stuck one even gave up.
    assert good_done < min(stuck_done, 5.0), f"the good mailbox waited {good_done:.1f} s"
    stuck.refresh_from_db()
    assert stuck.consecutive_failures == 1 and stuck_done >= 5.0
    good.refresh_from_db()
    assert good.last_success_at is not None


# -- OAuth 2.0 ---------------------------------------------------------------------------------------
class OAuthServer:
    """A token endpoint (refresh token → access token) that also answers dovecot's token
    introspection, on 127.0.0.1."""

    def __init__(self, user: str):
        self.user = user
        self.requests: list[dict[str, str]] = []
        self.issued: set[str] = set()
        self.rotate_to = ""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path == "/token":
                    outer.requests.append(form)
                    if form.get("refresh_token") not in ("refresh-1", "refresh-2"):
                        self._send(400, {"error": "invalid_grant", "error_description": "Token revoked"})
                        return
                    token = f"access-{len(outer.requests)}"
                    outer.issued.add(token)
                    answer = {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
                    if outer.rotate_to:
                        answer["refresh_token"] = outer.rotate_to
                    self._send(200, answer)
                else:  # dovecot asks whether a bearer token is good
                    token = form.get("token", "") or self.headers.get("Authorization", "")[7:]
                    active = token in outer.issued
                    self._send(
                        200, {"active": active, "username": outer.user} if active else {"active": False}
                    )

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def oauth_server():
    server = OAuthServer("oauth.user@mail.test")
    yield server
    server.close()


def test_xoauth2_string_format():
    raw = imap.xoauth2_string("someone@example.com", "ya29.token")
    assert raw == "user=someone@example.com\x01auth=Bearer ya29.token\x01\x01"
    assert base64.b64encode(raw.encode()).decode() == (
        "dXNlcj1zb21lb25lQGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIHlhMjkudG9rZW4BAQ=="
    )


def test_the_access_token_comes_from_the_refresh_token_and_is_cached(oauth_server):
    box = Mailbox.objects.create(
        name="O",
        email_address="o@desk.test",
        imap_auth=ImapAuth.XOAUTH2,
        oauth_token_url=f"{oauth_server.url}/token",
        oauth_client_id="client-1",
        oauth_client_secret="s3cret",
        oauth_refresh_token="refresh-1",
        oauth_scope="https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    )
    assert imap.oauth_access_token(box) == "access-1"
    assert oauth_server.requests == [
        {
            "grant_type": "refresh_token",
            "refresh_token": "refresh-1",
            "client_id": "client-1",
            "client_secret": "s3cret",
            "scope": "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
        }
    ]
    assert imap.oauth_access_token(box) == "access-1" and len(oauth_server.requests) == 1


def test_a_rotated_refresh_token_is_saved(oauth_server):
    oauth_server.rotate_to = "refresh-2"
    box = Mailbox.objects.create(
        name="O",
        email_address="o2@desk.test",
        imap_auth=ImapAuth.XOAUTH2,
        oauth_token_url=f"{oauth_server.url}/token",
        oauth_client_id="c",
        oauth_refresh_token="refresh-1",
    )
    imap.oauth_access_token(box)
    box.refresh_from_db()
    assert box.oauth_refresh_token == "refresh-2"


def test_a_revoked_refresh_token_is_a_clear_error(oauth_server):
    box = Mailbox.objects.create(
        name="O",
        email_address="o3@desk.test",
        imap_auth=ImapAuth.XOAUTH2,
        oauth_token_url=f"{oauth_server.url}/token",
        oauth_client_id="c",
        oauth_refresh_token="revoked",
    )
    with pytest.raises(imap.ImapFetchError, match="Token revoked"):
        imap.oauth_access_token(box)


def test_fetching_with_xoauth2_against_dovecot(oauth_server):
    server = start_dovecot(tls=False, oauth_introspection_url=f"{oauth_server.url}/introspect")
    try:
        server.add_users([oauth_server.user])  # signing in to it works by token only
        time.sleep(1.1)  # let the passwd file's change be seen
        server.deliver(oauth_server.user, mailfactory.email(subject="Via OAuth"))
        box = imap_mailbox(
            server,
            oauth_server.user,
            imap_auth=ImapAuth.XOAUTH2,
            imap_password="",
            oauth_token_url=f"{oauth_server.url}/token",
            oauth_client_id="client-1",
            oauth_refresh_token="refresh-1",
        )
        result = imap.fetch_mailbox(box.pk)
        assert result.ok, result.error
        assert Ticket.objects.filter(subject="Via OAuth").exists()
    finally:
        stop_dovecot(server)


def _fetch_command(*args: str) -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("mail", "fetch", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_fetch_command_polls_one_mailbox_by_its_exact_address(dovecot, box):
    from django.core.management import CommandError

    Mailbox.objects.filter(pk=box.pk).update(aliases="help@desk.test")
    dovecot.deliver(dovecot.user, mailfactory.email(subject="By hand", sender="c@example.com"))
    with pytest.raises(CommandError, match=r"No active IMAP mailbox has the address elp@desk\.test"):
        _fetch_command("--mailbox", "elp@desk.test")  # part of an alias is not the alias

    output = _fetch_command("--mailbox", "HELP@desk.test")

    assert "support@desk.test: 1 fetched, 1 new (tickets created 1)" in output
    assert Ticket.objects.get().subject == "By hand"


def test_the_fetch_command_skips_a_mailbox_the_worker_is_fetching(dovecot, box):
    from huey.contrib.djhuey import HUEY

    from supportdesk.channels.email.tasks_inbound import fetch_lock_name

    dovecot.deliver(dovecot.user, mailfactory.email(subject="Later", sender="d@example.com"))
    with HUEY.lock_task(fetch_lock_name(box.pk)):
        output = _fetch_command()
    assert "being fetched by the worker right now; skipped" in output
    assert not Ticket.objects.exists()
