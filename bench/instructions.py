"""Instructions per request: a page's cost that the machine's noise does not move.

On a shared two-core machine the same page's p50 moves by 20 % from one run to the next, more
than most changes make. Counting the instructions the interpreter runs for a request does not
move: valgrind's callgrind counts them, the same for the same code and data. This runs the page
in process (Django's test client, signed in as the bench data set's administrator), warms it up
with instrumentation off, then counts `--requests` requests and prints the count per request.

    .venv/bin/python -m bench.instructions --data-dir /tmp/bench-copy /desk/tickets/1/ /desk/views/open/

`api-create` in place of a path counts the benchmark's API ticket creation instead (POST
/api/v1/tickets with a personal token, the benchmark suite's requests: a new ticket each time,
every fifth from a new customer).

Needs Debian's valgrind. Each page takes ~30 s (valgrind runs Python ~50 times slower). Compare
two versions of the code on one data set; counts include the test client's own work (~1.3 M
instructions for a bare JSON view).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.server import REPO

ADMIN = ("bench-admin@bench.example", "bench-password-2026")
WARMUP = 15
API_CREATE = "api-create"


def instructions_in(callgrind_out: str) -> int:
    """The total instruction count of a callgrind output file."""
    for line in callgrind_out.splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise ValueError("no totals in the callgrind output")


def measure(data_dir: Path, path: str, requests: int, keep: Path | None = None) -> float:
    """Millions of instructions per request for `path`; with `keep`, callgrind's output is
    kept there (for callgrind_annotate) as callgrind.<path as a name>."""
    with tempfile.TemporaryDirectory() as work:
        ready = Path(work) / "ready"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={work}/out.%p",
            sys.executable,
            "-m",
            "bench.instructions",
            "--child",
            str(ready),
            "--data-dir",
            str(data_dir),
            "--requests",
            str(requests),
            path,
        ]
        # A fixed hash seed: with a random one each process lays out its dicts and sets its own
        # way, and the same page's count moved by up to 4 % between runs.
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        child = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        while not ready.exists():
            if child.poll() is not None:
                raise RuntimeError(
                    f"the page could not be run: {child.stderr.read()[-2000:] if child.stderr else ''}"
                )
            time.sleep(0.2)
        subprocess.run(["callgrind_control", "-i", "on", str(child.pid)], check=True, capture_output=True)
        ready.unlink()
        child.wait()
        [out] = Path(work).glob("out.*")
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(out, keep / f"callgrind.{path.strip('/').replace('/', '_') or 'root'}")
        return instructions_in(out.read_text()) / requests / 1e6


def _child(ready: Path, data_dir: Path, path: str, requests: int) -> None:
    """Inside valgrind: sign in, warm up, say so, wait for the counting to start, run, leave
    without the interpreter's shutdown (which would be counted)."""
    os.environ["SUPPORTDESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if not client.login(username=ADMIN[0], password=ADMIN[1]):
        raise SystemExit("sign-in failed: is this a `supportdesk bench seed` data set?")
    send = _api_create(client) if path == API_CREATE else lambda _i: client.get(path)
    for i in range(WARMUP):
        response = send(i)
    if response.status_code not in (200, 201):
        raise SystemExit(f"{path} answered HTTP {response.status_code}")
    ready.write_text("1")
    while ready.exists():
        time.sleep(0.05)
    for i in range(WARMUP, WARMUP + requests):
        send(i)
    sys.stdout.flush()
    os._exit(0)


def _api_create(session: Any) -> Callable[[int], Any]:
    """The benchmark suite's API creation requests, sent with a personal token made through
    the API with the signed-in session (as the suite makes its own)."""
    from django.test import Client

    from bench.dataset import API_REQUESTERS
    from bench.scenarios import api_create_requests
    from supportdesk.customers.models import CustomerEmail

    made = session.post(
        "/api/v1/me/tokens",
        {"name": "instruction count", "expires_at": "2099-01-01T00:00:00Z"},
        content_type="application/json",
    )
    if made.status_code != 201:
        raise SystemExit(f"making an API token answered HTTP {made.status_code}")
    client = Client(HTTP_HOST="127.0.0.1")
    emails = list(CustomerEmail.objects.order_by("id").values_list("email", flat=True)[:API_REQUESTERS])
    make = api_create_requests(made.json()["token"], emails)

    def send(i: int) -> Any:
        request = make(i)
        return client.generic(
            request.method,
            request.path,
            request.body,
            content_type=request.headers["Content-Type"],
            headers={"Authorization": request.headers["Authorization"]},
        )

    return send


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", help="pages to measure, e.g. /desk/tickets/1/")
    parser.add_argument("--data-dir", type=Path, required=True, help="a seeded data directory (a copy)")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="keep callgrind's output files in this directory")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.data_dir, args.paths[0], args.requests)
        return
    for path in args.paths:
        print(
            f"{path}: {measure(args.data_dir, path, args.requests, args.keep):.2f} M instructions per request",
            flush=True,
        )


if __name__ == "__main__":
    main()
