"""Tickets with their conversations and timelines, as database rows (pure, deterministic).

Each ticket is planned as the steps the product's services would take (ticket_create, then
ticket_update, message_add and ticket_share calls, then the auto-close task), placed in time,
and then carried out on a small model of the ticket that follows the services' rules: the same
timeline events with the same data, the same status transitions and per-status timestamps, the
same counters. Nothing here touches the database; `generate` returns plain tuples in the column
order of `columns.py`, so each engine's writer can bulk-insert them as they are.

Randomness comes from two generators reseeded for every block of BLOCK tickets from the seed:
`shape` decides what a ticket is about (customer, language, channel, story, subject, details)
with the same number of draws whatever happens, so the same seed gives the same subjects even
on another day; `flow` decides how it went (status, timing, conversation).
"""

from __future__ import annotations

import html
import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from supportdesk.demo.data import LANGUAGES
from supportdesk.demo.data.company import (
    CUSTOM_FIELDS,
    CUSTOMER_FIELDS,
    DEVICE,
    DEVICES,
    ESCALATED,
    EXTRA_TAGS,
    MALE,
    ORDER_NUMBER,
    PURCHASE_DATE,
    SUBSCRIPTION_PRICE,
    WAITING_FOR_PARTS,
    WARRANTY,
)
from supportdesk.demo.data.scenarios import NORMAL, SCENARIOS, Scenario
from supportdesk.demo.seed.people import CustomerBook
from supportdesk.demo.seed.plan import DAY, HOUR, Clock, Sizes, log_uniform, to_datetime
from supportdesk.demo.seed.refs import CategoryRef, Desk, StaffRef
from supportdesk.demo.seed.replay import TicketReplay
from supportdesk.demo.seed.steps import IdCounters, MessageStep, Rows, ShareStep, Step, UpdateStep
from supportdesk.demo.seed.texts import PHRASEBOOKS, Composer, Folded, Phrasebook, Template
from supportdesk.tickets.choices import Channel, Status, TicketType

BLOCK = 1_000
MAX_MESSAGES = 10
CHANNEL_WEIGHTS = {
    Channel.EMAIL: 36,
    Channel.WEB: 22,
    Channel.CHAT: 14,
    Channel.PHONE: 10,
    Channel.API: 8,
    Channel.SOCIAL: 6,
    Channel.AGENT: 4,
}
# Tickets customers open themselves; on the others staff typed in the customer's words.
CUSTOMER_MADE = frozenset({Channel.EMAIL, Channel.WEB, Channel.CHAT, Channel.SOCIAL})
# Typed live: no greeting or sign-off.
UNDRESSED = frozenset({Channel.CHAT, Channel.SOCIAL})
# Statuses by a ticket's age in days: the older, the likelier it is done.
STATUS_BY_AGE: tuple[tuple[float, dict[int, int]], ...] = (
    (0.25, {Status.NEW: 80, Status.OPEN: 20}),
    (1, {Status.NEW: 45, Status.OPEN: 30, Status.PENDING: 15, Status.SOLVED: 10}),
    (4, {Status.NEW: 10, Status.OPEN: 22, Status.PENDING: 23, Status.ON_HOLD: 10, Status.SOLVED: 35}),
    (7, {Status.OPEN: 10, Status.PENDING: 15, Status.ON_HOLD: 10, Status.SOLVED: 30, Status.CLOSED: 35}),
    (30, {Status.OPEN: 4, Status.PENDING: 5, Status.ON_HOLD: 5, Status.SOLVED: 4, Status.CLOSED: 82}),
    (float("inf"), {Status.OPEN: 1, Status.PENDING: 1, Status.ON_HOLD: 1, Status.CLOSED: 197}),
)
# The newest tickets take these statuses and the oldest is closed, so a small data set shows
# every status too.
NEWEST_STATUSES = (Status.SOLVED, Status.ON_HOLD, Status.PENDING, Status.OPEN, Status.NEW)
# How many back-and-forth rounds (agent asks or answers, customer replies) precede the ending.
ROUNDS = ((0, 40), (1, 38), (2, 13), (3, 6), (4, 3))

