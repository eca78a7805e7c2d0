"""The scenarios: what one iteration of each sends, who sends it, and the target it answers to.

Every URL is one the product itself produces: the standard views come from the desk's own
list (tickets.selectors.STANDARD_VIEWS, as /desk/views/<slug>/), deep pages are reached by
following the inbox's own "Next page" links, the reply is the ticket page's reply form and the
API calls are the documented /api/v1 endpoints.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.load import Request, multipart

# The standard views an administrator sees (an administrator outside every group works the whole
# desk, so these are the largest lists there are). "mine" is measured as the busiest agent:
# the bench administrator has no tickets assigned, so their "mine" would be an empty list.
ADMIN_VIEWS = ("unassigned", "open", "pending", "solved", "all")
AGENT_VIEWS = ("mine",)
DEEP_PAGES = 20

# Search terms, with how often they occur in the bench data set (share of tickets at 10^6).
SEARCH_TERMS: tuple[tuple[str, str, str], ...] = (
    ("search-en-common", "password", "English, common: ~4% of tickets"),
    ("search-en-rare", "reproduce", "English, rare: ~0.02%"),
    ("search-vi-common", "mật khẩu", "Vietnamese, common: ~2%"),
    ("search-vi-rare", "khuyến mãi", "Vietnamese, rare: ~0.01%"),
    ("search-zh-common", "密码", "Chinese, common: ~2%"),
    ("search-zh-rare", "升级", "Chinese, rare: ~0.006%"),
)


@dataclass
class Scenario:
    key: str  # for --only
    title: str  # for the table
    client: str  # "anonymous", "admin", "agent" or "token"
    request: Callable[[int], Request]
    target: str | None = None  # a key of stats.TARGETS
    note: str = ""
    # For scenarios whose URL must be discovered on the running server (deep pages): the
    # first page's path; the suite follows DEEP_PAGES "Next page" links from it.
    deep_from: str | None = None


def get(path: str) -> Callable[[int], Request]:
    return lambda _i: Request("GET", path)


def view_path(slug: str, **query: str) -> str:
    path = f"/desk/views/{slug}/"
    return f"{path}?{urllib.parse.urlencode(query)}" if query else path


def build(facts: dict[str, Any], token: str | None, csrf: Callable[[], str]) -> list[Scenario]:
    """Every scenario for this data set. `csrf` gives the admin session's current CSRF token
    (read at send time: signing in rotates it)."""
    scenarios = [
        Scenario(
            "reference",
            "reference: GET /health/ (bare JSON view)",
            "anonymous",
            get("/health/"),
            note="no database, no session: the floor of any view on this server",
        )
    ]
    for slug in ADMIN_VIEWS:
        scenarios.append(
            Scenario(f"inbox-{slug}", f"inbox {slug}: first page", "admin", get(view_path(slug)), "inbox")
        )
        scenarios.append(
            Scenario(
                f"inbox-{slug}-deep",
                f"inbox {slug}: page {DEEP_PAGES + 1}",
                "admin",
                get(view_path(slug)),
                "inbox",
                deep_from=view_path(slug),
            )
        )
    if facts.get("agent_email"):
        for slug in AGENT_VIEWS:
            who = f"{facts['agent_email'].split('@')[0]}, {facts['agent_open_assigned']} open"
            scenarios.append(
                Scenario(
                    f"inbox-{slug}",
                    f"inbox {slug} ({who}): first page",
                    "agent",
                    get(view_path(slug)),
                    "inbox",
                )
            )
            scenarios.append(
                Scenario(
                    f"inbox-{slug}-deep",
                    f"inbox {slug} ({who}): page {DEEP_PAGES + 1}",
                    "agent",
                    get(view_path(slug)),
                    "inbox",
                    deep_from=view_path(slug),
                )
            )
    # Every inbox page asks for its sidebar's counts once shown (and every 30 s): a request
    # of its own, timed as htmx sends it.
    scenarios.append(
        Scenario(
            "inbox-counts",
            "inbox sidebar counts (htmx, on every inbox page)",
            "admin",
            lambda _i: Request("GET", "/desk/inbox/counts/?view=open", headers={"HX-Request": "true"}),
            note="not a view: no target of its own",
        )
    )
    if facts.get("agent_email"):
        # An agent's counts are narrowed to their groups: other queries than the admin's.
        scenarios.append(
            Scenario(
                "inbox-counts-agent",
                f"inbox sidebar counts ({facts['agent_email'].split('@')[0]})",
                "agent",
                lambda _i: Request("GET", "/desk/inbox/counts/?view=mine", headers={"HX-Request": "true"}),
                note="not a view: no target of its own",
            )
        )
    filters = {"status": "unsolved", "priority": "3"}
    if facts.get("group_id"):
        filters["group"] = str(facts["group_id"])
    scenarios.append(
        Scenario(
            "inbox-filtered",
            "inbox all, filtered: unsolved, high priority, one group",
            "admin",
            get(view_path("all", **filters)),
            note="not a standard view: no target of its own",
        )
    )
    if facts.get("detail_ticket"):
        scenarios.append(
            Scenario(
                "ticket",
                f"ticket page (#{facts['detail_ticket']}, {facts['detail_messages']} messages)",
                "admin",
                get(f"/desk/tickets/{facts['detail_ticket']}/"),
                "ticket",
            )
        )
    for key, term, description in SEARCH_TERMS:
        scenarios.append(
            Scenario(
                key, f"search “{term}” ({description})", "admin", get(view_path("all", q=term)), "search"
            )
        )
    scenarios.append(
        Scenario(
            "api-list",
            "API: GET /api/v1/tickets?limit=25 (token)",
            "token",
            lambda _i: Request("GET", "/api/v1/tickets?limit=25", headers=_bearer(token)),
        )
    )
    scenarios.append(
        Scenario(
            "api-create",
            "API: POST /api/v1/tickets (token)",
            "token",
            api_create_requests(token, facts.get("requester_emails") or []),
            "api_create",
        )
    )
    if facts.get("reply_tickets"):
        scenarios.append(
            Scenario(
                "reply",
                f"reply: POST the ticket page's reply form ({len(facts['reply_tickets'])} open tickets in turn)",
                "admin",
                _reply(facts["reply_tickets"], csrf),
                note="timed to the redirect; the page it leads to is the ticket page scenario",
            )
        )
    return scenarios


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def api_create_requests(token: str | None, emails: list[str]) -> Callable[[int], Request]:
    def make(i: int) -> Request:
        # Most tickets come from known customers; every fifth from a new address, which
        # creates the customer too, as a first contact does.
        if emails and i % 5:
            requester = {"email": emails[i % len(emails)]}
        else:
            requester = {"email": f"bench-new-{i}@new-customers.example", "name": f"New Customer {i}"}
        payload = {
            "subject": f"Order {100000 + i} arrived damaged",
            "body": (
                "Hello, the parcel arrived today but the box was crushed and the device inside does "
                "not switch on. I attach nothing yet; what do you need from me to replace it? Thanks."
            ),
            "requester": requester,
            "priority": 2 + i % 2,
            "tags": ["damaged"],
        }
        headers = {"Content-Type": "application/json", **_bearer(token)}
        return Request("POST", "/api/v1/tickets", json.dumps(payload).encode(), headers, expect=(201,))

    return make


def _reply(ticket_ids: list[int], csrf: Callable[[], str]) -> Callable[[int], Request]:
    def make(i: int) -> Request:
        ticket = ticket_ids[i % len(ticket_ids)]
        body, content_type = multipart(
            {
                "csrfmiddlewaretoken": csrf(),
                "kind": "public",
                "body": "Thanks for the details. I have reset the device from our side; please try again "
                "and tell me whether the problem is gone.",
                "then": "",
            }
        )
        return Request(
            "POST",
            f"/desk/tickets/{ticket}/reply/",
            body,
            {"Content-Type": content_type},
            expect=(302,),
        )

    return make
