"""The server under test: the product started exactly as `make run` starts it.

The suite runs `supportdesk start --no-demo` (supportdesk/core/management/commands/start.py): it
compiles the translations, migrates, collects the static files, then runs gunicorn with
config/gunicorn.py (2 workers x 4 threads by default, WEB_CONCURRENCY and WEB_THREADS as in
production) and the huey task worker, and supervises them. Using the command itself, rather
than a gunicorn command line of our own, means the benchmark can never drift from what users
run. The mail receiver is switched off (MAIL_RECEIVER_ENABLED=0): it takes no part in any
scenario and its fixed port (2525) could be held by a desk already running on the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bench.stats import WorkerMemory

REPO = Path(__file__).resolve().parent.parent
READY_PATH = "/health/"


def product_env(*, data_dir: Path, database_url: str | None, port: int) -> dict[str, str]:
    """The environment of every product process the suite starts (server, seeding, probing)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SUPPORTDESK_DATA_DIR": str(data_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "MAIL_RECEIVER_ENABLED": "0",
        "PYTHONUNBUFFERED": "1",
        # A benchmark measures the product, not a debug build or a log flood.
        "DEBUG": "0",
        "ACCESS_LOG": "0",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@dataclass
class Server:
    """`supportdesk start` running in its own process group, its output in a log file."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    log: IO[bytes]

    @classmethod
    def start(cls, env: dict[str, str], port: int, log_path: Path, timeout: float = 900.0) -> Server:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("ab")
        command = [sys.executable, "-m", "supportdesk", "start", "--no-demo", "--port", str(port)]
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        server = cls(process, port, log_path, log)
        try:
            server._wait_until_ready(timeout)
        except BaseException:
            server.stop()
            raise
        return server

    @property
    def command(self) -> str:
        return " ".join(["supportdesk", "start", "--no-demo", "--port", str(self.port)])

    def _wait_until_ready(self, timeout: float) -> None:
        # Straight to our own server, whatever HTTP_PROXY says.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        url = f"http://127.0.0.1:{self.port}{READY_PATH}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server stopped (exit {self.process.returncode}); see {self.log_path}"
                )
            try:
                with opener.open(url, timeout=5) as response:
                    if response.status == 200 and len(self.worker_pids()) >= 1:
                        # Every worker up, not just the first that answered.
                        self._wait_for_workers(deadline)
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {self.log_path}")

    def _wait_for_workers(self, deadline: float) -> None:
        expected = int(os.environ.get("WEB_CONCURRENCY", "2"))
        while len(self.worker_pids()) < expected and time.monotonic() < deadline:
            time.sleep(0.1)

    # -- processes and memory -----------------------------------------------------------------
    def gunicorn_master(self) -> int | None:
        for pid in _children(self.process.pid):
            if "gunicorn" in _cmdline(pid):
                return pid
        return None

    def worker_pids(self) -> list[int]:
        master = self.gunicorn_master()
        return sorted(_children(master)) if master else []

    def memory(self) -> list[WorkerMemory]:
        found = []
        for pid in self.worker_pids():
            status = _status_kb(pid)
            if "VmRSS" in status:
                pss = _rollup_kb(pid).get("Pss")
                found.append(
                    WorkerMemory(
                        pid,
                        status["VmRSS"] / 1024,
                        status.get("VmHWM", status["VmRSS"]) / 1024,
                        None if pss is None else pss / 1024,
                    )
                )
        return found

    def stop(self) -> None:
        """What Ctrl-C does to `make run`: start.py stops its children in order and exits."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(x) for x in (task / "children").read_text().split()]
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _status_kb(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _sep, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                values[key] = int(rest.split()[0])
    return values


def _rollup_kb(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _sep, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                values[key] = int(rest.split()[0])
    return values


def reset_peaks(pids: list[int]) -> None:
    """Start the workers' peak RSS afresh (Linux: writing 5 to clear_refs resets VmHWM), so the
    peak reported is that of the measured run, not of start-up."""
    for pid in pids:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")