FIELD_LABELS = {
    spec.key: {"en": spec.name, **spec.translations} for spec in CUSTOM_FIELDS if spec.key in CUSTOMER_FIELDS
}


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return [x / total for x in out]


def _pick(rng: random.Random, items: Sequence[Any], cumulative: Sequence[float]) -> Any:
    return items[min(bisect_right(cumulative, rng.random()), len(items) - 1)]


_CHANNELS = list(CHANNEL_WEIGHTS)
_CHANNEL_CUMULATIVE = _cumulative(list(CHANNEL_WEIGHTS.values()))
# Businesses write about invoices and the API much more than private customers do.
_SCENARIO_CUMULATIVE = {
    business: _cumulative(
        [s.weight * (1 if s.business == business or not s.business else 0.15) for s in SCENARIOS]
    )
    for business in (True, False)
}
_STATUS_TABLES = [(limit, list(table), _cumulative(list(table.values()))) for limit, table in STATUS_BY_AGE]
_ROUND_COUNTS = [count for count, _ in ROUNDS]
_ROUND_CUMULATIVE = _cumulative([weight for _, weight in ROUNDS])


def _clarification(scenario: Scenario) -> int | None:
    """Which paired "ask for more" / "here it is" texts fit the story (as in the demo plan)."""
    if ORDER_NUMBER in scenario.fields:
        return 1
    if scenario.category in ("account", "technical/bugs", "technical/integrations"):
        return 0
    return None


class Generator:
    """Builds the tickets of the bench data set in order, batch by batch."""

    def __init__(
        self,
        *,
        seed: int,
        sizes: Sizes,
        clock: Clock,
        desk: Desk,
        customers: CustomerBook,
        ids: IdCounters,
        time_text: Callable[[int], str],
        close_after_days: int,
    ):
        self.seed, self.sizes, self.clock, self.desk = seed, sizes, clock, desk
        self.book, self.ids, self.time = customers, ids, time_text
        self.close_after = close_after_days * DAY
        self.shape = random.Random()
        self.flow = random.Random()

    def generate(self, first: int, count: int) -> Rows:
        """The rows of tickets number `first` … `first + count - 1` (0-based, oldest first).
        Batches must be asked for in order: ids and customers carry over from one to the next."""
        rows = Rows()
        if first % BLOCK:
            raise ValueError(f"batches start at a multiple of {BLOCK}")
        for number in range(first, first + count):
            if number % BLOCK == 0:
                block = number // BLOCK
                self.shape.seed(f"bench:{self.seed}:shape:{block}")
                self.flow.seed(f"bench:{self.seed}:flow:{block}")
            TicketBuilder(self, number, rows).build()
        return rows


