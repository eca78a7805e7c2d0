"""Instructions per request: a page's cost that the machine's noise does not move.

On a shared two-core machine the same page's p50 moves by 20 % from one run to the next, more
than most changes make. Counting the instructions the interpreter runs for a request does not
move: valgrind's callgrind counts them, the same for the same code and data. This runs the page
in process (Django's test client, signed in as the bench data set's administrator), warms it up
with instrumentation off, then counts `--requests` requests and prints the count per request.

    .venv/bin/python -m bench.instructions --data-dir /tmp/bench-copy /desk/tickets/1/ /desk/views/open/

Needs Debian's valgrind. Each page takes ~30 s (valgrind runs Python ~50 times slower). Compare
two versions of the code on one data set; counts include the test client's own work (~1.3 M
instructions for a bare JSON view).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.server import REPO

ADMIN = ("bench-admin@bench.example", "bench-password-2026")
WARMUP = 15


def instructions_in(callgrind_out: str) -> int:
    """The total instruction count of a callgrind output file."""
    for line in callgrind_out.splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise ValueError("no totals in the callgrind output")


def measure(data_dir: Path, path: str, requests: int) -> float:
    """Millions of instructions per request for `path`."""
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
        child = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
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
    for _ in range(WARMUP):
        status = client.get(path).status_code
    if status != 200:
        raise SystemExit(f"{path} answered HTTP {status}")
    ready.write_text("1")
    while ready.exists():
        time.sleep(0.05)
    for _ in range(requests):
        client.get(path)
    sys.stdout.flush()
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", help="pages to measure, e.g. /desk/tickets/1/")
    parser.add_argument("--data-dir", type=Path, required=True, help="a seeded data directory (a copy)")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.data_dir, args.paths[0], args.requests)
        return
    for path in args.paths:
        print(
            f"{path}: {measure(args.data_dir, path, args.requests):.2f} M instructions per request",
            flush=True,
        )


if __name__ == "__main__":
    main()
