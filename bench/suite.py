"""supportdesk's benchmark suite (`make bench`): the real server, a seeded data set, one client.

    python -m bench.suite [--data-dir DIR | --database-url URL] [--tickets N] [--requests 300]
                          [--seconds 30] [--port 8123] [--only inbox-open,ticket,...]
                          [--cold] [--side-by-side] [--results-dir bench/results]

It starts the product as `make run` does (`supportdesk start`, see bench/server.py) on the data
set, signs in through the sign-in form (session and CSRF cookies for the desk's pages) and
creates an API token through the API (for the API scenarios), then runs each scenario from this
process: one client, one kept-alive connection, a few untimed warm-up requests, then at most
--requests timed ones or --seconds of them, whichever ends first. It prints one table (p50, p95,
p99, requests/s, errors, the ratio to the reference scenario, the issue's target for the data
set's size and pass/fail) and the gunicorn workers' memory, and writes everything as JSON (and
the tables as Markdown) to --results-dir.

Data: --data-dir is a SQLite data directory (SUPPORTDESK_DATA_DIR), --database-url a PostgreSQL
database. Given --tickets N, an empty one is first filled with `supportdesk bench seed`; with
neither, a data set of N (default 100,000) tickets is built once in the temporary directory
and reused. The write scenarios add tickets, replies and sessions: run them on a copy of a data
set you want to keep as it is. Before the server starts the database is read once (its file on
SQLite, every table and index through pg_prewarm on PostgreSQL) so that the run measures a
warmed-up server, not what the machine's page cache happened to keep; --cold skips that.

--side-by-side then runs the django-helpdesk peer harness (../shared/bench/peers/django_helpdesk)
on the same number of tickets and prints both, operation by operation (bench/peer.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file (python bench/suite.py): make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peer, scenarios
from bench.load import Client, absolute_path, measure, next_link
from bench.server import REPO, Server, product_env, reset_peaks
from bench.stats import (
    RSS_LIMIT_MB,
    TARGETS,
    Row,
    Summary,
    WorkerMemory,
    memory_table,
    results_table,
    size_label,
)

ADMIN_EMAIL = "bench-admin@bench.example"
DEFAULT_PASSWORD = "bench-password-2026"  # noqa: S105 - the bench data set's public password
DEFAULT_TICKETS = 100_000
WARMUP = 5


@dataclass
class DataSet:
    env: dict[str, str]
    description: str
    facts: dict[str, Any]
    scratch_dir: Path | None = None  # made for this run only: removed at the end


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.suite",
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data-dir", type=Path, help="a SQLite data directory (SUPPORTDESK_DATA_DIR)")
    where.add_argument(
        "--database-url", help="a PostgreSQL database, e.g. postgres://postgres@127.0.0.1/bench"
    )
    parser.add_argument(
        "--tickets",
        type=int,
        help="seed this many tickets first when the database is empty "
        f"(default without --data-dir/--database-url: {DEFAULT_TICKETS:,}, built once in the temp dir)",
    )
    parser.add_argument("--requests", type=int, default=300, help="timed requests per scenario (default 300)")
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="at most this long per scenario (default 30)"
    )
    parser.add_argument("--port", type=int, default=8123, help="port of the server under test (default 8123)")
    parser.add_argument("--only", default="", help="comma-separated scenario keys (see --list)")
    parser.add_argument("--list", action="store_true", help="list the scenario keys and exit")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of the bench accounts")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="do not read the database once before timing (by default it is, so that the run measures a "
        "warmed-up server rather than what the machine's page cache happened to keep)",
    )
    parser.add_argument("--side-by-side", action="store_true", help="also run the django-helpdesk peer")
    parser.add_argument(
        "--peer-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "supportdesk-peer-django-helpdesk",
        help="where the peer's virtualenv and data go (PEER_DIR; default in the temp dir)",
    )
    parser.add_argument("--results-dir", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.seconds <= 0:
        parser.error("--requests and --seconds must be positive")
    if args.data_dir is None and args.database_url is None and args.tickets is None:
        args.tickets = DEFAULT_TICKETS
    return args


def say(text: str = "") -> None:
    print(text, flush=True)


# -- the data set -------------------------------------------------------------------------------
def prepare_data(args: argparse.Namespace, log_dir: Path) -> DataSet:
    scratch = None
    if args.database_url:
        # PostgreSQL keeps the rows; the data directory only holds static files, the secret key
        # and the task queue, so a scratch one per run is right.
        data_dir = scratch = Path(tempfile.mkdtemp(prefix="supportdesk-bench-pg-"))
        description = f"PostgreSQL {_redact(args.database_url)}"
    elif args.data_dir:
        data_dir = args.data_dir.resolve()
        description = f"SQLite data directory {data_dir}"
    else:
        data_dir = Path(tempfile.gettempdir()) / f"supportdesk-bench-{args.tickets}"
        description = f"SQLite data directory {data_dir} (built by the suite)"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = product_env(data_dir=data_dir, database_url=args.database_url, port=args.port)
    say(f"Data: {description}")
    _manage(env, ["migrate", "-v0"], log_dir / "migrate.log")
    facts = read_facts(env)
    if facts["tickets"] == 0:
        if not args.tickets:
            raise SystemExit("The database holds no tickets: give --tickets N to seed it first.")
        say(f"Seeding {args.tickets:,} tickets (supportdesk bench seed)…")
        started = time.monotonic()
        _manage(
            env,
            ["bench", "seed", "--tickets", str(args.tickets), "--password", args.password],
            log_dir / "seed.log",
        )
        say(f"  seeded in {time.monotonic() - started:.0f} s")
        facts = read_facts(env)
    elif args.tickets and facts["tickets"] != args.tickets and not (args.data_dir or args.database_url):
        say(
            f"  (the data set holds {facts['tickets']:,} tickets, not {args.tickets:,}: delete {data_dir} to rebuild)"
        )
    return DataSet(env, description, facts, scratch)


def _dataset(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    """`python -m bench.dataset` in the product's environment (its own process: this one never
    loads Django)."""
    return subprocess.run(
        [sys.executable, "-m", "bench.dataset", *arguments],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def warm_caches(env: dict[str, str]) -> str:
    """Read the data set once before the server starts (bench/dataset.py warm_caches)."""
    result = _dataset(env, "--warm")
    if result.returncode != 0:
        return f"not warmed ({result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'failed'})"
    return result.stdout.strip()


def read_facts(env: dict[str, str]) -> dict[str, Any]:
    result = _dataset(env)
    if result.returncode != 0:
        raise SystemExit(f"Reading the data set failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout))


def _manage(env: dict[str, str], command: list[str], log: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run(
            [sys.executable, "-m", "supportdesk", *command],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=out,
            check=False,
        )
    if result.returncode != 0:
        raise SystemExit(f"`supportdesk {' '.join(command)}` failed; see {log}")


def _redact(url: str) -> str:
    """A database URL without its password, for the output."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