class TicketBuilder:
    """One ticket: decides what it is about and how it went, then writes its rows."""

    def __init__(self, generator: Generator, number: int, rows: Rows):
        self.g, self.number, self.rows = generator, number, rows
        self.shape, self.flow, self.desk = generator.shape, generator.flow, generator.desk

    # -- what the ticket is about (a fixed number of `shape` draws) ------------------------------
    def draw_shape(self) -> None:
        g, shape, number = self.g, self.shape, self.number
        sizes = g.sizes
        self.created = g.clock.created_at(number, shape.random())
        # A new customer writes in at evenly spread tickets, so exactly `sizes.customers` do.
        introduces = number == 0 or (
            number * sizes.customers // sizes.tickets != (number - 1) * sizes.customers // sizes.tickets
        )
        self.new_customer: tuple[str, str] | None = None
        if introduces or not len(g.book):
            customer, email, time_zone = g.book.introduce(shape)
            self.new_customer = (email, time_zone)
            self.customer = customer
        else:
            self.customer = g.book.returning(shape)
        channel_roll, scenario_roll, subject_roll = shape.random(), shape.random(), shape.random()
        device_roll, order, last4 = shape.random(), shape.randrange(100000, 1000000), shape.randrange(10000)
        tracking, invoice, date_roll = (
            shape.randrange(10**11, 10**12),
            shape.randrange(1000, 100000),
            shape.random(),
        )
        extra_tag_roll = shape.random()
        self.channel = (
            _CHANNELS[number]
            if number < len(_CHANNELS)
            else _pick_at(_CHANNELS, _CHANNEL_CUMULATIVE, channel_roll)
        )
        business = self.customer.organization_id is not None
        self.scenario: Scenario = (
            SCENARIOS[number]
            if number < len(SCENARIOS)
            else _pick_at(SCENARIOS, _SCENARIO_CUMULATIVE[business], scenario_roll)
        )
        scenario = self.scenario
        self.book: Phrasebook = PHRASEBOOKS[self.customer.language]
        language = LANGUAGES[self.customer.language]
        devices = scenario.devices or tuple(DEVICES)
        device = devices[int(device_roll * len(devices))]
        price = SUBSCRIPTION_PRICE if scenario.amount == "subscription" else DEVICES[device]
        low, high = scenario.date_days or (-5, -1)
        created = to_datetime(self.created)
        day = (created + timedelta(days=low + int(date_roll * (high - low + 1)))).date()
        customer = self.customer
        self.values: dict[str, str] = {
            "first": customer.first,
            "name": customer.name,
            "surname": customer.surname,
            "agent": "",
            "device": device,
            "order": f"BL-{order}",
            "amount": _amount(language, price),
            "date": language.format_date(day, year=day.year != created.year),
            "iso_date": day.isoformat(),
            "invoice": f"INV-{invoice:07d}",
            "last4": f"{last4:04d}",
            "tracking": str(tracking),
        }
        self.folded = Folded(self.values)
        subjects = self.book.subjects(scenario.key)
        self.subject_template = self.book.template(
            subjects[int(subject_roll * len(subjects))], customer.gender, MALE
        )
        self.tags = list(scenario.tags)
        if extra_tag_roll < 0.12:
            extra = EXTRA_TAGS[int(extra_tag_roll / 0.12 * len(EXTRA_TAGS))]
            if extra not in self.tags:
                self.tags.append(extra)

    # -- how it went -----------------------------------------------------------------------------
    def build(self) -> None:
        self.draw_shape()
        g, flow = self.g, self.flow
        if self.new_customer is not None:
            self._write_customer(*self.new_customer)
        self.status = self._final_status()
        self.steps: list[tuple[int, Step]] = []  # (gap in seconds, step)
        self._plan_opening()
        if self.status == Status.NEW:
            if flow.random() < 0.25 and self.channel != Channel.PHONE:
                self._customer_reply(log_uniform(flow.random(), 600, 20 * HOUR), "nudge")
        else:
            self._plan_work()
        times = self._place_in_time()
        TicketReplay(self, times).write()
        g.ids.ticket += 1

    def _final_status(self) -> int:
        number, sizes = self.number, self.g.sizes
        if sizes.tickets >= 2 * len(NEWEST_STATUSES):
            if number >= sizes.tickets - len(NEWEST_STATUSES):
                return NEWEST_STATUSES[number - (sizes.tickets - len(NEWEST_STATUSES))]
            if number == 0 and self._can_be_closed():
                return Status.CLOSED
        age = (self.g.clock.now - self.created) / DAY
        _limit, statuses, cumulative = next(t for t in _STATUS_TABLES if age < t[0])
        status = _pick(self.flow, statuses, cumulative)
        if status == Status.CLOSED and not self._can_be_closed():
            status = Status.SOLVED
        return status

    def _can_be_closed(self) -> bool:
        # Solved, left alone for the auto-close period, then closed by the hourly task.
        return self.g.clock.now - self.created > self.g.close_after + 6 * HOUR

    # -- the steps -------------------------------------------------------------------------------
    def _plan_opening(self) -> None:
        desk, flow, scenario, channel = self.desk, self.flow, self.scenario, self.channel
        category = desk.categories[scenario.category]
        self.final_category = category
        self.final_priority = self._priority()
        self.final_type = scenario.ticket_type
        if scenario.escalates and flow.random() < 0.2:
            self.final_type = TicketType.PROBLEM
        self.final_fields = self._fields()
        self.group_for_work = category.group or desk.default_group
        self.agent = self._agent(self.group_for_work.id)
        staff_made = channel not in CUSTOMER_MADE
        self.creator: StaffRef | None = None
        self.create: dict[str, Any] = {}
        if staff_made:
            self.creator = desk.admin if channel == Channel.API else self.agent
            self.create = {
                "category": category,
                "priority": self.final_priority,
                "ticket_type": self.final_type,
                "tags": list(self.tags),
                "custom_fields": dict(self.final_fields),
            }
            # A call the agent works at once is theirs from the start.
            if channel != Channel.API and self.status != Status.NEW:
                self.create["assignee"] = self.agent
        else:
            web_category = channel == Channel.WEB and flow.random() < 0.7
            self.create = {
                "category": category if web_category else desk.fallback_category,
                "custom_fields": (
                    {k: v for k, v in self.final_fields.items() if k in CUSTOMER_FIELDS}
                    if channel == Channel.WEB
                    else {}
                ),
            }
        # The opening: the customer's words, even when an agent typed them in (a phone call).
        composer = self._composer()
        composer.add_sentences(
            self.book.sentences(self.book.scenario_text(scenario.key, "opening"), self.customer.gender, MALE),
            self._keep_flags(),
        )
        # The portal form's fields, as the request shows them.
        details = self.create["custom_fields"] if channel == Channel.WEB else {}
        for key in details:
            if key in FIELD_LABELS:
                composer.add(self._detail_line(key))
        if channel in (Channel.EMAIL, Channel.WEB):
            composer.add(self._signoff())
        files: tuple[str, ...] = ()
        if scenario.category.startswith("technical") and flow.random() < 0.2:
            files = ("log",) if scenario.category == "technical/integrations" else ("screenshot",)
        elif scenario.key in ("damaged_package", "wrong_item", "broken_device") and flow.random() < 0.35:
            files = ("photo",) * (1 + int(flow.random() < 0.3))
        self.opening = self._message(None, composer, files=files)

    def _plan_work(self) -> None:
        flow, status, scenario = self.flow, self.status, self.scenario
        key, clarify = scenario.key, _clarification(scenario)
        if flow.random() < 0.08 and self.channel != Channel.PHONE:
            self._customer_reply(log_uniform(flow.random(), 1800, 30 * HOUR), "nudge")
        unassigned = (
            status in (Status.OPEN, Status.PENDING) and "assignee" not in self.create and flow.random() < 0.1
        )
        self._plan_triage(assign=not unassigned)
        agent = self.agent
        if scenario.involves_finance and flow.random() < 0.1 and self.desk.collaborators:
            finance = self.desk.collaborators[0]
            self._add(log_uniform(flow.random(), 300, 4 * HOUR), ShareStep(agent, finance))
            shared_language = "pl" if self.customer.language == "pl" else "en"
            self._note(60, agent, "share_note", language=shared_language)
            self._note(
                log_uniform(flow.random(), 1800, 8 * HOUR), finance, "collab_note", language=shared_language
            )
        rounds = _pick(flow, _ROUND_COUNTS, _ROUND_CUMULATIVE)
        # Leave room for the ending's messages within MAX_MESSAGES.
        rounds = max(0, min(rounds, (MAX_MESSAGES - self._message_count() - 4) // 2))
        noted = flow.random() < 0.25
        for round_ in range(rounds):
            if round_ == 0:
                asks = clarify is not None and flow.random() < 0.4
                self._agent_reply(agent, ("ask_more", clarify) if asks else (key, "reply"), Status.PENDING)
                if noted:
                    self._note(log_uniform(flow.random(), 120, 2 * HOUR), agent, key)
                    noted = False
                self._customer_reply(
                    log_uniform(flow.random(), 900, 48 * HOUR),
                    ("more_info", clarify) if asks else (key, "followup"),
                )
            else:
                asks = clarify is not None and flow.random() < 0.3
                self._agent_reply(agent, ("ask_more", clarify) if asks else ("holding", 0), Status.PENDING)
                self._customer_reply(
                    log_uniform(flow.random(), 900, 72 * HOUR), ("more_info", clarify) if asks else "nudge"
                )
        if status == Status.OPEN:
            ending = flow.random()
            # An unassigned ticket is only open once an agent has answered it.
            if ending < 0.45 or (unassigned and not rounds):
                self._agent_reply(agent, (key, "reply") if not rounds else ("holding", 0), None)
                if scenario.escalates:
                    self._update(
                        log_uniform(flow.random(), 300, 2 * HOUR), agent, {"status_label": ESCALATED}
                    )
                    self._note(60, agent, "escalation_note")
                self._customer_reply(log_uniform(flow.random(), 900, 30 * HOUR), (key, "followup"))
            elif ending < 0.7 or noted:
                self._note(log_uniform(flow.random(), 120, 2 * HOUR), agent, key)
        elif status == Status.PENDING:
            asks = clarify is not None and not rounds and flow.random() < 0.5
            self._agent_reply(agent, ("ask_more", clarify) if asks else (key, "reply"), Status.PENDING)
        elif status == Status.ON_HOLD:
            self._agent_reply(agent, (key, "reply") if not rounds else ("holding", 0), None)
            if scenario.waits_for_parts:
                self._update(
                    log_uniform(flow.random(), 300, 2 * HOUR), agent, {"status_label": WAITING_FOR_PARTS}
                )
                self._note(60, agent, key)
            else:
                self._note(log_uniform(flow.random(), 120, 2 * HOUR), agent, "hold_note")
                self._update(30, agent, {"status": Status.ON_HOLD})
        else:  # solved, and closed later
            # Answered and solved in one reply, or answered first and solved on the customer's word.
            if not rounds and flow.random() < 0.5:
                self._agent_reply(agent, (key, "reply"), Status.PENDING)
                self._customer_reply(log_uniform(flow.random(), 900, 48 * HOUR), (key, "followup"))
            if noted:
                self._note(log_uniform(flow.random(), 120, 2 * HOUR), agent, key)
            files = ("invoice",) if scenario.key == "invoice_address" and flow.random() < 0.6 else ()
            self._agent_reply(agent, (key, "closing"), Status.SOLVED, files=files)
            if flow.random() < 0.04 and self._message_count() <= MAX_MESSAGES - 2:
                # The customer writes again after all: the ticket reopens and is solved again.
                self._customer_reply(log_uniform(flow.random(), 3600, 48 * HOUR), "nudge")
                self._agent_reply(agent, ("holding", 0), Status.SOLVED)

    def _plan_triage(self, *, assign: bool) -> None:
        """Whoever sorts the queue sets category, group, priority, type and tags; the agent who
        takes the ticket assigns it and fills in the rest of the fields."""
        desk, flow = self.desk, self.flow
        create = self.create
        routing: dict[str, Any] = {}
        current_category: CategoryRef = create["category"]
        if current_category.id != self.final_category.id:
            routing["category"] = self.final_category
        if create.get("priority", NORMAL) != self.final_priority:
            routing["priority"] = self.final_priority
        if create.get("ticket_type") is None:
            routing["ticket_type"] = self.final_type
        if not create.get("tags"):
            routing["tags"] = list(self.tags)
        start_group = (current_category.group or desk.default_group).id
        if start_group != self.group_for_work.id:
            routing["group"] = self.group_for_work
        taking: dict[str, Any] = {}
        if assign and "assignee" not in create:
            taking["assignee"] = self.agent
        if self.final_fields != create.get("custom_fields", {}):
            taking["custom_fields"] = dict(self.final_fields)
        gap = log_uniform(flow.random(), 300, 30 * HOUR)
        if "group" in routing and (taking or not assign):
            router = self._agent(start_group)
            self._update(gap, router, routing)
            if taking:
                self._update(log_uniform(flow.random(), 120, 6 * HOUR), self.agent, taking)
        elif routing or taking:
            self._update(gap, self.agent, {**routing, **taking})

    # -- step helpers ----------------------------------------------------------------------------
    def _add(self, gap: int, step: Step) -> None:
        self.steps.append((max(1, gap), step))

    def _message_count(self) -> int:
        return 1 + sum(1 for _, step in self.steps if isinstance(step, MessageStep))

    def _update(self, gap: int, actor: StaffRef | None, changes: dict[str, Any]) -> None:
        self._add(gap, UpdateStep(actor, changes))

    def _customer_reply(self, gap: int, what: str | tuple[str, Any]) -> None:
        composer = self._composer()
        composer.add(self._text(what, self.customer.gender, MALE))
        if self.channel not in UNDRESSED:
            composer.add(self._signoff())
        # A mail program quotes the message the customer answers: the last public one after the
        # request (a customer adding to their own request writes a new mail).
        previous = next(
            (step.text for _, step in reversed(self.steps) if isinstance(step, MessageStep) and step.public),
            "",
        )
        quote_of = previous if self.channel == Channel.EMAIL else ""
        self._add(gap, self._message(None, composer, quote_of=quote_of))

    def _agent_reply(
        self, agent: StaffRef, what: str | tuple[str, Any], status: int | None, files: tuple[str, ...] = ()
    ) -> None:
        gender = self.customer.gender
        composer = self._composer(agent)
        dressed = self.channel not in UNDRESSED
        if dressed:
            composer.add(self.book.template(self.book.greeting, agent.gender, gender))
        if isinstance(what, tuple) and what[1] in ("reply", "closing"):
            text = self.book.scenario_text(what[0], what[1])
            composer.add_sentences(self.book.sentences(text, agent.gender, gender), self._keep_flags())
        else:
            composer.add(self._text(what, agent.gender, gender))
        if dressed:
            composer.add(self.book.template(self.book.agent_signoff, agent.gender, gender))
        self._add(
            log_uniform(self.flow.random(), 300, 30 * HOUR),
            self._message(agent, composer, status=status, files=files),
        )

    def _note(self, gap: int, author: StaffRef, what: str, *, language: str | None = None) -> None:
        book = PHRASEBOOKS[language] if language else self.book
        composer = self._composer(author)
        if what in book.common:
            texts = book.common[what]
            composer.add(book.template(texts[int(self.flow.random() * len(texts))], author.gender, MALE))
        else:
            composer.add(book.template(book.scenario_text(what, "note"), author.gender, MALE))
        self._add(gap, MessageStep(author, False, composer.text(), composer.normalized()))

    def _text(self, what: str | tuple[str, Any], writer: str, reader: str) -> Template:
        book = self.book
        if isinstance(what, tuple):
            name, part = what
            if name in book.common:
                texts = book.common[name]
                return book.template(texts[part % len(texts)], writer, reader)
            return book.template(book.scenario_text(name, part), writer, reader)
        texts = book.common[what]
        return book.template(texts[int(self.flow.random() * len(texts))], writer, reader)

    def _composer(self, author: StaffRef | None = None) -> Composer:
        agent = author.name if author is not None else ""
        if self.values["agent"] != agent:
            self.values["agent"] = agent
            self.folded.pop("agent", None)
        return Composer(self.values, self.folded)

    def _keep_flags(self) -> list[bool]:
        """Which sentences of a longer paragraph a writer keeps: most, not always all."""
        flow = self.flow
        return [True] + [flow.random() > 0.12 for _ in range(7)]

    def _signoff(self) -> Template:
        signoffs = self.book.customer_signoffs
        return self.book.template(signoffs[self.customer.id % len(signoffs)], self.customer.gender, MALE)

    def _detail_line(self, key: str) -> Template:
        label = FIELD_LABELS[key].get(self.book.code) or FIELD_LABELS[key]["en"]
        placeholder = {ORDER_NUMBER: "order", DEVICE: "device", PURCHASE_DATE: "iso_date"}[key]
        return self.book.template(f"{label}: {{{placeholder}}}", MALE, MALE)

    def _message(
        self,
        author: StaffRef | None,
        composer: Composer,
        *,
        status: int | None = None,
        files: tuple[str, ...] = (),
        quote_of: str = "",
    ) -> MessageStep:
        text = composer.text()
        markup = ""
        # Most mail programs send HTML too; the intake keeps it (sanitized) beside the text.
        if author is None and self.channel == Channel.EMAIL and self.flow.random() < 0.6:
            markup = "".join(
                "<p>" + html.escape(paragraph, quote=False).replace("\n", "<br>") + "</p>"
                for paragraph in composer.raw
            )
        return MessageStep(author, True, text, composer.normalized(), markup, quote_of, status, files)

    # -- choices ---------------------------------------------------------------------------------
    def _agent(self, group_id: int) -> StaffRef:
        desk, flow = self.desk, self.flow
        if desk.managers and flow.random() < 0.03:
            return desk.managers[int(flow.random() * len(desk.managers))]
        candidates = (
            desk.speakers.get((group_id, self.customer.language))
            or desk.agents_by_group.get(group_id)
            or desk.agents
        )
        return candidates[int(flow.random() * len(candidates))]

    def _priority(self) -> int:
        roll, base = self.flow.random(), self.scenario.priority
        if roll < 0.15:
            return max(1, base - 1)
        if roll < 0.3:
            return min(4, base + 1)
        return base

    def _fields(self) -> dict[str, Any]:
        known: dict[str, Any] = {
            ORDER_NUMBER: self.values["order"],
            DEVICE: self.values["device"],
            PURCHASE_DATE: self.values["iso_date"],
            WARRANTY: True,
        }
        return {key: known[key] for key in self.scenario.fields}

    # -- time ------------------------------------------------------------------------------------
    def _place_in_time(self) -> list[int]:
        """When each step happens. Natural gaps are squeezed to end before now (and, for a closed
        ticket, early enough for the auto-close to have run); a solved ticket's last step is
        moved into the auto-close window, where a solved ticket waits."""
        g, steps = self.g, self.steps
        if not steps:
            return []
        now, start = g.clock.now, self.created
        latest = now - 120
        if self.status == Status.CLOSED:
            latest = now - g.close_after - HOUR
        offsets, total = [], 0
        for gap, _step in steps:
            total += gap
            offsets.append(total)
        span = max(latest - start, len(steps))
        if total > span:
            scale = span / total
            offsets = [int(offset * scale) for offset in offsets]
        if self.status == Status.SOLVED:
            earliest = now - g.close_after + 1800
            if start + offsets[-1] < earliest:
                window = max(0, latest - earliest)
                offsets[-1] = max(offsets[-1], earliest - start + int(self.flow.random() * window))
        return [start + offset for offset in offsets]

    # -- customers -------------------------------------------------------------------------------
    def _write_customer(self, email: str, time_zone: str) -> None:
        customer, rows, ids = self.customer, self.rows, self.g.ids
        at = self.g.time(self.created)
        rows.customers.append(
            (
                customer.id,
                customer.name,
                email,
                customer.organization_id,
                None,
                customer.language,
                time_zone,
                "",
                at,
                at,
            )
        )
        rows.customer_emails.append((ids.customer_email, customer.id, email, True, at))
        ids.customer_email += 1
        rows.customer_documents.append((customer.id, customer.document))


def _pick_at(items: Sequence[Any], cumulative: Sequence[float], roll: float) -> Any:
    return items[min(bisect_right(cumulative, roll), len(items) - 1)]


_AMOUNTS: dict[tuple[str, float], str] = {}


def _amount(language: Any, price: float) -> str:
    key = (language.LANGUAGE, price)
    found = _AMOUNTS.get(key)
    if found is None:
        found = _AMOUNTS[key] = language.format_amount(price)
    return found
