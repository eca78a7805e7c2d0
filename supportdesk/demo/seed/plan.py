"""How big the bench data set is and when its tickets happen (pure, deterministic).

Times are whole seconds since the Unix epoch (UTC) while rows are built: adding and comparing
integers is much cheaper than datetime arithmetic, and each engine's writer turns them into
its own text form once, through `TimeText`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

TICKETS_PER_AGENT = 2_000
MIN_AGENTS = 10
TICKETS_PER_CUSTOMER = 4
CUSTOMERS_PER_ORGANIZATION = 40
AGENTS_PER_MANAGER = 25
COLLABORATORS = 2
DAY = 86_400
HOUR = 3_600
# The newest ticket is this old at most when the load starts.
NEWEST_TICKET_AGE = 5 * 60

# Weight of each hour of the day (UTC) and day of the week (Monday first) in ticket arrivals.
HOUR_WEIGHTS = (0.3,) * 7 + (1, 2, 3, 3, 3, 2.5, 3, 3, 2.5, 2, 1.5, 1, 0.8, 0.6, 0.5, 0.4, 0.3)
WEEKDAY_WEIGHTS = (1, 1, 1, 1, 0.95, 0.55, 0.5)
# November and December are busier (sales season, gifts).
MONTH_WEIGHTS = (1, 0.9, 1, 1, 1, 0.95, 0.95, 1, 1, 1.05, 1.3, 1.35)


@dataclass(frozen=True)
class Sizes:
    tickets: int
    agents: int
    managers: int
    collaborators: int
    customers: int
    organizations: int


def sizes_for(tickets: int) -> Sizes:
    """The team and customer base that goes with `tickets` tickets."""
    agents = max(MIN_AGENTS, round(tickets / TICKETS_PER_AGENT))
    customers = max(1, min(tickets, round(tickets / TICKETS_PER_CUSTOMER))) if tickets else 0
    return Sizes(
        tickets=tickets,
        agents=agents,
        managers=max(1, agents // AGENTS_PER_MANAGER),
        collaborators=COLLABORATORS,
        customers=customers,
        # At least one per language, so every language has business customers.
        organizations=max(5, customers // CUSTOMERS_PER_ORGANIZATION) if customers else 0,
    )


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def to_datetime(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class Clock:
    """When each ticket arrives: `tickets` moments over the last `months` months, busier on
    weekdays, in office hours and as the business grows; oldest first.

    Ticket `number` (0-based) gets the moment where the arrival curve reaches
    (number + jitter) / tickets of its total, so any ticket's time is computed on its own (no
    list of a million moments to sort) and the times still come out in order.
    """

    def __init__(self, *, now: datetime, months: int, tickets: int):
        self.now = epoch(now)
        self.end = self.now - NEWEST_TICKET_AGE
        hours = max(1, round(months * 30.44 * 24))
        self.start = self.end - hours * HOUR
        self.tickets = max(tickets, 1)
        first_hour = to_datetime(self.start)
        cumulative, total = [], 0.0
        for hour in range(hours):
            moment = first_hour + timedelta(hours=hour)
            growth = 0.6 + 0.8 * hour / hours
            total += (
                growth
                * HOUR_WEIGHTS[moment.hour]
                * WEEKDAY_WEIGHTS[moment.weekday()]
                * MONTH_WEIGHTS[moment.month - 1]
            )
            cumulative.append(total)
        self._cumulative = cumulative
        self._total = total

    def created_at(self, number: int, jitter: float) -> int:
        """The moment ticket `number` arrives; `jitter` in [0, 1) places it within its share."""
        target = (number + jitter) / self.tickets * self._total
        cumulative = self._cumulative
        hour = min(bisect_right(cumulative, target), len(cumulative) - 1)
        before = cumulative[hour - 1] if hour else 0.0
        weight = cumulative[hour] - before
        within = (target - before) / weight if weight > 0 else 0.0
        return min(self.start + hour * HOUR + int(within * HOUR), self.end)


def log_uniform(rng_value: float, low: float, high: float) -> int:
    """A duration between `low` and `high` seconds, short ones likelier (as response times are)."""
    return int(math.exp(math.log(low) + rng_value * (math.log(high) - math.log(low))))


class TimeText:
    """Epoch seconds → the text a database stores for a timestamp, fast: one dictionary lookup
    for the day and one list index for the time of day."""

    EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

    def __init__(self, suffix: str = ""):
        self._days: dict[int, str] = {}
        self._clock = [
            f"{h:02d}:{m:02d}:{s:02d}{suffix}" for h in range(24) for m in range(60) for s in range(60)
        ]

    def __call__(self, seconds: int) -> str:
        day, second = divmod(seconds, DAY)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = date.fromordinal(self.EPOCH_ORDINAL + day).isoformat() + " "
        return prefix + self._clock[second]
