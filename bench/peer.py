"""Side by side with django-helpdesk: run the peer harness on as many tickets, compare.

The harness lives in ../shared/bench/peers/django_helpdesk (its README says how it measures).
We run its own scripts, unchanged, with everything they write kept out of ../shared: the peer's
virtualenv and databases go to --peer-dir (PEER_DIR), its results and logs to our results
directory, and no byte-code is written beside its sources. Its steps are setup.sh (a virtualenv
with django-helpdesk from PyPI, once), seed.py (once per ticket count; the snapshot is kept)
and bench.py, with one repetition, without the e-mail phase (mail intake has its own benchmark,
bench/ingest.py) and bounded by the same request count and time per loop as our scenarios.

When the peer cannot run (no network for PyPI, a seed that fails at this size, a loop that
times out), the comparison says so and shows no numbers for it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.server import REPO
from bench.stats import Row, WorkerMemory, comparison_table, ms, times_faster

HARNESS = REPO.parent / "shared" / "bench" / "peers" / "django_helpdesk"
# The peer's searches rotate over its own terms; "password" is common in both data sets, so
# that term is compared with ours.
COMMON_TERM = "password"


def side_by_side(
    *,
    rows: list[Row],
    memory: list[WorkerMemory],
    tickets: int,
    peer_dir: Path,
    out_dir: Path,
    port: int,
    requests: int,
    seconds: float,
    say: Callable[[str], None],
) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    say(f"\nSide by side: django-helpdesk on {tickets:,} tickets (peer harness, PEER_DIR={peer_dir})…")
    try:
        results = _run_peer(tickets, peer_dir, out_dir, port, requests, seconds, say)
    except PeerFailed as failure:
        text = f"django-helpdesk could not be measured at {tickets:,} tickets: {failure}"
        say(text)
        return {"ran": False, "reason": str(failure), "table": text}
    table = compare(rows, memory, results)
    heading = (
        f"Side by side at {tickets:,} tickets: supportdesk vs django-helpdesk "
        f"(peer: {results['dataset']['tickets']:,} tickets, 1 repetition, its own client; p50 / p95 ms)"
    )
    say("\n" + heading + "\n\n" + table)
    return {"ran": True, "heading": heading, "table": heading + "\n\n" + table, "results": results}


class PeerFailed(Exception):
    pass


def _run_peer(
    tickets: int,
    peer_dir: Path,
    out_dir: Path,
    port: int,
    requests: int,
    seconds: float,
    say: Callable[[str], None],
) -> dict[str, Any]:
    if not (HARNESS / "bench.py").exists():
        raise PeerFailed(f"the harness is not at {HARNESS}")
    data_dir = peer_dir / f"data-{tickets}"
    env = {
        **os.environ,
        "PEER_DIR": str(peer_dir),
        "HDBENCH_DATA_DIR": str(data_dir),
        # Nothing written beside the harness's sources (../shared is not ours).
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    python = peer_dir / "venv" / "bin" / "python"
    snapshot = data_dir / "db.seed.sqlite3"
    if not python.exists() or not snapshot.exists():
        say("  setting up the peer (virtualenv from PyPI, migrations)…")
        _step(["bash", str(HARNESS / "setup.sh"), "--fresh-db"], env, out_dir / "setup.log", 1800)
    if not snapshot.exists():
        say(f"  seeding the peer with {tickets:,} tickets (its seed.py)…")
        _step(
            [
                str(python),
                str(HARNESS / "seed.py"),
                "--tickets",
                str(tickets),
                "--out",
                str(out_dir / "seed.json"),
            ],
            env,
            out_dir / "seed.log",
            7200,
        )
        shutil.copyfile(data_dir / "db.sqlite3", snapshot)
    say("  running the peer's bench.py…")
    _step(
        [
            str(python),
            str(HARNESS / "bench.py"),
            "--reps",
            "1",
            "--skip",
            "email",
            "--port",
            str(port),
            "--n-list",
            str(requests),
            "--n-detail",
            str(requests),
            "--n-search",
            str(requests),
            "--n-api",
            str(requests),
            # HTTP Basic costs a password hash per request (~200 ms); the session figure is the
            # peer's best, and the one compared.
            "--n-api-basic",
            "0",
            # supportdesk has no dashboards or reports yet; the peer still loads each once while
            # warming up.
            "--n-dashboard",
            "0",
            "--n-report",
            "0",
            "--max-loop-seconds",
            str(seconds),
            "--results-dir",
            str(out_dir),
        ],
        env,
        out_dir / "bench.log",
        # Its warm-up includes one dashboard and two reports, which take minutes at 10^6.
        3600 + 12 * seconds,
    )
    found = sorted(out_dir.glob("results-*.json"))
    if not found:
        raise PeerFailed(f"its bench.py wrote no results; see {out_dir / 'bench.log'}")
    return dict(json.loads(found[-1].read_text()))


def _step(command: list[str], env: dict[str, str], log: Path, timeout: float) -> None:
    try:
        with log.open("ab") as out:
            result = subprocess.run(
                command, env=env, cwd=HARNESS, stdout=out, stderr=out, timeout=timeout, check=False
            )
    except subprocess.TimeoutExpired:
        raise PeerFailed(
            f"`{Path(command[1]).name}` did not finish within {timeout:.0f} s; see {log}"
        ) from None
    if result.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        raise PeerFailed(f"`{Path(command[1]).name}` failed (exit {result.returncode}): {' / '.join(tail)}")


def compare(rows: list[Row], memory: list[WorkerMemory], peer: dict[str, Any]) -> str:
    """One line per operation both do: our figure, theirs, and how many times faster we are."""
    ours = {row.summary.name: row.summary for row in rows}
    theirs: dict[str, Any] = peer.get("median", {})
    lines: list[tuple[str, str, str, str]] = []

    def latency(operation: str, our_key: str, their_key: str) -> None:
        mine, other = ours.get(our_key), theirs.get(their_key) or {}
        if mine is None or not mine.n:
            return
        if not other.get("p50_ms"):
            lines.append((operation, _both(mine.p50, mine.p95), "not measured", "—"))
            return
        # The peer's loops are bounded by the same time: at 10^6 a few of its requests may be
        # all there is, which the reader should see.
        count = f" (n={other['n']:g})" if isinstance(other.get("n"), int | float) and other["n"] < 30 else ""
        lines.append(
            (
                operation,
                _both(mine.p50, mine.p95),
                _both(other["p50_ms"], other["p95_ms"]) + count,
                f"{times_faster(mine.p50, other['p50_ms'])} / {times_faster(mine.p95, other['p95_ms'])}",
            )
        )

    latency(
        "ticket list, first page (open tickets) ↔ list page + its DataTables request",
        "inbox-open",
        "list_total",
    )
    latency("ticket page ↔ ticket detail", "ticket", "detail")
    latency(
        f"search “{COMMON_TERM}”, all tickets ↔ header search (all statuses)",
        "search-en-common",
        f"header_search[{COMMON_TERM}]",
    )
    latency(
        f"search “{COMMON_TERM}”, all tickets ↔ list search box (open tickets only)",
        "search-en-common",
        f"search_box[{COMMON_TERM}]",
    )
    create, their_create = ours.get("api-create"), theirs.get("api_create_session") or {}
    if create is not None and create.rate:
        lines.append(
            (
                "API create ticket, req/s (token ↔ session + CSRF)",
                f"{create.rate:.1f}",
                f"{their_create['rps']:.1f}" if their_create.get("rps") else "not measured",
                times_faster(create.rate, their_create.get("rps"), higher_is_better=True),
            )
        )
    peaks = [
        value
        for value in (theirs.get("peak_rss_mb_list_detail_search"), theirs.get("peak_rss_mb_api"))
        if isinstance(value, int | float)
    ]
    if memory and peaks:
        our_peak = max(w.peak_mb for w in memory)
        lines.append(
            (
                "worker peak RSS MB (views and API; lower is better)",
                f"{our_peak:.1f}",
                f"{max(peaks):.1f}",
                times_faster(our_peak, max(peaks)),
            )
        )
    lines.append(("dashboards, reports", "not in supportdesk yet", "not compared", "—"))
    return comparison_table(lines)


def _both(p50: float | None, p95: float | None) -> str:
    return f"{ms(p50)} / {ms(p95)}"


if __name__ == "__main__":  # pragma: no cover - the suite calls side_by_side()
    sys.exit("run the suite with --side-by-side: python -m bench.suite --side-by-side")
