"""The suite's arithmetic and its report: percentiles, summaries, the issue's targets, tables.

Pure functions only (no I/O, no Django), so they are tested quickly beside the suite
(test_suite_pure.py) and the numbers the suite prints are the numbers the tests check.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The p-th percentile (0 to 100) of already sorted values, interpolating linearly between
    the two nearest ranks: with few samples a high percentile is not stuck on the maximum."""
    if not sorted_values:
        raise ValueError("no values")
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    position = (len(sorted_values) - 1) * p / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    weight = position - lower
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * weight


@dataclass
class Summary:
    """One scenario's timed run: latencies of the successful requests and the failures."""

    name: str
    latencies_ms: list[float]
    errors: int
    wall_seconds: float
    note: str = ""
    first_error: str = ""

    @property
    def n(self) -> int:
        return len(self.latencies_ms)

    def _sorted(self) -> list[float]:
        return sorted(self.latencies_ms)

    def p(self, value: float) -> float | None:
        return percentile(self._sorted(), value) if self.latencies_ms else None

    @property
    def p50(self) -> float | None:
        return self.p(50)

    @property
    def p95(self) -> float | None:
        return self.p(95)

    @property
    def p99(self) -> float | None:
        return self.p(99)

    @property
    def rate(self) -> float | None:
        """Successful requests per second of the timed loop (one client, so about 1/mean)."""
        return self.n / self.wall_seconds if self.wall_seconds > 0 and self.n else None

    def as_dict(self) -> dict[str, Any]:
        values = self._sorted()
        return {
            "name": self.name,
            "n": self.n,
            "errors": self.errors,
            "wall_s": round(self.wall_seconds, 3),
            "req_per_s": _round(self.rate),
            "p50_ms": _round(self.p50),
            "p95_ms": _round(self.p95),
            "p99_ms": _round(self.p99),
            "mean_ms": _round(sum(values) / len(values)) if values else None,
            "min_ms": _round(values[0]) if values else None,
            "max_ms": _round(values[-1]) if values else None,
            "note": self.note,
            "first_error": self.first_error,
            "samples_ms": [round(v, 3) for v in self.latencies_ms],
        }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# -- targets ------------------------------------------------------------------------------------
# The targets for this 2-core machine and one client, per data-set size. A data set is
# judged by the nearer size on a log scale (10^5.5 ≈ 316,000 tickets is the boundary); smaller
# sets than 10^5 are held to the 10^5 targets, which are the stricter ones.
SIZE_BOUNDARY = 316_228


@dataclass(frozen=True)
class Target:
    """A limit on one statistic: p95 latency at most `limit` ms, or a rate at least `limit`/s."""

    kind: str  # "inbox", "ticket", "search", "api_create"
    statistic: str  # "p95" or "rate"
    limits: tuple[float, float]  # at 10^5 tickets, at 10^6 tickets

    def limit_for(self, tickets: int) -> float:
        return self.limits[0] if tickets < SIZE_BOUNDARY else self.limits[1]

    def describe(self, tickets: int) -> str:
        limit = self.limit_for(tickets)
        if self.statistic == "rate":
            return f"≥ {limit:g} req/s"
        return f"p95 ≤ {limit:g} ms"

    def met_by(self, summary: Summary, tickets: int) -> bool | None:
        """True or False; None when there is nothing to judge (no successful request)."""
        limit = self.limit_for(tickets)
        if self.statistic == "rate":
            rate = summary.rate
            return None if rate is None else rate >= limit and summary.errors == 0
        p95 = summary.p95
        return None if p95 is None else p95 <= limit and summary.errors == 0


TARGETS: dict[str, Target] = {
    "inbox": Target("inbox", "p95", (10.0, 50.0)),
    "ticket": Target("ticket", "p95", (10.0, 30.0)),
    "search": Target("search", "p95", (20.0, 100.0)),
    "api_create": Target("api_create", "rate", (200.0, 200.0)),
}
RSS_LIMIT_MB = 150.0


def size_label(tickets: int) -> str:
    return "10^5" if tickets < SIZE_BOUNDARY else "10^6"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("pass" if ok else "FAIL")


# -- tables -------------------------------------------------------------------------------------
@dataclass
class Row:
    """One line of the results table, ready to print."""

    scenario: str
    summary: Summary
    target: Target | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def ratio_text(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return "—"
    return f"{value / reference:.1f}×"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table whose columns line up in a terminal too."""
    body = [list(map(str, row)) for row in rows]
    widths = [len(h) for h in headers]
    for row in body:
        if len(row) != len(headers):
            raise ValueError("every row needs one cell per header")
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), separator, *(line(row) for row in body)])


RESULT_HEADERS = (
    "scenario",
    "n",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "req/s",
    "errors",
    "p50 ÷ ref",
    "target",
    "result",
)


def results_table(rows: Sequence[Row], reference: Summary | None, tickets: int) -> str:
    """The suite's main table: one line per scenario, with its ratio to the reference's p50
    and its verdict against the target for this data-set size."""
    reference_p50 = reference.p50 if reference is not None else None
    lines = []
    for row in rows:
        s = row.summary
        target = row.target
        lines.append(
            [
                row.scenario,
                str(s.n),
                ms(s.p50),
                ms(s.p95),
                ms(s.p99),
                "—" if s.rate is None else f"{s.rate:.1f}",
                str(s.errors),
                ratio_text(s.p50, reference_p50),
                target.describe(tickets) if target else "—",
                verdict(target.met_by(s, tickets)) if target else "—",
            ]
        )
    return markdown_table(RESULT_HEADERS, lines)


@dataclass(frozen=True)
class WorkerMemory:
    pid: int
    rss_mb: float
    peak_mb: float  # VmHWM: the most the worker held since the measured run began
    # Proportional set size: pages shared with the master and the other worker (gunicorn
    # preloads the app, then forks) counted by share. What the machine really spends on it.
    pss_mb: float | None = None


def memory_table(workers: Sequence[WorkerMemory]) -> str:
    rows = [
        [
            str(w.pid),
            f"{w.rss_mb:.1f}",
            f"{w.peak_mb:.1f}",
            "—" if w.pss_mb is None else f"{w.pss_mb:.1f}",
            f"peak ≤ {RSS_LIMIT_MB:g} MB",
            verdict(w.peak_mb <= RSS_LIMIT_MB),
        ]
        for w in workers
    ]
    return markdown_table(
        ("gunicorn worker pid", "RSS MB", "peak RSS MB", "PSS MB", "target", "result"), rows
    )


def comparison_table(lines: Sequence[tuple[str, str, str, str]]) -> str:
    """Side by side with the peer: operation, ours, theirs, how many times faster we are."""
    return markdown_table(("operation", "supportdesk", "django-helpdesk", "peer ÷ supportdesk"), lines)


def times_faster(ours: float | None, theirs: float | None, *, higher_is_better: bool = False) -> str:
    """How many times better our figure is than the peer's (latencies: theirs ÷ ours; rates:
    ours ÷ theirs). Below 1 means the peer is better."""
    if ours is None or theirs is None or ours <= 0 or theirs <= 0:
        return "—"
    value = ours / theirs if higher_is_better else theirs / ours
    return f"{value:.1f}×"
