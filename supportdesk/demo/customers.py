"""Planning the demo's customers: about 150 people in five languages, most of them in one of the
organizations, each with a unique address at a reserved domain."""

from __future__ import annotations

import random
from dataclasses import dataclass

from supportdesk.accounts.choices import Role
from supportdesk.demo.credentials import demo_login
from supportdesk.demo.data import people
from supportdesk.demo.data.company import FEMALE, MALE, ORGANIZATIONS, PERSONAL_DOMAINS, PORTAL_ORGANIZATION

TIME_ZONES = {
    "en": ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Dublin"),
    "vi": ("Asia/Ho_Chi_Minh",),
    "pl": ("Europe/Warsaw",),
    "zh-hans": ("Asia/Shanghai",),
    "zh-hant": ("Asia/Taipei",),
}
# Two in three customers write in for their organization; the others for themselves.
ORGANIZATION_SHARE = 2 / 3


@dataclass(frozen=True)
class CustomerPlan:
    key: int
    name: str
    first: str  # how a greeting names them (English, Vietnamese)
    surname: str  # how a Chinese greeting names them
    gender: str
    language: str
    email: str
    organization: str | None = None
    phone: str = ""
    time_zone: str = ""
    portal: bool = False


def plan_customers(rng: random.Random) -> list[CustomerPlan]:
    """The customers, the portal customer (with the demo sign-in) first."""
    login = demo_login(Role.CUSTOMER)
    portal = CustomerPlan(
        key=0,
        name=login.name,
        first=login.name.split()[0],
        surname=login.name.split()[-1],
        gender=FEMALE,
        language="en",
        email=login.email,
        organization=PORTAL_ORGANIZATION,
        phone="+12025550100",
        time_zone="America/New_York",
        portal=True,
    )
    customers = [portal]
    names, emails = {portal.name}, {portal.email}
    phones = iter(range(101, 200))
    for language, count in people.CUSTOMERS_PER_LANGUAGE.items():
        organizations = [o for o in ORGANIZATIONS if o.language == language]
        for _ in range(count):
            gender = rng.choice((FEMALE, MALE))
            while True:
                name, first, surname, local = person_name(rng, language, gender)
                if name not in names:
                    break
            names.add(name)
            organization = rng.choice(organizations) if rng.random() < ORGANIZATION_SHARE else None
            domain = organization.domain if organization else rng.choice(PERSONAL_DOMAINS)
            email, suffix = f"{local}@{domain}", 2
            while email in emails:
                email, suffix = f"{local}{suffix}@{domain}", suffix + 1
            emails.add(email)
            # Numbers in the 555-0100..0199 range are reserved for fiction in North America.
            phone = f"+1202555{next(phones):04d}" if language == "en" and rng.random() < 0.5 else ""
            customers.append(
                CustomerPlan(
                    key=len(customers),
                    name=name,
                    first=first,
                    surname=surname,
                    gender=gender,
                    language=language,
                    email=email,
                    organization=organization.name if organization else None,
                    phone=phone,
                    time_zone=rng.choice(TIME_ZONES[language]),
                )
            )
    return customers


def person_name(rng: random.Random, language: str, gender: str) -> tuple[str, str, str, str]:
    """(full name, name used in a greeting, family name, email local part) as written in `language`."""
    if language == "en":
        first, family = rng.choice(people.EN_GIVEN[gender]), rng.choice(people.EN_FAMILY)
        return f"{first} {family}", first, family, f"{first}.{family}".lower()
    if language == "vi":
        given, family = rng.choice(people.VI_GIVEN[gender]), rng.choice(people.VI_FAMILY)
        call_name = given.split()[-1]
        local = people.ascii_fold(f"{call_name}.{family}")
        return f"{family} {given}", call_name, family, local
    if language == "pl":
        first = rng.choice(people.PL_GIVEN[gender])
        family = rng.choice(people.PL_FAMILY)[1 if gender == FEMALE else 0]
        return f"{first} {family}", first, family, people.ascii_fold(f"{first}.{family}")
    families, given_names = (
        (people.ZH_HANS_FAMILY, people.ZH_HANS_GIVEN)
        if language == "zh-hans"
        else (people.ZH_HANT_FAMILY, people.ZH_HANT_GIVEN)
    )
    (family, family_latin), (given, given_latin) = rng.choice(families), rng.choice(given_names[gender])
    return f"{family}{given}", f"{family}{given}", family, f"{given_latin}.{family_latin}"
