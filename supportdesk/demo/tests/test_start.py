"""`supportdesk start`, for real: a subprocess on a fresh SQLite data directory and a free port.

These tests start the product the way `make run` does, talk to it over HTTP, and check that it
stops cleanly, leaving no process behind.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from supportdesk.demo.credentials import DEMO_LOGINS, DEMO_MAILBOX, demo_login

READY_TIMEOUT = 90
STOP_TIMEOUT = 20
BANNER_END = "Press Ctrl-C to stop."
# Talks to the local server directly, whatever HTTP_PROXY says.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Product:
    """A `supportdesk start` subprocess with its output captured in files."""

    def __init__(self, tmp_path: Path, *args: str):
        self.port = free_port()
        self.mail_port = free_port()
        self.data_dir = tmp_path / "data"
        self.base = f"http://127.0.0.1:{self.port}"
        self.out_path, self.err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SUPPORTDESK_DATA_DIR=str(self.data_dir),
            HOST="127.0.0.1",
            PORT=str(self.port),
            MAIL_RECEIVER_PORT=str(self.mail_port),
        )
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "supportdesk", "start", *args], env=env, stdout=out, stderr=err
            )

    @property
    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    def wait_for_banner(self) -> str:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if BANNER_END in self.stdout:
                return self.stdout
            if self.process.poll() is not None:
                pytest.fail(f"start exited with {self.process.returncode}:\n{self.stdout}\n{self.stderr}")
            time.sleep(0.25)
        pytest.fail(f"no banner within {READY_TIMEOUT} s:\n{self.stdout}\n{self.stderr}")

    def descendants(self) -> dict[int, str]:
        """Every process below `start` (pid → command line)."""
        table = process_table()
        found: dict[int, str] = {}
        frontier = [self.process.pid]
        while frontier:
            pid = frontier.pop()
            for child, (parent, _state, command) in table.items():
                if parent == pid and child not in found:
                    found[child] = command
                    frontier.append(child)
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def process_table() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, state, command line) of every process, from ps (Linux and macOS)."""
    listing = subprocess.run(
        ["ps", "-A", "-o", "pid=", "-o", "ppid=", "-o", "stat=", "-o", "args="],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    table = {}
    for line in listing.splitlines():
        pid, ppid, state, *command = line.split(None, 3)
        table[int(pid)] = (int(ppid), state, command[0] if command else "")
    return table


def still_running(pids: dict[int, str]) -> list[str]:
    """The processes of `pids` that still run the same command (zombies do not count)."""
    table = process_table()
    return [
        f"{pid} {command}"
        for pid, command in pids.items()
        if pid in table and table[pid][2] == command and not table[pid][1].startswith("Z")
    ]


@pytest.fixture
def product(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Product]:
    running = Product(tmp_path, *request.param)
    yield running
    pids = running.descendants()
    running.stop()
    for pid in pids:  # never leave a server behind, whatever the test did
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def sign_in(base: str, email: str, password: str) -> urllib.error.HTTPError | None:
    """Post the sign-in form like a browser; the redirect response (or None if none came)."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(cookies), _NoRedirects
    )
    page = opener.open(f"{base}/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": email, "password": password, "csrfmiddlewaretoken": token})
    headers = {"Referer": f"{base}/login/"}
    request = urllib.request.Request(f"{base}/login/", data=form.encode(), headers=headers)  # noqa: S310
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as redirect:
        return redirect
    return None


def wait_for_ticket(database: Path, subject: str, timeout: float = 30.0) -> bool:
    """Whether a ticket with `subject` appears in the product's SQLite database in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
            if db.execute("SELECT 1 FROM tickets_ticket WHERE subject = ?", (subject,)).fetchone():
                return True
        time.sleep(0.25)
    return False


@pytest.mark.parametrize("product", [("--demo-tickets", "20")], indirect=True)
def test_start_serves_the_product_with_the_demo_and_stops_cleanly_on_ctrl_c(product):
    banner = product.wait_for_banner()
    assert f"{product.base}/" in banner
    for login in DEMO_LOGINS:
        assert login.email in banner and login.password in banner

    page = DIRECT.open(f"{product.base}/login/", timeout=10)
    html = page.read().decode()
    assert page.status == 200 and 'name="password"' in html
    # Static files were collected and are served (with their content hash in the name).
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', html).group(1)
    assert DIRECT.open(product.base + stylesheet, timeout=10).status == 200
    # The demo agent signs in with the printed password.
    agent = demo_login("agent")
    answer = sign_in(product.base, agent.email, agent.password)
    assert answer is not None and answer.code == 302, "the sign-in form was shown again"

    processes = product.descendants()
    commands = " ".join(processes.values())
    assert "gunicorn" in commands and "run_huey" in commands and "mail receive" in commands
    assert len(processes) >= 5  # gunicorn master, two workers, the huey consumer, the mail receiver

    # Mail delivered to the demo mailbox through the built-in receiver becomes a ticket.
    assert f"SMTP receiver on 127.0.0.1:{product.mail_port}" in banner and DEMO_MAILBOX in banner
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Lan <lan@example.com>", DEMO_MAILBOX, "Máy in bị kẹt giấy"
    mail.set_content("Chào bạn, máy in của chúng tôi bị kẹt giấy từ sáng nay.")
    with smtplib.SMTP("127.0.0.1", product.mail_port, timeout=10) as client:
        client.send_message(mail)
    assert wait_for_ticket(product.data_dir / "db.sqlite3", "Máy in bị kẹt giấy"), product.stderr

    product.process.send_signal(signal.SIGINT)
    assert product.process.wait(timeout=STOP_TIMEOUT) == 0, product.stderr
    assert "Stopped." in product.stdout
    assert not still_running(processes)


@pytest.mark.parametrize("product", [("--no-demo",)], indirect=True)
def test_when_a_process_dies_start_stops_the_others_and_fails(product):
    banner = product.wait_for_banner()
    assert "demo" not in banner.lower().split("running at")[1]
    processes = product.descendants()
    worker = next(pid for pid, command in processes.items() if "run_huey" in command)

    os.kill(worker, signal.SIGKILL)
    assert product.process.wait(timeout=STOP_TIMEOUT) != 0
    assert "task worker (huey) stopped unexpectedly" in product.stderr
    assert not still_running(processes)


def test_start_refuses_a_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings", SUPPORTDESK_DATA_DIR=str(tmp_path), PORT=str(port)
        )
        finished = subprocess.run(
            [sys.executable, "-m", "supportdesk", "start", "--no-demo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert finished.returncode != 0
    assert f"Cannot listen on 127.0.0.1:{port}" in finished.stderr
    assert not (tmp_path / "db.sqlite3").exists(), "nothing should be prepared for a server that cannot start"
