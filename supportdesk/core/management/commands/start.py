"""`supportdesk start`: run the whole product on this machine. This is what `make run` calls.

It prepares the database (migrations, static files, the demo desk on a first start), then starts
and watches the processes the product is made of:

- web: gunicorn serving config.wsgi (config/gunicorn.py reads HOST, PORT, WEB_CONCURRENCY, …);
- worker: the huey consumer (`supportdesk run_huey`), which also runs the periodic tasks
  (IMAP mailboxes are polled there);
- mail: the email channel's SMTP receiver (`supportdesk mail receive`), unless
  MAIL_RECEIVER_ENABLED is off.

Ctrl-C or SIGTERM stops them all cleanly. If one of them dies, the others are stopped too and
the command fails, so a half-running product never goes unnoticed. Production installations run
the same processes under a service manager instead (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

READY_PATH = "/login/"
POLL_SECONDS = 0.25
# How long stopping may take before the stragglers are killed.
STOP_TIMEOUT = 15.0


@dataclass
class Child:
    """One process of the product: how to start it and how to ask it to stop."""

    name: str
    description: str
    argv: list[str]
    # gunicorn finishes requests in flight on SIGTERM; huey finishes running tasks on SIGINT.
    stop_signal: signal.Signals
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def mail_receiver_address() -> tuple[str, int] | None:
    """Where the email channel's SMTP receiver listens, or None when it is not run."""
    email = getattr(settings, "SUPPORTDESK_EMAIL", None)
    if not apps.is_installed("supportdesk.channels.email") or not email or not email["RECEIVER_ENABLED"]:
        return None
    return str(email["RECEIVER_HOST"]), int(email["RECEIVER_PORT"])


def product_processes() -> list[Child]:
    """The processes `start` runs. Every command line starts with this interpreter, so the
    product runs from its virtualenv whatever PATH says."""
    python = sys.executable
    children = [
        Child(
            "web",
            "web server (gunicorn)",
            [python, "-m", "gunicorn", "--config", "python:config.gunicorn"],
            signal.SIGTERM,
        ),
        # --flush-locks: a task lock left by a worker that was killed mid-task would otherwise
        # block that task for good (huey's SQLite storage cannot expire locks).
        Child(
            "worker",
            "task worker (huey)",
            [python, "-m", "supportdesk", "run_huey", "--flush-locks"],
            signal.SIGINT,
        ),
    ]
    if mail_receiver_address() is not None:
        children.append(
            Child(
                "mail",
                "mail receiver (SMTP)",
                [python, "-m", "supportdesk", "mail", "receive"],
                signal.SIGTERM,
            )
        )
    return children


