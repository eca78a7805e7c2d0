"""The demo desk as a plan: plain data built from a seed, without touching the database.

`build_plan` decides everything (who writes in, about what, in which language and channel, how the
conversation goes and when each step happens); `loader.load_demo` then carries the plan out through
the services. Keeping the two apart makes the randomness testable on its own (same seed, same plan)
and keeps every write in one place.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from supportdesk.demo.customers import CustomerPlan, plan_customers
from supportdesk.demo.data import LANGUAGES
from supportdesk.demo.data.company import (
    CATEGORY_BY_KEY,
    CUSTOMER_FIELDS,
    DEVICES,
    ESCALATED,
    EXTRA_TAGS,
    ORDER_NUMBER,
    PORTAL_ORGANIZATION,
    STAFF,
    SUBSCRIPTION_PRICE,
    SUPPORT,
    WAITING_FOR_PARTS,
    WARRANTY,
    StaffMember,
)
from supportdesk.demo.data.people import CUSTOMERS_PER_LANGUAGE
from supportdesk.demo.data.scenarios import NORMAL, SCENARIOS, Scenario
from supportdesk.demo.writing import Writer
from supportdesk.tickets.choices import Channel, Status

CUSTOMER, SYSTEM = "customer", "system"
REPLY, NOTE, UPDATE, SHARE, DUPLICATE, MERGE = "reply", "note", "update", "share", "duplicate", "merge"
HISTORY_DAYS = 90

LANGUAGE_WEIGHTS = {"en": 34, "vi": 17, "pl": 17, "zh-hans": 16, "zh-hant": 16}
CHANNEL_WEIGHTS = {Channel.EMAIL: 38, Channel.WEB: 24, Channel.CHAT: 16, Channel.PHONE: 12, Channel.API: 10}
# Statuses by the ticket's age in days: the older a ticket, the likelier it is done.
STATUS_BY_AGE: list[tuple[float, dict[int, int]]] = [
    (0.25, {Status.NEW: 80, Status.OPEN: 20}),
    (1, {Status.NEW: 45, Status.OPEN: 30, Status.PENDING: 15, Status.SOLVED: 10}),
    (4, {Status.NEW: 10, Status.OPEN: 22, Status.PENDING: 23, Status.ON_HOLD: 10, Status.SOLVED: 35}),
    (7, {Status.OPEN: 10, Status.PENDING: 15, Status.ON_HOLD: 10, Status.SOLVED: 30, Status.CLOSED: 35}),
    (HISTORY_DAYS + 1, {Status.OPEN: 5, Status.PENDING: 5, Status.ON_HOLD: 6, Status.CLOSED: 84}),
]
# What whoever sorts the incoming queue sets; the agent who takes a ticket sets the rest.
ROUTING_FIELDS = ("category", "group", "priority", "ticket_type", "tags")
PORTAL_STATUSES = (Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED, Status.CLOSED, Status.NEW)


@dataclass(frozen=True)
class Step:
    """One thing that happens to a ticket after it is opened."""

    at: datetime
    kind: str
    actor: str  # a staff key, CUSTOMER or SYSTEM
    body: str = ""
    is_public: bool = True
    status: int | None = None
    # Symbolic values (category and label keys, group names, staff keys), resolved by the loader.
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class TicketPlan:
    number: int
    scenario: str
    customer: int
    language: str
    channel: str
    created_at: datetime
    creator: str  # CUSTOMER or a staff key
    subject: str
    body: str
    create: dict[str, Any]
    steps: list[Step]
    status: int


@dataclass
class DemoPlan:
    seed: int
    now: datetime
    customers: list[CustomerPlan]
    tickets: list[TicketPlan]


@dataclass
class _Draft:
    """A ticket while it is being planned."""

    number: int
    created_at: datetime
    language: str = ""
    customer: CustomerPlan | None = None
    channel: str = Channel.EMAIL
    scenario: Scenario = SCENARIOS[0]
    status: int = Status.NEW
    duplicate: bool = False
    share: bool = False

    def age_days(self, now: datetime) -> float:
        return (now - self.created_at).total_seconds() / 86400


def build_plan(*, seed: int, tickets: int, now: datetime, close_after_days: int = 4) -> DemoPlan:
    """The whole demo desk for `seed`: the same seed and `now` always give the same plan."""
    rng = random.Random(seed)
    customers = plan_customers(rng)
    by_language: dict[str, list[CustomerPlan]] = {code: [] for code in CUSTOMERS_PER_LANGUAGE}
    for customer in customers:
        if not customer.portal:
            by_language[customer.language].append(customer)
    # A few customers write in often, most only once or twice.
    activity = {c.key: rng.paretovariate(1.6) for c in customers}
    drafts = [_Draft(number=i, created_at=t) for i, t in enumerate(_creation_times(rng, tickets, now))]
    for draft in drafts:
        draft.language = _weighted(rng, LANGUAGE_WEIGHTS)
        pool = by_language[draft.language]
        draft.customer = rng.choices(pool, weights=[activity[c.key] for c in pool])[0]
        draft.channel = _weighted(rng, CHANNEL_WEIGHTS)
        draft.scenario = _pick_scenario(rng, draft.customer)
        draft.status = _status_for_age(rng, draft.age_days(now), close_after_days)
    _cover_every_status(rng, drafts, now, close_after_days)
    _give_tickets_to_portal_customer(drafts, next(c for c in customers if c.portal))
    for draft in drafts:
        customer_made = draft.channel in (Channel.EMAIL, Channel.WEB, Channel.CHAT)
        worked = draft.status != Status.NEW
        draft.duplicate = worked and customer_made and rng.random() < 0.03
        draft.share = worked and draft.scenario.involves_finance and rng.random() < 0.35
    if len(drafts) >= 20 and not any(d.duplicate for d in drafts):
        candidates = [d for d in drafts if d.status != Status.NEW and d.channel != Channel.PHONE]
        if candidates:
            rng.choice(candidates).duplicate = True
    drafts = _make_room_for_duplicates(drafts)
    planner = _TicketPlanner(rng, now, close_after_days)
    return DemoPlan(seed=seed, now=now, customers=customers, tickets=[planner.plan(d) for d in drafts])


def _make_room_for_duplicates(drafts: list[_Draft]) -> list[_Draft]:
    """A merged duplicate is a ticket too: drop as many of the oldest closed tickets as there are
    duplicates, so the desk ends up with exactly the number of tickets asked for."""
    extra = sum(1 for d in drafts if d.duplicate)
    spare = [
        d
        for d in drafts
        if d.status == Status.CLOSED and not d.duplicate and not (d.customer and d.customer.portal)
    ]
    dropped = {d.number for d in spare[: min(extra, max(0, len(spare) - 1))]}
    kept = [d for d in drafts if d.number not in dropped]
    for number, draft in enumerate(kept):
        draft.number = number
    return kept


def _weighted(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _creation_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """`count` moments over the last 90 days, busier on weekdays and in office hours, oldest first."""
    days = list(range(HISTORY_DAYS))
    # Slightly busier lately (the business grows) and quieter at weekends.
    day_weights = [
        (1.5 - d / HISTORY_DAYS) * (0.55 if (now - timedelta(days=d)).weekday() >= 5 else 1) for d in days
    ]
    hour_weights = [0.3] * 7 + [1, 2, 3, 3, 3, 2.5, 3, 3, 2.5, 2, 1.5, 1, 0.8, 0.6, 0.5, 0.4, 0.3]
    times = []
    for _ in range(count):
        day = rng.choices(days, weights=day_weights)[0]
        hour = rng.choices(range(24), weights=hour_weights)[0]
        moment = (now - timedelta(days=day)).replace(
            hour=hour, minute=rng.randrange(60), second=rng.randrange(60)
        )
        if moment > now - timedelta(minutes=5):
            moment = now - timedelta(minutes=rng.uniform(5, 180))
        times.append(moment.replace(microsecond=0))
    return sorted(times)


def _pick_scenario(rng: random.Random, customer: CustomerPlan) -> Scenario:
    weights = [
        s.weight * (1 if s.business == bool(customer.organization) or not s.business else 0.15)
        for s in SCENARIOS
    ]
    return rng.choices(SCENARIOS, weights=weights)[0]


def _status_for_age(rng: random.Random, age_days: float, close_after_days: int) -> int:
    weights = next(table for limit, table in STATUS_BY_AGE if age_days < limit)
    status = _weighted(rng, weights)
    if status == Status.CLOSED and not _can_be_closed(age_days, close_after_days):
        status = Status.SOLVED
    return status


def _can_be_closed(age_days: float, close_after_days: int) -> bool:
    # Solved, then left alone for the auto-close period, then closed by the hourly task.
    return age_days > close_after_days + 0.25


def _cover_every_status(
    rng: random.Random, drafts: list[_Draft], now: datetime, close_after_days: int
) -> None:
    """Make sure every status shows up, so the demo shows every part of the product."""
    if len(drafts) < len(Status):
        return
    for status in Status:
        counts = Counter(d.status for d in drafts)
        if counts[status]:
            continue
        # Take a ticket whose status others share, so no status disappears in exchange.
        candidates = [
            d
            for d in drafts
            if counts[d.status] > 1
            and (status != Status.CLOSED or _can_be_closed(d.age_days(now), close_after_days))
        ]
        if not candidates:
            continue
        if status == Status.NEW:
            pick = candidates[-1]  # the newest: a new ticket is a recent one
        elif status == Status.CLOSED:
            pick = candidates[0]
        else:
            pick = rng.choice(candidates[-5:])
        pick.status = status


def _give_tickets_to_portal_customer(drafts: list[_Draft], portal: CustomerPlan) -> None:
    """The customer with the demo portal sign-in gets several requests in different states."""
    taken: set[int] = set()
    for status in PORTAL_STATUSES:
        for draft in reversed(drafts):
            if draft.number not in taken and draft.language == portal.language and draft.status == status:
                draft.customer, draft.channel = portal, Channel.WEB
                if draft.scenario.business:
                    draft.scenario = next(s for s in SCENARIOS if s.key == "late_delivery")
                taken.add(draft.number)
                break


class _TicketPlanner:
    """Turns a draft into a ticket plan: the opening, then the steps, each at its moment."""

    def __init__(self, rng: random.Random, now: datetime, close_after_days: int):
        self.rng, self.now, self.close_after = rng, now, timedelta(days=close_after_days)

    def plan(self, draft: _Draft) -> TicketPlan:
        rng, scenario, customer = self.rng, draft.scenario, draft.customer
        assert customer is not None
        category = CATEGORY_BY_KEY[scenario.category]
        agent = self._agent(category.group, draft.language)
        language = LANGUAGES[draft.language]
        values = self._story_values(draft)
        writer = Writer(language, customer, values, channel=draft.channel, rng=rng)

        staff_made = draft.channel in (Channel.PHONE, Channel.API)
        if draft.channel == Channel.PHONE:
            # The agent who takes the call logs it; a call nobody has taken on yet, anyone.
            creator = agent.key if draft.status != Status.NEW else self._agent(category.group, "").key
        elif draft.channel == Channel.API:
            creator = "admin"  # the shop's integration, with an administrator's API token
        else:
            creator = CUSTOMER
        priority = self._priority(scenario)
        tags = list(scenario.tags) + ([rng.choice(EXTRA_TAGS)] if rng.random() < 0.12 else [])
        if customer.organization == PORTAL_ORGANIZATION:
            tags.append("vip")
        fields = self._fields(scenario, values)
        create: dict[str, Any] = {}
        triage: dict[str, Any] = {}
        if staff_made:
            create.update(
                category=scenario.category,
                priority=priority,
                ticket_type=scenario.ticket_type,
                tags=tags,
                custom_fields=fields,
            )
            if draft.channel == Channel.PHONE and draft.status != Status.NEW:
                create["assignee"] = agent.key
            else:
                triage["assignee"] = agent.key
        else:
            if draft.channel == Channel.WEB and rng.random() < 0.7:
                create["category"] = scenario.category
            create["custom_fields"] = (
                {k: v for k, v in fields.items() if k in CUSTOMER_FIELDS}
                if draft.channel == Channel.WEB
                else {}
            )
            agent_fields = (
                fields if rng.random() < 0.7 else {k: v for k, v in fields.items() if k == WARRANTY}
            )
            triage.update(assignee=agent.key, ticket_type=scenario.ticket_type, tags=tags)
            if priority != NORMAL:
                triage["priority"] = priority
            if "category" not in create:
                triage.update(category=scenario.category, group=category.group)
            extra = {k: v for k, v in agent_fields.items() if k not in create["custom_fields"]}
            if extra:
                triage["custom_fields"] = {**create["custom_fields"], **extra}

        subject_index = rng.randrange(len(language.SCENARIOS[scenario.key]["subjects"]))
        subject = writer.subject(scenario.key, subject_index)
        body = writer.opening(scenario.key)
        gaps = _Steps(rng)
        if draft.status != Status.NEW:
            self._work(draft, gaps, writer, agent, triage, subject_index)
        elif rng.random() < 0.3 and draft.channel != Channel.PHONE:
            gaps.add(rng.uniform(1, 20), REPLY, CUSTOMER, writer.customer(writer.common("nudge")))
        steps = self._timed(draft, gaps)
        return TicketPlan(
            number=draft.number,
            scenario=scenario.key,
            customer=customer.key,
            language=draft.language,
            channel=draft.channel,
            created_at=draft.created_at,
            creator=creator,
            subject=subject,
            body=body,
            create=create,
            steps=steps,
            status=draft.status,
        )

    # -- the conversation ---------------------------------------------------------------------
    def _work(
        self,
        draft: _Draft,
        s: _Steps,
        w: Writer,
        agent: StaffMember,
        triage: dict[str, Any],
        subject_index: int,
    ) -> None:
        rng, scenario, key = self.rng, draft.scenario, draft.scenario.key
        clarify = _clarification(scenario)
        if draft.duplicate:
            other = rng.choice([c for c in (Channel.EMAIL, Channel.WEB, Channel.CHAT) if c != draft.channel])
            s.add(
                rng.uniform(0.3, 2),
                DUPLICATE,
                CUSTOMER,
                w.customer(w.common("duplicate") + "\n\n" + w.part(key, "opening"), channel=other),
                changes={"channel": other, "subject": w.subject(key, 1 - subject_index)},
            )
            s.add(rng.uniform(0.2, 2), MERGE, "manager")
        if rng.random() < 0.12:
            s.add(rng.uniform(3, 20), REPLY, CUSTOMER, w.customer(w.common("nudge")))
        if "group" in triage and SUPPORT not in agent.groups and agent.key != "manager":
            # The ticket waits in the default group, where agent cannot see it: someone there
            # sorts it into the right group first, then the agent takes it.
            routing = {k: triage.pop(k) for k in ROUTING_FIELDS if k in triage}
            router = self._agent(SUPPORT, draft.language)
            s.add(rng.uniform(0.1, 3), UPDATE, router.key, changes=routing)
            s.add(rng.uniform(0.05, 2), UPDATE, agent.key, changes=triage)
        elif triage:
            s.add(rng.uniform(0.1, 3), UPDATE, agent.key, changes=triage)
        if draft.share:
            s.add(rng.uniform(0.1, 1), SHARE, agent.key, changes={"user": "collaborator"})
            shared_language = "pl" if draft.language == "pl" else "en"
            s.add(
                0.02, NOTE, agent.key, w.note(w.common("share_note", shared_language), agent), is_public=False
            )
            s.add(
                rng.uniform(0.5, 6),
                NOTE,
                "collaborator",
                w.note(w.common("collab_note", shared_language), _staff("collaborator")),
                is_public=False,
            )
        reply = w.agent(w.part(key, "reply"), agent)
        status = draft.status
        if status == Status.OPEN:
            if rng.random() < 0.35:
                if rng.random() < 0.5:
                    s.add(
                        rng.uniform(0.1, 2),
                        NOTE,
                        agent.key,
                        w.note(w.part(key, "note"), agent),
                        is_public=False,
                    )
                return
            s.add(rng.uniform(0.05, 6), REPLY, agent.key, reply)
            if scenario.escalates:
                s.add(rng.uniform(0.1, 2), UPDATE, agent.key, changes={"status_label": ESCALATED})
                s.add(0.02, NOTE, agent.key, w.note(w.common("escalation_note"), agent), is_public=False)
            s.add(rng.uniform(0.5, 30), REPLY, CUSTOMER, w.customer(w.part(key, "followup")))
        elif status == Status.PENDING:
            # Waiting for the customer: for the details the agent asked for, or for their word
            # that the answer worked.
            if clarify is not None and rng.random() < 0.5:
                ask = w.agent(w.common("ask_more", index=clarify), agent)
                s.add(rng.uniform(0.05, 6), REPLY, agent.key, ask, status=Status.PENDING)
            else:
                s.add(rng.uniform(0.05, 6), REPLY, agent.key, reply, status=Status.PENDING)
        elif status == Status.ON_HOLD:
            s.add(rng.uniform(0.05, 6), REPLY, agent.key, reply)
            if scenario.waits_for_parts:
                s.add(rng.uniform(0.1, 2), UPDATE, agent.key, changes={"status_label": WAITING_FOR_PARTS})
                s.add(0.02, NOTE, agent.key, w.note(w.part(key, "note"), agent), is_public=False)
            else:
                # Waiting for someone else (a carrier, a supplier, another team).
                s.add(rng.uniform(0.5, 30), REPLY, CUSTOMER, w.customer(w.common("nudge")))
                s.add(rng.uniform(0.2, 10), REPLY, agent.key, w.agent(w.common("holding"), agent))
                s.add(0.05, NOTE, agent.key, w.note(w.common("hold_note"), agent), is_public=False)
                s.add(0.01, UPDATE, agent.key, changes={"status": Status.ON_HOLD})
        else:  # solved, and closed later
            if clarify is not None and not draft.duplicate and rng.random() < 0.35:
                ask = w.agent(w.common("ask_more", index=clarify), agent)
                s.add(rng.uniform(0.05, 6), REPLY, agent.key, ask, status=Status.PENDING)
                s.add(rng.uniform(0.5, 24), REPLY, CUSTOMER, w.customer(w.common("more_info", index=clarify)))
            waiting = Status.PENDING if rng.random() < 0.5 else None
            s.add(rng.uniform(0.05, 6), REPLY, agent.key, reply, status=waiting)
            if scenario.waits_for_parts:
                s.add(rng.uniform(0.1, 2), UPDATE, agent.key, changes={"status_label": WAITING_FOR_PARTS})
            elif scenario.escalates and rng.random() < 0.4:
                s.add(rng.uniform(0.1, 2), UPDATE, agent.key, changes={"status_label": ESCALATED})
                s.add(0.02, NOTE, agent.key, w.note(w.common("escalation_note"), agent), is_public=False)
            if rng.random() < 0.35:
                s.add(
                    rng.uniform(0.1, 4), NOTE, agent.key, w.note(w.part(key, "note"), agent), is_public=False
                )
            s.add(rng.uniform(0.5, 30), REPLY, CUSTOMER, w.customer(w.part(key, "followup")))
            closing = w.agent(w.part(key, "closing"), agent)
            s.add(rng.uniform(0.2, 12), REPLY, agent.key, closing, status=Status.SOLVED)

    def _timed(self, draft: _Draft, s: _Steps) -> list[Step]:
        """Place the steps in time: their gaps are stretched or squeezed so that the ticket's last
        step lands where its status needs it (a solved ticket inside the auto-close window, a
        closed one early enough to have been closed by the hourly task since)."""
        start, now = draft.created_at, self.now
        if not s.items:
            return []
        latest = now - timedelta(minutes=2)
        earliest = start
        if draft.status == Status.SOLVED:
            earliest = max(start, now - self.close_after + timedelta(minutes=30))
        elif draft.status == Status.CLOSED:
            latest = now - self.close_after - timedelta(hours=1)
        natural = sum(gap for gap, _ in s.items)
        span_hours = (latest - start).total_seconds() / 3600
        target = min(max(natural, (earliest - start).total_seconds() / 3600), span_hours)
        scale = target / natural if natural else 0
        steps, moment = [], start
        for gap, step in s.items:
            moment = moment + timedelta(hours=gap * scale)
            steps.append(Step(at=moment.replace(microsecond=0), **step))
        if draft.status == Status.CLOSED:
            # The auto-close task runs at the top of every hour.
            due = steps[-1].at + self.close_after
            closed = due.replace(minute=0, second=0) + timedelta(hours=1, seconds=self.rng.randrange(120))
            steps.append(
                Step(
                    at=min(closed, now - timedelta(seconds=30)),
                    kind=UPDATE,
                    actor=SYSTEM,
                    changes={"status": Status.CLOSED},
                )
            )
        return steps

    # -- choices --------------------------------------------------------------------------------
    def _agent(self, group: str, language: str) -> StaffMember:
        if self.rng.random() < 0.05:
            return _staff("manager")
        members = [m for m in STAFF if group in m.groups]
        speakers = [m for m in members if language in m.languages] or members
        return self.rng.choice(speakers)

    def _priority(self, scenario: Scenario) -> int:
        roll = self.rng.random()
        if roll < 0.15:
            return max(1, scenario.priority - 1)
        if roll < 0.3:
            return min(4, scenario.priority + 1)
        return scenario.priority

    def _story_values(self, draft: _Draft) -> dict[str, str]:
        rng, scenario = self.rng, draft.scenario
        language = LANGUAGES[draft.language]
        device = rng.choice(scenario.devices) if scenario.devices else rng.choice(list(DEVICES))
        price = SUBSCRIPTION_PRICE if scenario.amount == "subscription" else DEVICES[device]
        low, high = scenario.date_days or (-5, -1)
        day = (draft.created_at + timedelta(days=rng.randint(low, high))).date()
        return {
            "device": device,
            "order": f"BL-{rng.randint(100000, 999999)}",
            "amount": language.format_amount(price),
            # A date in another year says which.
            "date": language.format_date(day, year=day.year != draft.created_at.year),
            "iso_date": day.isoformat(),
            "invoice": f"INV-{draft.created_at.year}-{rng.randint(1000, 99999):05d}",
            "last4": f"{rng.randrange(10000):04d}",
            "tracking": str(rng.randint(10**11, 10**12 - 1)),
        }

    def _fields(self, scenario: Scenario, values: Mapping[str, str]) -> dict[str, Any]:
        known: dict[str, Any] = {
            "order_number": values["order"],
            "device": values["device"],
            "purchase_date": values["iso_date"],
            "warranty": True,
        }
        return {key: known[key] for key in scenario.fields}


class _Steps:
    """Steps with the gap (in hours) since the step before; times are set once all are known."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.items: list[tuple[float, dict[str, Any]]] = []

    def add(
        self,
        gap: float,
        kind: str,
        actor: str,
        body: str = "",
        *,
        is_public: bool = True,
        status: int | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> None:
        self.items.append(
            (
                gap,
                {
                    "kind": kind,
                    "actor": actor,
                    "body": body,
                    "is_public": is_public,
                    "status": status,
                    "changes": dict(changes or {}),
                },
            )
        )


def _clarification(scenario: Scenario) -> int | None:
    """Which of the paired "ask for more" / "here it is" texts fit the story, if any: order
    matters ask for the order number, account and technical ones for a screenshot."""
    if ORDER_NUMBER in scenario.fields:
        return 1
    if scenario.category in ("account", "technical/bugs", "technical/integrations"):
        return 0
    return None


def _staff(key: str) -> StaffMember:
    return next(m for m in STAFF if m.key == key)
