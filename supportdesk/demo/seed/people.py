"""The bench desk's people: the team, the organizations and the customers (pure, deterministic).

Customers are not planned up front: the generator introduces each one with the ticket they first
write, so a customer's record is created when they first wrote in and customer ids grow with
time, as on a real desk. Only what later tickets need is kept per customer (a few strings).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from supportdesk.accounts.choices import Role
from supportdesk.core.search.normalize import normalize
from supportdesk.demo.customers import TIME_ZONES, person_name
from supportdesk.demo.data.company import BILLING, FEMALE, MALE, SUPPORT, TECHNICAL
from supportdesk.demo.data.people import ascii_fold
from supportdesk.demo.seed.names import AGENT_DOMAIN, ORGANIZATION_WORDS, PERSONAL_DOMAINS, ROMANIZED
from supportdesk.demo.seed.plan import Sizes

LANGUAGE_WEIGHTS = {"en": 34, "vi": 17, "pl": 17, "zh-hans": 16, "zh-hant": 16}
LANGUAGES = tuple(LANGUAGE_WEIGHTS)
ORDERS, DEVICES, INTEGRATIONS = "Orders & Delivery", "Devices & Warranty", "Integrations"
# Six groups; Support is the desk's default group (created by the accounts migration).
GROUPS: dict[str, str] = {
    SUPPORT: "Everyone who answers customers: accounts, product questions and first contact.",
    BILLING: "Payments, invoices, refunds and subscriptions.",
    TECHNICAL: "The app and bugs.",
    ORDERS: "Orders, deliveries and returns.",
    DEVICES: "Devices, repairs and warranty claims.",
    INTEGRATIONS: "The developer API, webhooks and integrations.",
}
# The demo's category keys → the bench group that takes their tickets.
CATEGORY_GROUPS = {
    "account": SUPPORT,
    "billing": BILLING,
    "billing/invoices": BILLING,
    "billing/refunds": BILLING,
    "billing/subscriptions": BILLING,
    "orders": ORDERS,
    "orders/delivery": ORDERS,
    "orders/returns": ORDERS,
    "technical": TECHNICAL,
    "technical/bugs": TECHNICAL,
    "technical/integrations": INTEGRATIONS,
    "technical/devices": DEVICES,
    "product": SUPPORT,
}
UI_LANGUAGES = {"en": "", "vi": "vi", "pl": "pl", "zh-hans": "zh-hans", "zh-hant": "zh-hant"}
# Share of customers who write in for an organization.
ORGANIZATION_SHARE = 0.75
SHARING_ORGANIZATIONS = 0.05
# The finance colleague the demo's share notes address by name ("Joanna, could you …").
FINANCE = ("Joanna Nowak", FEMALE)


def weighted_counts(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` split by `weights`, at least one each when there are enough to go round."""
    scale = sum(weights.values())
    counts = {key: total * weight // scale for key, weight in weights.items()}
    for key in list(counts)[: total - sum(counts.values())]:
        counts[key] += 1
    if total >= len(weights):
        for key in counts:
            if not counts[key]:
                largest = max(counts, key=counts.__getitem__)
                counts[largest] -= 1
                counts[key] = 1
    return counts


@dataclass(frozen=True)
class StaffPlan:
    email: str
    name: str
    gender: str
    role: str
    languages: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    ui_language: str = ""
    time_zone: str = ""


def plan_staff(rng: random.Random, sizes: Sizes) -> list[StaffPlan]:
    """Agents (agent0001@bench.example …) in the groups, managers, the finance collaborators."""
    staff: list[StaffPlan] = []
    groups = list(GROUPS)
    languages = list(LANGUAGE_WEIGHTS)
    weights = list(LANGUAGE_WEIGHTS.values())
    for index in range(sizes.agents):
        # Round robin first, so every group and language has someone; then by the customer mix.
        language = languages[index] if index < len(languages) else rng.choices(languages, weights)[0]
        gender = rng.choice((FEMALE, MALE))
        name = person_name(rng, language, gender)[0]
        own = groups[index % len(groups)]
        extra = rng.choice(groups) if rng.random() < 0.2 else own
        spoken = (language,) if language == "en" else (language, "en")
        staff.append(
            StaffPlan(
                email=f"agent{index + 1:04d}@{AGENT_DOMAIN}",
                name=name,
                gender=gender,
                role=Role.AGENT,
                languages=spoken,
                groups=tuple(dict.fromkeys((own, extra))),
                ui_language=UI_LANGUAGES[language],
                time_zone=rng.choice(TIME_ZONES[language]),
            )
        )
    for index in range(sizes.managers):
        language = languages[index % len(languages)]
        gender = rng.choice((FEMALE, MALE))
        staff.append(
            StaffPlan(
                email=f"manager{index + 1:03d}@{AGENT_DOMAIN}",
                name=person_name(rng, language, gender)[0],
                gender=gender,
                role=Role.MANAGER,
                languages=tuple(languages),
                ui_language=UI_LANGUAGES[language],
                time_zone=rng.choice(TIME_ZONES[language]),
            )
        )
    for index in range(sizes.collaborators):
        name, gender = FINANCE if index == 0 else (person_name(rng, "pl", MALE)[0], MALE)
        staff.append(
            StaffPlan(
                email=f"finance{index + 1:02d}@{AGENT_DOMAIN}",
                name=name,
                gender=gender,
                role=Role.COLLABORATOR,
                ui_language="pl",
                time_zone="Europe/Warsaw",
            )
        )
    return staff


@dataclass(frozen=True)
class OrganizationPlan:
    name: str
    domain: str
    language: str
    shares_tickets: bool


def plan_organizations(rng: random.Random, count: int) -> list[OrganizationPlan]:
    """`count` organizations with distinct names (case-insensitively, as the database requires)
    and distinct domains, in proportion to the customers' languages."""
    plans: list[OrganizationPlan] = []
    for language, share in weighted_counts(count, LANGUAGE_WEIGHTS).items():
        firsts, seconds, kinds = ORGANIZATION_WORDS[language]
        combinations = len(firsts) * len(seconds) * len(kinds)
        # A stride coprime with the number of combinations walks through all of them in a
        # scattered order, so neighbours do not share their first word.
        stride = next(s for s in range(combinations // 3 + 1, combinations * 2) if _coprime(s, combinations))
        for index in range(share):
            combination, round_ = (index * stride) % combinations, index // combinations
            first = firsts[combination % len(firsts)]
            second = seconds[(combination // len(firsts)) % len(seconds)]
            kind = kinds[combination // (len(firsts) * len(seconds))]
            name = _organization_name(language, first, second, kind)
            if round_:
                name = f"{name} {round_ + 1}"
            slug = ascii_fold(ROMANIZED.get(second, first + second)).replace(".", "")
            # The number keeps domains apart (names differ, their romanized slugs may not).
            domain = f"{slug or 'company'}{len(plans) + 1}.example"
            plans.append(
                OrganizationPlan(name, domain, language, shares_tickets=rng.random() < SHARING_ORGANIZATIONS)
            )
    return plans


def _organization_name(language: str, first: str, second: str, kind: str) -> str:
    if language == "vi":
        return f"{kind} {first} {second}"
    if language.startswith("zh"):
        return f"{first}{second}{kind}"
    return f"{first} {second} {kind}"


def _coprime(a: int, b: int) -> bool:
    while b:
        a, b = b, a % b
    return a == 1


@dataclass(slots=True)
class CustomerRef:
    """What later tickets need to know about a customer."""

    id: int
    language: str
    gender: str
    name: str
    first: str
    surname: str
    organization_id: int | None
    # The end of the ticket search document: the requester's name and address, normalized.
    document: str
    last_ticket: int = 0
    last_closed_at: int = 0


class CustomerBook:
    """Customers, introduced one by one as they first write in."""

    def __init__(self, *, first_id: int, organizations: Sequence[tuple[int, OrganizationPlan]]):
        """`organizations`: (id, plan) of the organizations customers may belong to."""
        self.first_id = first_id
        self.customers: list[CustomerRef] = []
        self.by_language: dict[str, list[tuple[int, str]]] = {code: [] for code in LANGUAGE_WEIGHTS}
        for organization_id, organization in organizations:
            self.by_language[organization.language].append((organization_id, organization.domain))
        self._languages = list(LANGUAGE_WEIGHTS)
        self._cumulative = []
        total = 0
        for weight in LANGUAGE_WEIGHTS.values():
            total += weight
            self._cumulative.append(total / sum(LANGUAGE_WEIGHTS.values()))

    def __len__(self) -> int:
        return len(self.customers)

    def introduce(self, rng: random.Random) -> tuple[CustomerRef, str, str]:
        """A new customer: (their reference, their email address, their time zone)."""
        index = len(self.customers)
        if index < len(self._languages):
            language = self._languages[index]  # every language from the first tickets on
        else:
            roll = rng.random()
            language = next(
                (code for code, edge in zip(self._languages, self._cumulative, strict=True) if roll < edge),
                self._languages[-1],
            )
        gender = FEMALE if rng.random() < 0.5 else MALE
        name, first, surname, local = person_name(rng, language, gender)
        customer_id = self.first_id + index
        organizations = self.by_language[language]
        if organizations and rng.random() < ORGANIZATION_SHARE:
            organization_id, domain = organizations[int(rng.random() * len(organizations))]
        else:
            organization_id, domain = None, PERSONAL_DOMAINS[int(rng.random() * len(PERSONAL_DOMAINS))]
        # The id makes the address unique; a name's local part never ends in a digit.
        email = f"{local}{customer_id}@{domain}"
        time_zone = TIME_ZONES[language][int(rng.random() * len(TIME_ZONES[language]))]
        customer = CustomerRef(
            id=customer_id,
            language=language,
            gender=gender,
            name=name,
            first=first,
            surname=surname,
            organization_id=organization_id,
            document=normalize(f"{name} {email}"),
        )
        self.customers.append(customer)
        return customer, email, time_zone

    def returning(self, rng: random.Random) -> CustomerRef:
        """A customer who wrote before: half the time a recent one (people write again soon
        about the same thing), otherwise anyone."""
        known = len(self.customers)
        roll = rng.random()
        if roll < 0.5:
            back = int(known * rng.random() ** 4)
            return self.customers[known - 1 - back]
        return self.customers[int(rng.random() * known)]