class Command(BaseCommand):
    help = (
        "Run supportdesk on this machine: prepare the database (and load the demo desk on a first "
        "start), then run the web server and the task worker until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default=os.environ.get("HOST", "127.0.0.1"), help="address to listen on"
        )
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000")), help="port to listen on"
        )
        parser.add_argument("--no-demo", action="store_true", help="never load the demo desk")
        parser.add_argument(
            "--demo-tickets",
            type=int,
            default=500,
            help="tickets in the demo desk loaded on a first start (default 500)",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=90.0,
            help="seconds to wait for the web server to answer (default 90)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        self._check_port_free(host, port)
        if (mail := mail_receiver_address()) is not None:
            self._check_port_free(*mail, hint="MAIL_RECEIVER_PORT=2526, or MAIL_RECEIVER_ENABLED=0")
        started = time.monotonic()
        # Until the children run, Ctrl-C simply interrupts (a migration or the demo load rolls back).
        self._prepare(options)
        # Children open their own connections; ours would only hold SQLite locks meanwhile.
        connections.close_all()
        self._stop_requested: str | None = None
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._request_stop)
        children = product_processes()
        try:
            self._spawn(children, host, port)
            status = self._wait_until_ready(children, host, port, options["wait"])
            if status is None:
                self._stop_and_exit(children, 0)
            else:
                self._banner(host, port, status, time.monotonic() - started)
                self._supervise(children)
        finally:
            # Whatever happened (an error in this process included), no child outlives the command.
            self._stop(children)

    # -- before the processes start -----------------------------------------------------------
    def _check_port_free(self, host: str, port: int, hint: str = "PORT=8001 (or --port 8001)") -> None:
        """Fail at once, before minutes of preparation, when the port is taken."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # gunicorn sets SO_REUSEADDR too, so a port in TIME_WAIT counts as free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                raise CommandError(
                    f"Cannot listen on {host}:{port} ({error.strerror}). Is supportdesk already running? "
                    f"Choose another port with {hint}."
                ) from None

    def _prepare(self, options: dict[str, Any]) -> None:
        self._say("Preparing the database and static files…")
        try:
            call_command("compile_translations", verbosity=0)
        except OSError as error:
            # A read-only installation ships its compiled catalogs; nothing to do then.
            self.stderr.write(f"Translations not compiled ({error}); the interface may show English only.")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"] and apps.is_installed("supportdesk.demo"):
            # Loads only into an empty desk (no tickets and no staff), so a real desk is never touched.
            call_command("demo", if_empty=True, tickets=options["demo_tickets"], stdout=self.stdout)

    # -- the processes --------------------------------------------------------------------------
    def _spawn(self, children: list[Child], host: str, port: int) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
            "HOST": host,
            "PORT": str(port),
            "PYTHONUNBUFFERED": "1",
        }
        for child in children:
            # Each child leads its own process group: a Ctrl-C in the terminal reaches only this
            # command, which then stops the children in order, and a whole group (gunicorn and its
            # workers) can be killed if it hangs.
            child.process = subprocess.Popen(child.argv, env=env, start_new_session=True)  # noqa: S603

    def _wait_until_ready(self, children: list[Child], host: str, port: int, timeout: float) -> int | None:
        """Poll the sign-in page until the web server answers; its HTTP status, or None when a
        stop was requested meanwhile. Fails when a child dies or the time runs out."""
        url = f"http://{self._local_address(host)}:{port}{READY_PATH}"
        request = urllib.request.Request(url, headers={"Host": self._host_header(port)})
        # Straight to our own server, whatever HTTP_PROXY says.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._stop_requested:
                return None
            self._check_children(children)
            try:
                with opener.open(request, timeout=5) as response:
                    return int(response.status)
            except urllib.error.HTTPError as error:
                return int(error.code)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(POLL_SECONDS)
        self._fail(children, f"The web server did not answer at {url} within {timeout:.0f} seconds.")
        return None  # not reached

    def _supervise(self, children: list[Child]) -> None:
        while not self._stop_requested:
            self._check_children(children)
            time.sleep(POLL_SECONDS)
        self._say(f"\nStopping ({self._stop_requested})…")
        self._stop_and_exit(children, 0)

    def _check_children(self, children: list[Child]) -> None:
        for child in children:
            if child.process is not None and child.process.poll() is not None:
                self._fail(
                    children,
                    f"The {child.description} stopped unexpectedly (exit code {child.process.returncode}); "
                    "stopping the others. See its messages above.",
                )

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        self._stop_requested = signal.Signals(signum).name

    def _stop(self, children: list[Child]) -> None:
        """Ask every running child to stop, wait, then kill whatever is left of their groups."""
        for child in children:
            if child.running:
                assert child.process is not None
                _signal_quietly(child.process.pid, child.stop_signal)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {child.description} did not stop in time; killing it.")
        for child in children:
            if child.process is not None:
                # Also catches grandchildren left behind (gunicorn workers of a dead master).
                _signal_quietly(child.process.pid, signal.SIGKILL, group=True)
                child.process.wait()

    def _stop_and_exit(self, children: list[Child], code: int) -> None:
        self._stop(children)
        if code == 0:
            self._say("Stopped.")
        sys.exit(code)

    def _fail(self, children: list[Child], message: str) -> None:
        self.stderr.write(message)
        self._stop(children)
        sys.exit(1)

    # -- output ---------------------------------------------------------------------------------
    def _banner(self, host: str, port: int, status: int, seconds: float) -> None:
        base = f"http://{self._local_address(host)}:{port}"
        workers, threads = os.environ.get("WEB_CONCURRENCY", "2"), os.environ.get("WEB_THREADS", "4")
        web = f"gunicorn, {workers} workers x {threads} threads"
        lines = [
            "",
            "─" * 72,
            f"  supportdesk is running at {base}/   (ready in {seconds:.0f} s)",
            f"    agents sign in at {base}/login/ and work in {base}/desk/",
            f"    customers use the portal at {base}/",
            f"    web: {web}; worker: huey consumer (periodic tasks included)",
        ]
        if (mail := mail_receiver_address()) is not None:
            lines.append(f"    mail: SMTP receiver on {mail[0]}:{mail[1]}")
        if host in ("0.0.0.0", "::"):  # noqa: S104 - we only describe the address
            lines.append("    listening on every network interface of this machine")
        if status != 200:
            lines.append(f"  Warning: {READY_PATH} answered HTTP {status}; see the messages above.")
        if apps.is_installed("supportdesk.demo"):
            logins = io.StringIO()
            call_command("demo", logins=True, stdout=logins)
            connections.close_all()
            if logins.getvalue().strip():
                lines += ["", *("  " + line for line in logins.getvalue().rstrip().splitlines())]
        lines += ["", "  Press Ctrl-C to stop.", "─" * 72, ""]
        self._say("\n".join(lines))

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    @staticmethod
    def _local_address(host: str) -> str:
        """Where this machine reaches the server: a wildcard address means "here"."""
        if host in ("", "0.0.0.0"):  # noqa: S104
            return "127.0.0.1"
        if host == "::":
            return "[::1]"
        return f"[{host}]" if ":" in host else host

    @staticmethod
    def _host_header(port: int) -> str:
        """A Host header the site accepts, so the probe is not refused by ALLOWED_HOSTS."""
        for allowed in settings.ALLOWED_HOSTS:
            if allowed and allowed != "*" and not allowed.startswith("."):
                return f"{allowed}:{port}" if ":" not in allowed else f"[{allowed}]:{port}"
        return f"127.0.0.1:{port}"


def _signal_quietly(pid: int, signum: signal.Signals, *, group: bool = False) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        if group:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
