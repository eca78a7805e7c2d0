"""The benchmark suite's pure parts: percentiles, targets, tables, link following, the peer
comparison. Fast, no server, no database; the suite itself is run with `make bench`."""

from __future__ import annotations

import pytest

from bench.instructions import instructions_in
from bench.load import absolute_path, multipart, next_link
from bench.peer import compare
from bench.scenarios import build
from bench.stats import (
    TARGETS,
    Row,
    Summary,
    WorkerMemory,
    markdown_table,
    memory_table,
    percentile,
    results_table,
    size_label,
    times_faster,
)
from bench.suite import _redact


def summary(values: list[float], *, errors: int = 0, wall: float = 1.0, name: str = "s") -> Summary:
    return Summary(name, values, errors, wall)


# -- percentiles --------------------------------------------------------------------------------
def test_percentile_interpolates_between_ranks() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 40.0
    assert percentile(values, 50) == 25.0
    assert percentile(values, 95) == pytest.approx(38.5)


def test_percentile_of_one_value_and_of_one_to_a_hundred() -> None:
    assert percentile([7.0], 99) == 7.0
    hundred = [float(v) for v in range(1, 101)]
    assert percentile(hundred, 50) == pytest.approx(50.5)
    assert percentile(hundred, 95) == pytest.approx(95.05)
    assert percentile(hundred, 99) == pytest.approx(99.01)


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_sorts_before_taking_percentiles_and_counts_the_rate() -> None:
    s = summary([30.0, 10.0, 20.0], wall=0.5)
    assert (s.p50, s.n, s.rate) == (20.0, 3, 6.0)
    data = s.as_dict()
    assert data["p50_ms"] == 20.0 and data["min_ms"] == 10.0 and data["max_ms"] == 30.0
    assert data["samples_ms"] == [30.0, 10.0, 20.0]  # in the order they were taken


def test_an_empty_summary_has_no_statistics() -> None:
    s = summary([], errors=3)
    assert (s.p50, s.p95, s.rate) == (None, None, None)
    assert s.as_dict()["p95_ms"] is None


# -- targets ------------------------------------------------------------------------------------
def test_targets_follow_the_size_of_the_data_set() -> None:
    inbox = TARGETS["inbox"]
    assert inbox.limit_for(500) == 10.0  # below 10^5: the stricter targets
    assert inbox.limit_for(100_000) == 10.0
    assert inbox.limit_for(316_227) == 10.0
    assert inbox.limit_for(316_228) == 50.0
    assert inbox.limit_for(1_000_000) == 50.0
    assert (size_label(100_000), size_label(1_000_000)) == ("10^5", "10^6")
    assert TARGETS["ticket"].describe(1_000_000) == "p95 ≤ 30 ms"
    assert TARGETS["api_create"].describe(100_000) == "≥ 200 req/s"


def test_latency_targets_judge_the_p95() -> None:
    search = TARGETS["search"]
    fast = summary([5.0] * 95 + [19.0] * 5)
    slow = summary([5.0] * 90 + [25.0] * 10)
    assert search.met_by(fast, 100_000) is True
    assert search.met_by(slow, 100_000) is False
    assert search.met_by(slow, 1_000_000) is True  # 100 ms at 10^6


def test_rate_targets_judge_requests_per_second_and_errors_fail() -> None:
    create = TARGETS["api_create"]
    assert create.met_by(summary([4.0] * 250, wall=1.0), 100_000) is True
    assert create.met_by(summary([6.0] * 150, wall=1.0), 100_000) is False
    assert create.met_by(summary([4.0] * 250, wall=1.0, errors=1), 100_000) is False
    assert create.met_by(summary([]), 100_000) is None


# -- tables -------------------------------------------------------------------------------------
def test_markdown_table_lines_up_and_checks_its_rows() -> None:
    text = markdown_table(("a", "long header"), [("wide cell", "x")])
    lines = text.splitlines()
    assert lines[0] == "| a         | long header |"
    assert lines[1] == "|-----------|-------------|"
    assert lines[2] == "| wide cell | x           |"
    with pytest.raises(ValueError):
        markdown_table(("a", "b"), [("only one",)])


def test_results_table_shows_ratio_to_reference_target_and_verdict() -> None:
    reference = summary([1.0, 1.0, 1.0], name="reference")
    rows = [
        Row("reference", reference),
        Row("inbox open", summary([8.0, 9.0, 12.0]), TARGETS["inbox"]),
        Row("ticket page", summary([40.0, 40.0, 40.0]), TARGETS["ticket"]),
        Row("reply", summary([20.0], errors=2)),
    ]
    text = results_table(rows, reference, 100_000)
    lines = {
        line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in text.splitlines()
    }
    assert lines["inbox open"] == ["3", "9.0", "11.7", "11.9", "3.0", "0", "9.0×", "p95 ≤ 10 ms", "FAIL"]
    assert lines["ticket page"][-3:] == ["40.0×", "p95 ≤ 10 ms", "FAIL"]
    assert lines["reference"][-3:] == ["1.0×", "—", "—"]
    assert lines["reply"][5:] == ["2", "20.0×", "—", "—"]
    at_million = results_table(rows, reference, 1_000_000)
    assert "p95 ≤ 50 ms | pass" in at_million


def test_memory_table_judges_the_peak() -> None:
    text = memory_table([WorkerMemory(11, 90.0, 120.0, 60.0), WorkerMemory(12, 140.0, 151.0)])
    assert "| 11 " in text and "| pass" in text
    assert "| 12 " in text and "FAIL" in text


