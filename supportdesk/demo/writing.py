# ruff: noqa: RUF001, RUF003 - the gender markers are guillemets on purpose.
"""Composing the demo's messages: filling in a story's details, agreeing words with the writer's
and the reader's gender, and dressing a message the way its channel would (greeting, sign-off)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING

from supportdesk.demo.data import LANGUAGES
from supportdesk.demo.data.company import FEMALE, MALE, StaffMember
from supportdesk.tickets.choices import Channel

if TYPE_CHECKING:
    from supportdesk.demo.customers import CustomerPlan

# «masculine|feminine» agrees with whoever writes; ‹masculine|feminine› with whoever reads.
WRITER_GENDER = re.compile(r"«([^|«»]*)\|([^«»]*)»")
READER_GENDER = re.compile(r"‹([^|‹›]*)\|([^‹›]*)›")
PLACEHOLDERS = frozenset(
    {"first", "name", "surname", "agent", "order", "amount", "date", "device", "invoice", "last4", "tracking"}
)
# Chat is typed live: no greeting or sign-off there.
UNDRESSED = (Channel.CHAT,)


def agree(text: str, *, writer: str, reader: str = MALE) -> str:
    """Resolve the gender markers of `text` for a writer and a reader of the given genders."""
    text = WRITER_GENDER.sub(lambda m: m.group(2) if writer == FEMALE else m.group(1), text)
    return READER_GENDER.sub(lambda m: m.group(2) if reader == FEMALE else m.group(1), text)


class _Strict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"unknown placeholder {{{key}}} in demo text")


class Writer:
    """Writes the messages of one ticket: its language, its customer, its story's details."""

    def __init__(
        self,
        language: ModuleType,
        customer: CustomerPlan,
        values: Mapping[str, str],
        *,
        channel: str,
        rng: random.Random,
    ):
        self.language, self.person, self.channel, self.rng = language, customer, channel, rng
        self.values = _Strict(
            {key: value for key, value in values.items() if key in PLACEHOLDERS},
            first=customer.first,
            name=customer.name,
            surname=customer.surname,
            agent="",
        )
        signoffs = language.CUSTOMER_SIGNOFFS
        # People sign the same way every time.
        self.signoff = signoffs[customer.key % len(signoffs)]

    def fill(self, text: str, *, writer: str, reader: str = MALE, agent: str = "") -> str:
        values = _Strict(self.values, agent=agent)
        return agree(text, writer=writer, reader=reader).format_map(values)

    # -- raw parts --------------------------------------------------------------------------------
    def part(self, scenario: str, name: str) -> str:
        text = self.language.SCENARIOS[scenario][name]
        assert isinstance(text, str)
        return text

    def common(self, name: str, language: str | None = None, *, index: int | None = None) -> str:
        """One of the language's shared texts: `index` picks a given one (the question and the
        answer of a pair share their index), else one at random."""
        texts = (LANGUAGES[language] if language else self.language).COMMON[name]
        return str(texts[index % len(texts)] if index is not None else self.rng.choice(texts))

    # -- finished texts ---------------------------------------------------------------------------
    def subject(self, scenario: str, index: int) -> str:
        subjects = self.language.SCENARIOS[scenario]["subjects"]
        return self.fill(subjects[index % len(subjects)], writer=self.person.gender)

    def opening(self, scenario: str) -> str:
        body = self.fill(self.part(scenario, "opening"), writer=self.person.gender)
        if self.channel in (Channel.EMAIL, Channel.WEB):
            body += "\n\n" + self.fill(self.signoff, writer=self.person.gender)
        return body

    def customer(self, text: str, *, channel: str | None = None) -> str:
        body = self.fill(text, writer=self.person.gender)
        if (channel or self.channel) not in UNDRESSED:
            body += "\n\n" + self.fill(self.signoff, writer=self.person.gender)
        return body

    def agent(self, text: str, agent: StaffMember) -> str:
        def fill(part: str) -> str:
            return self.fill(part, writer=agent.gender, reader=self.person.gender, agent=agent.name)

        body = fill(text)
        if self.channel in UNDRESSED:
            return body
        return f"{fill(self.language.GREETING)}\n\n{body}\n\n{fill(self.language.AGENT_SIGNOFF)}"

    def note(self, text: str, author: StaffMember) -> str:
        return self.fill(text, writer=author.gender, agent=author.name)
