"""Scale-out mode, for real: two web server processes and two task workers share one PostgreSQL
database and one Redis (DATABASE_URL and REDIS_URL, nothing else changes). A person signed in
through one web process is signed in on the other; work enqueued through either web process is
done exactly once by the workers (every assignment email sent once, none twice).

Needs the PostgreSQL server and Redis of the machine; CI requires them (REQUIRE_POSTGRES), a
developer without them sees the test skipped with the reason."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The SMTP capture server of the email channel's tests (the demo app may use every app).
from supportdesk.channels.email.tests.conftest import CapturedSmtp, smtp_capture  # noqa: F401
from supportdesk.conftest import drop_private_postgres_database, private_postgres_database

REPO = Path(__file__).resolve().parents[3]
PG_DATABASE = "sd_scale_out"
REDIS_DB = 15
TICKETS = 24
PASSWORD = "scale-out-password-1"

SETUP = f"""
from supportdesk.accounts.models import Group, User
from supportdesk.accounts.services import api_token_create
from supportdesk.channels.email.models import Mailbox
group = Group.objects.filter(is_default=True).first() or Group.objects.create(name="Support", is_default=True)
admin = User.objects.create_user("admin@scale.test", "{PASSWORD}", name="Admin", role="administrator")
agent = User.objects.create_user("agent@scale.test", "{PASSWORD}", name="Agent", role="agent")
agent.memberships.create(group=group)
Mailbox.objects.create(name="Support", email_address="support@scale.test", is_default=True, group=group)
_token, secret = api_token_create(user=admin, name="scale-out test")
print("RESULT", secret, agent.pk)
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES"):
        pytest.fail(f"scale-out test needs PostgreSQL and Redis: {reason}")
    pytest.skip(f"scale-out test needs PostgreSQL and Redis: {reason}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    try:
        url = private_postgres_database(PG_DATABASE)
    except ConnectionError as error:
        _unavailable(str(error))
    yield url
    drop_private_postgres_database(url)


@pytest.fixture
def redis_url() -> Iterator[str]:
    import redis

    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.flushdb()
    except redis.RedisError as error:
        _unavailable(f"Redis at {url}: {error}")
    yield url
    client.flushdb()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "supportdesk", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"supportdesk {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


class Cluster:
    """The product's processes, started the way a multi-machine installation starts them."""

    def __init__(self, env: dict[str, str], logs: Path):
        self.env, self.logs = env, logs
        self.processes: list[tuple[subprocess.Popen[bytes], signal.Signals]] = []
        self.ports: list[int] = []

    def _start(self, name: str, argv: list[str], stop: signal.Signals, **extra: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv, cwd=REPO, env={**self.env, **extra}, stdout=log, stderr=log, start_new_session=True
        )
        self.processes.append((process, stop))

    def start(self) -> None:
        for index in range(2):
            port = _free_port()
            self.ports.append(port)
            self._start(
                f"web{index}",
                [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn"],
                signal.SIGTERM,
                HOST="127.0.0.1",
                PORT=str(port),
                WEB_CONCURRENCY="1",
            )
            self._start(
                f"worker{index}",
                [sys.executable, "-m", "supportdesk", "run_huey"],
                signal.SIGINT,
                # One scheduler of periodic tasks per installation; every worker runs tasks.
                WORKER_PERIODIC="1" if index == 0 else "0",
            )
        for port in self.ports:
            self._wait_for(port)

    def _wait_for(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        pytest.fail(f"the web server on port {port} did not answer:\n{self.log_text()}")

    def check_alive(self) -> None:
        for process, _stop in self.processes:
            if process.poll() is not None:
                pytest.fail(
                    f"a process of the cluster stopped (exit {process.returncode}):\n{self.log_text()}"
                )

    def log_text(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.logs.glob("*.log")
        )

    def stop(self) -> None:
        for process, stop in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, stop)
        for process, _stop in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def cluster(postgres_url: str, redis_url: str, smtp_capture: CapturedSmtp, tmp_path: Path) -> Iterator[Any]:  # noqa: F811
    env = {k: v for k, v in os.environ.items() if k not in ("HUEY_IMMEDIATE", "DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SUPPORTDESK_DATA_DIR=str(tmp_path / "shared-data"),  # the shared attachment storage
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
        EMAIL_HOST=smtp_capture.host,
        EMAIL_PORT=str(smtp_capture.port),
        EMAIL_USE_TLS="0",
        MAIL_RECEIVER_ENABLED="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    _run(env, "migrate", "-v0")
    _run(env, "collectstatic", "--noinput", "-v0")
    secret, agent_id = _run(env, "shell", "-c", SETUP).split("RESULT", 1)[1].split()
    logs = tmp_path / "logs"
    logs.mkdir()
    running = Cluster(env, logs)
    try:
        running.start()
        yield running, secret, int(agent_id), smtp_capture
    finally:
        running.stop()


def _browser() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )
    return opener, jar


def _sign_in(opener: urllib.request.OpenerDirector, port: int) -> None:
    with opener.open(f"http://127.0.0.1:{port}/login/", timeout=10) as page:
        html = page.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert csrf, "the sign-in page has a CSRF token"
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf.group(1), "username": "agent@scale.test", "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/login/", data=form, headers={"Referer": f"http://127.0.0.1:{port}/login/"}
    )
    with opener.open(request, timeout=10) as answer:
        assert "/login/" not in answer.geturl(), "signed in"


def _create_ticket(port: int, secret: str, number: int, agent_id: int) -> int:
    body = json.dumps(
        {
            "subject": f"Scale-out request {number}",
            "body": "The printer is on fire.",
            "requester": {"email": f"customer{number}@scale.test", "name": f"Customer {number}"},
            "assignee_id": agent_id,
        }
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/tickets",
        data=body,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        assert answer.status == 201
        return int(json.loads(answer.read())["id"])


def test_two_web_processes_and_two_workers_share_the_work_and_do_it_once(cluster):
    running, secret, agent_id, smtp = cluster
    first, second = running.ports

    # Signed in through one web process, signed in on the other (sessions in the shared stores).
    opener, _jar = _browser()
    _sign_in(opener, first)
    with opener.open(f"http://127.0.0.1:{second}/desk/", timeout=10) as page:
        assert "/login/" not in page.geturl() and page.status == 200

    # Tickets opened through both web processes; each assignment email is a task on Redis.
    ids = [_create_ticket((first, second)[n % 2], secret, n, agent_id) for n in range(TICKETS)]
    assert len(set(ids)) == TICKETS

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(smtp.messages) < TICKETS:
        running.check_alive()
        time.sleep(0.25)
    time.sleep(3)  # anything sent twice would arrive now
    assert len(smtp.messages) == TICKETS, running.log_text()
    assert all(rcpt == ["agent@scale.test"] for _from, rcpt, _raw in smtp.messages)
    # One email per ticket, each ticket's number in its subject exactly once.
    numbers = Counter(
        int(match.group(1))
        for _from, _rcpt, raw in smtp.messages
        if (match := re.search(rb"\[#(\d+)\]", raw.split(b"\r\n\r\n", 1)[0]))
    )
    assert numbers == Counter(ids)