def test_times_faster_reads_latencies_and_rates_the_right_way_round() -> None:
    assert times_faster(10.0, 50.0) == "5.0×"
    assert times_faster(100.0, 50.0, higher_is_better=True) == "2.0×"
    assert times_faster(None, 5.0) == "—"
    assert times_faster(0.0, 5.0) == "—"


# -- what the client reads from pages -------------------------------------------------------------
def test_next_link_is_the_inbox_rel_next_link_unescaped() -> None:
    page = (
        '<a class="button small" href="?cursor=None">First page</a>'
        '<a class="button small" rel="next" href="?q=m%E1%BA%ADt&amp;cursor=WyJkIl0" hx-get="x">Next page</a>'
    )
    assert next_link(page) == "?q=m%E1%BA%ADt&cursor=WyJkIl0"
    assert next_link("<p>last page</p>") is None
    assert absolute_path("/desk/views/open/", "?cursor=abc") == "/desk/views/open/?cursor=abc"
    assert absolute_path("/desk/views/open/?cursor=abc", "?cursor=def") == "/desk/views/open/?cursor=def"


def test_multipart_body_carries_every_field() -> None:
    body, content_type = multipart({"csrfmiddlewaretoken": "tok", "body": "Xin chào"})
    boundary = content_type.split("boundary=", 1)[1]
    text = body.decode()
    assert text.startswith(f"--{boundary}\r\n") and text.endswith(f"--{boundary}--\r\n")
    assert 'name="csrfmiddlewaretoken"\r\n\r\ntok\r\n' in text
    assert 'name="body"\r\n\r\nXin chào\r\n' in text


def test_database_url_password_is_hidden() -> None:
    assert _redact("postgres://bench:s3cret@127.0.0.1:5432/db") == "postgres://bench:***@127.0.0.1:5432/db"
    assert _redact("postgres://postgres@127.0.0.1/db") == "postgres://postgres@127.0.0.1/db"


# -- scenarios and the peer comparison ------------------------------------------------------------
FACTS = {
    "agent_email": "agent0004@bench.example",
    "agent_open_assigned": 167,
    "group_id": 4,
    "detail_ticket": 96211,
    "detail_messages": 10,
    "reply_tickets": [100, 99],
    "requester_emails": ["a@example.com"],
}


def test_scenarios_cover_the_issue_and_use_the_products_urls() -> None:
    found = {s.key: s for s in build(FACTS, "sdk_token", lambda: "csrf")}
    for slug in ("unassigned", "open", "pending", "solved", "all", "mine"):
        assert found[f"inbox-{slug}"].request(0).path == f"/desk/views/{slug}/"
        assert found[f"inbox-{slug}-deep"].deep_from == f"/desk/views/{slug}/"
        assert found[f"inbox-{slug}"].target == "inbox"
    assert found["inbox-mine"].client == "agent"
    counts = found["inbox-counts"].request(0)
    assert (counts.path, counts.headers) == ("/desk/inbox/counts/?view=open", {"HX-Request": "true"})
    assert found["ticket"].request(0).path == "/desk/tickets/96211/"
    assert found["search-zh-common"].request(0).path == "/desk/views/all/?q=%E5%AF%86%E7%A0%81"
    create = found["api-create"].request(1)
    assert (create.method, create.path, create.expect) == ("POST", "/api/v1/tickets", (201,))
    assert create.headers["Authorization"] == "Bearer sdk_token"
    reply = found["reply"].request(1)
    assert reply.path == "/desk/tickets/99/reply/" and reply.expect == (302,)
    assert b'name="csrfmiddlewaretoken"\r\n\r\ncsrf' in (reply.body or b"")


def test_peer_comparison_pairs_operations_and_says_what_was_not_measured() -> None:
    rows = [
        Row("inbox open", summary([10.0, 10.0], name="inbox-open")),
        Row("ticket", summary([20.0, 20.0], name="ticket")),
        Row("create", summary([5.0] * 100, wall=1.0, name="api-create")),
    ]
    peer = {
        "median": {
            "list_total": {"p50_ms": 288.0, "p95_ms": 305.0},
            "detail": {"p50_ms": 46.0, "p95_ms": 49.0},
            "api_create_session": {"rps": 51.5},
            "peak_rss_mb_list_detail_search": 64.6,
            "peak_rss_mb_api": 60.0,
        }
    }
    text = compare(rows, [WorkerMemory(1, 100.0, 129.2)], peer)
    assert "| 10.0 / 10.0 " in text and "| 288.0 / 305.0 " in text and "28.8× / 30.5×" in text
    assert "2.3× / 2.5×" in text  # the ticket page
    assert "| 100.0 " in text and "| 51.5 " in text and "1.9×" in text  # creates per second
    assert "| 129.2 " in text and "| 64.6 " in text and "0.5×" in text  # memory: the peer is lighter
    assert "not in supportdesk yet" in text


def test_instruction_totals_are_read_from_callgrind_output():
    out = (
        "# callgrind format\nversion: 1\nevents: Ir\nfl=(1) x.c\n0 5\nsummary: 123456789\ntotals: 123456789\n"
    )
    assert instructions_in(out) == 123_456_789
    with pytest.raises(ValueError, match="no totals"):
        instructions_in("events: Ir\n")