def _check_port(port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(f"Port {port} is taken; choose another with --port.") from None


# -- the run ------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = args.results_dir.resolve()
    log_dir = out_dir / f"logs-{stamp}"
    log_dir.mkdir(parents=True, exist_ok=True)
    _check_port(args.port)
    data = prepare_data(args, log_dir)
    facts = data.facts
    tickets = int(facts["tickets"])
    say(f"  {tickets:,} tickets, {facts['messages']:,} messages ({facts['engine']})")
    say(f"  planner statistics: {facts.get('planner_statistics', 'unknown')}")
    wanted = {key.strip() for key in args.only.split(",") if key.strip()}
    caches = "cold (--cold)" if args.cold else warm_caches(data.env)
    say(f"  caches: {caches}")

    load_before = os.getloadavg()
    say(f"Starting the server as `make run` does (supportdesk start, port {args.port})…")
    started = time.monotonic()
    server = Server.start(data.env, args.port, log_dir / "server.log")
    say(f"  ready in {time.monotonic() - started:.0f} s; gunicorn workers {server.worker_pids()}")
    rows: list[Row] = []
    reference: Summary | None = None
    memory_after_start: list[WorkerMemory] = []
    memory: list[WorkerMemory] = []
    try:
        clients = _clients(args, facts)
        token = clients["admin"].create_api_token(
            "benchmark suite", (datetime.now(tz=UTC) + timedelta(days=1)).isoformat()
        )
        todo = scenarios.build(facts, token, clients["admin"].csrf_token)
        unknown = wanted - {s.key for s in todo}
        if unknown:
            raise SystemExit(f"Unknown scenario(s): {', '.join(sorted(unknown))} (see --list)")
        # Everything below is measured; the peak RSS counted is the measured run's.
        memory_after_start = server.memory()
        reset_peaks(server.worker_pids())
        for scenario in todo:
            if wanted and scenario.key not in wanted and scenario.key != "reference":
                continue
            row = _run_scenario(scenario, clients, args)
            # Which scenario makes the workers grow: their largest RSS and peak after each.
            after = server.memory()
            row.extra["worker_rss_mb_after"] = round(max((w.rss_mb for w in after), default=0), 1)
            row.extra["worker_peak_mb_after"] = round(max((w.peak_mb for w in after), default=0), 1)
            rows.append(row)
            if scenario.key == "reference":
                reference = row.summary
            s = row.summary
            say(
                f"  {scenario.key:<22} n={s.n:<4} p50={_fmt(s.p50)} p95={_fmt(s.p95)} ms"
                f"  errors={s.errors}  workers' RSS ≤{row.extra['worker_rss_mb_after']:.0f} MB"
                f"{'  ' + s.note if s.note else ''}"
            )
        memory = server.memory()
    finally:
        server.stop()
        if data.scratch_dir is not None:
            shutil.rmtree(data.scratch_dir, ignore_errors=True)

    table = results_table(rows, reference, tickets)
    reference_line = (
        f"Reference (GET /health/, signed out): p50 {_fmt(reference.p50)} ms, p95 {_fmt(reference.p95)} ms, "
        f"{reference.rate or 0:.0f} req/s."
        if reference and reference.n
        else "Reference: not measured."
    )
    machine = machine_info(facts)
    # The machine is shared: the load around the run says how much the numbers may be disturbed.
    machine["load_average_before"] = [round(x, 2) for x in load_before]
    machine["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    machine["caches"] = caches
    header = (
        f"supportdesk benchmark, {machine['date_utc']}: {tickets:,} tickets, {facts['messages']:,} messages, "
        f"{facts['engine']}; targets for {size_label(tickets)} tickets; "
        f"{machine['cores']} cores, Python {machine['python']}; load average before/after "
        f"{machine['load_average_before'][0]:.2f}/{machine['load_average_after'][0]:.2f}; "
        f"planner statistics: {facts.get('planner_statistics', 'unknown')}; caches: {caches}"
    )
    memory_text = memory_table(memory) if memory else "Workers' memory: not read."
    say("")
    say(header)
    say("")
    say(table)
    say("")
    say(reference_line)
    say("")
    say(memory_text)
    say(
        f"(RSS right after start-up: {', '.join(f'{w.rss_mb:.1f}' for w in memory_after_start)} MB; "
        f"peak = VmHWM since the measured run began; target ≤ {RSS_LIMIT_MB:g} MB per worker)"
    )
    result: dict[str, Any] = {
        "suite": "supportdesk bench/suite.py",
        "command": "python -m bench.suite " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "machine": machine,
        "data": {
            "description": data.description,
            **{k: v for k, v in facts.items() if k != "requester_emails"},
        },
        "server": {
            "command": server.command,
            "processes": "gunicorn (config/gunicorn.py) + huey worker; mail receiver off",
            "web_concurrency": int(os.environ.get("WEB_CONCURRENCY", "2")),
            "web_threads": int(os.environ.get("WEB_THREADS", "4")),
            "log": str(log_dir / "server.log"),
        },
        "client": {
            "requests_per_scenario": args.requests,
            "seconds_per_scenario": args.seconds,
            "warmup": WARMUP,
            "connections": 1,
        },
        "size_class": size_label(tickets),
        "reference": reference.as_dict() if reference else None,
        "scenarios": [_row_dict(r, reference, tickets) for r in rows],
        "memory": {
            "after_start": [w.__dict__ for w in memory_after_start],
            "after_run": [w.__dict__ for w in memory],
            "limit_mb": RSS_LIMIT_MB,
        },
        "tables": {"results": table, "memory": memory_text},
    }
    if args.side_by_side:
        result["peer"] = peer.side_by_side(
            rows=rows,
            memory=memory,
            tickets=tickets,
            peer_dir=args.peer_dir.resolve(),
            out_dir=out_dir / f"peer-{stamp}",
            port=args.port + 1,
            requests=args.requests,
            seconds=args.seconds,
            say=say,
        )
    label = f"{stamp}-{tickets}-{facts['vendor']}"
    json_path = out_dir / f"bench-{label}.json"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    markdown = [header, "", table, "", reference_line, "", memory_text]
    if "peer" in result:
        markdown += ["", result["peer"]["table"]]
    (out_dir / f"bench-{label}.md").write_text("\n".join(markdown) + "\n")
    say(f"\nResults: {json_path} (and .md); server log: {log_dir / 'server.log'}")
    return result


def _clients(args: argparse.Namespace, facts: dict[str, Any]) -> dict[str, Client]:
    anonymous = Client("127.0.0.1", args.port)
    admin = Client("127.0.0.1", args.port)
    admin.sign_in(ADMIN_EMAIL, args.password)
    clients = {"anonymous": anonymous, "admin": admin, "token": Client("127.0.0.1", args.port)}
    if facts.get("agent_email"):
        agent = Client("127.0.0.1", args.port)
        agent.sign_in(facts["agent_email"], args.password)
        clients["agent"] = agent
    return clients


def _run_scenario(scenario: scenarios.Scenario, clients: dict[str, Client], args: argparse.Namespace) -> Row:
    client = clients[scenario.client]
    request = scenario.request
    note = scenario.note
    if scenario.deep_from is not None:
        path, pages = _follow_next(client, scenario.deep_from, scenarios.DEEP_PAGES)
        if pages < scenarios.DEEP_PAGES:
            note = f"the view has only {pages + 1} pages: timing the last one"
        request = scenarios.get(path)

    def forget_flash(response: Any) -> None:
        # A browser shows the "reply sent" notice on the next page and the cookie goes; this
        # client never loads that page, so it drops the notice rather than carry it along.
        client.cookies.pop("messages", None)

    summary = measure(
        client,
        scenario.title,
        request,
        requests=args.requests,
        seconds=args.seconds,
        warmup=min(WARMUP, args.requests),
        after=forget_flash if scenario.key == "reply" else None,
    )
    summary.name = scenario.key
    summary.note = note
    return Row(scenario.title, summary, TARGETS.get(scenario.target) if scenario.target else None)


def _follow_next(client: Client, start: str, pages: int) -> tuple[str, int]:
    """Follow the inbox's "Next page" link `pages` times (fewer when the list ends): the path of
    the page reached and how many links were followed."""
    path = start
    for followed in range(pages):
        response = client.get(path)
        if response.status != 200:
            raise RuntimeError(f"{path} answered HTTP {response.status}")
        link = next_link(response.text)
        if link is None:
            return path, followed
        path = absolute_path(path, link)
    return path, pages


def _row_dict(row: Row, reference: Summary | None, tickets: int) -> dict[str, Any]:
    data = row.summary.as_dict()
    data["title"] = row.scenario
    data.update(row.extra)
    ref = reference.p50 if reference else None
    data["p50_over_reference"] = round(row.summary.p50 / ref, 2) if ref and row.summary.p50 else None
    if row.target:
        data["target"] = row.target.describe(tickets)
        data["pass"] = row.target.met_by(row.summary, tickets)
    return data


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def machine_info(facts: dict[str, Any]) -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.strip()
    packages: dict[str, str | None] = {}
    for name in ("Django", "gunicorn", "django-ninja", "psycopg"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "date_utc": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_gib, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "database": facts["engine"],
        "packages": packages,
        "commit": commit + ("+uncommitted changes" if dirty else ""),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.list:
        facts = {"agent_email": "agent@x", "agent_open_assigned": 0, "group_id": 1, "detail_ticket": 1}
        facts |= {"detail_messages": 10, "reply_tickets": [1]}
        for scenario in scenarios.build(facts, None, lambda: ""):
            print(f"{scenario.key:<22} {scenario.title}")
        return
    run(args)


if __name__ == "__main__":
    main()
