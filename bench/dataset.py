"""What the suite needs to know about a data set, read from its database before the server starts.

Run by the suite as its own process (`python -m bench.dataset`) with the same environment as the
server (SUPPORTDESK_DATA_DIR or DATABASE_URL), so the suite process itself never loads Django
and never holds a database connection while it measures. Prints one JSON document.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

# The ticket page scenario wants a ticket with this many messages (the "10 messages").
MESSAGES_ON_TICKET_PAGE = 10
# Replies are spread over this many open tickets, so no single conversation grows long.
REPLY_TICKETS = 40
# Requesters for the API create scenario: known customers, found by their email address.
API_REQUESTERS = 200
# Ticket ids per query when counting messages (an IN list SQLite and PostgreSQL take easily).
CHUNK = 5000


def facts() -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count

    from supportdesk.accounts.models import User
    from supportdesk.customers.models import CustomerEmail
    from supportdesk.tickets.choices import Status
    from supportdesk.tickets.models import Message, Ticket

    workable = Ticket.objects.filter(
        status__in=[Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD], merged_into__isnull=True
    )
    # The ticket page is judged on a ticket that is not closed (a closed one is read-only: no
    # reply box, no side panel form, so it is cheaper to show than what agents work on).
    editable = list(
        Ticket.objects.filter(status__lt=Status.CLOSED, merged_into__isnull=True)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    counts: dict[int, int] = {}
    for start in range(0, len(editable), CHUNK):
        counts.update(
            Message.objects.filter(ticket_id__in=editable[start : start + CHUNK])
            .values("ticket_id")
            .annotate(n=Count("id"))
            .values_list("ticket_id", "n")
        )
    # The newest ticket with exactly ten messages, else the nearest to ten.
    by_closeness = sorted(counts.items(), key=lambda item: (abs(item[1] - MESSAGES_ON_TICKET_PAGE), -item[0]))
    detail_ticket, detail_messages = by_closeness[0] if by_closeness else (None, 0)
    recent = list(workable.order_by("-id").values_list("id", flat=True)[: REPLY_TICKETS + 1])
    reply_tickets = [pk for pk in recent if pk != detail_ticket][:REPLY_TICKETS]

    # The agent with the most open tickets assigned: their "My open tickets" is the longest.
    busiest = (
        workable.filter(assignee__isnull=False)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .order_by("-n", "assignee_id")
        .first()
    )
    agent = (
        User.objects.filter(pk=busiest["assignee_id"]).values_list("email", flat=True).first()
        if busiest
        else None
    )
    biggest_group = (
        workable.filter(group__isnull=False).values("group_id").annotate(n=Count("id")).order_by("-n").first()
    )
    requesters = list(CustomerEmail.objects.order_by("id").values_list("email", flat=True)[:API_REQUESTERS])
    tickets = Ticket.objects.count()
    if connection.vendor == "sqlite":
        import sqlite3

        engine = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            engine = f"PostgreSQL {cursor.fetchone()[0]}"
    return {
        "engine": engine,
        "vendor": connection.vendor,
        "tickets": tickets,
        "planner_statistics": planner_statistics(tickets),
        "messages": Message.objects.count(),
        "unsolved_tickets": workable.count(),
        "detail_ticket": detail_ticket,
        "detail_messages": detail_messages,
        "reply_tickets": reply_tickets,
        "agent_email": agent,
        "agent_open_assigned": busiest["n"] if busiest else 0,
        "group_id": biggest_group["group_id"] if biggest_group else None,
        "requester_emails": requesters,
    }


def planner_statistics(tickets: int) -> str:
    """What the query planner knows about the ticket table: plans (and so timings) depend on it.
    SQLite keeps statistics only when someone runs ANALYZE, and a sampled ANALYZE
    (PRAGMA analysis_limit) shows as an estimated row count that differs from the real one."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return "none (no ANALYZE was ever run)"
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'tickets_ticket' AND idx = 't_upd'")
            row = cursor.fetchone()
            if row is None:
                return "sqlite_stat1 without tickets_ticket"
            estimate = int(str(row[0]).split()[0])
            # A full ANALYZE counts every row; a sampled or stale one is off by more than the
            # few rows a benchmark run adds.
            kind = "full" if abs(estimate - tickets) <= max(tickets // 100, 10) else "sampled or stale"
            return f"ANALYZE ({kind}: the planner estimates {estimate:,} tickets)"
        # pg_class.reltuples is the planner's row estimate (-1: never analyzed); pg_stats holds
        # the column statistics, which CREATE DATABASE … TEMPLATE copies along.
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'tickets_ticket'")
        found = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'tickets_ticket'")
        columns = cursor.fetchone()[0]
    if found is None or found[0] < 0 or not columns:
        return "never analyzed"
    return f"ANALYZE (the planner estimates {int(found[0]):,} tickets; {columns} columns with statistics)"


def warm_caches() -> str:
    """Read the whole database once, so that the run measures a warmed-up server and not what
    the machine happened to keep in its page cache (a 10^6 set is 6-8 GB; on a machine that had
    just copied or seeded other sets, API create at 10^6 on SQLite measured 210 req/s cold and
    416 warm). SQLite: its files, read through. PostgreSQL: every table and index read into the
    operating system's cache with pg_prewarm, where that extension can be had. What was done."""
    import time

    from django.db import connection

    started = time.monotonic()
    if connection.vendor == "sqlite":
        read = 0
        for path in (str(connection.settings_dict["NAME"]), f"{connection.settings_dict['NAME']}-wal"):
            if os.path.exists(path):
                with open(path, "rb") as database:
                    while chunk := database.read(1 << 20):
                        read += len(chunk)
        return f"warmed: read {read / 1e9:.1f} GB in {time.monotonic() - started:.0f} s"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_prewarm'")
        if not cursor.fetchone()[0]:
            return "not warmed (PostgreSQL's pg_prewarm extension is not installed)"
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT coalesce(sum(pg_prewarm(c.oid, 'read')), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'i', 't', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        )
        blocks = int(cursor.fetchone()[0])
    return f"warmed: pg_prewarm read {blocks * 8192 / 1e9:.1f} GB in {time.monotonic() - started:.0f} s"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if sys.argv[1:] == ["--warm"]:
        print(warm_caches())
        return
    json.dump(facts(), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
