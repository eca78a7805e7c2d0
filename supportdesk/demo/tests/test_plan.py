"""The demo plan and its texts, without a database: determinism, coverage, timing, wording."""

from __future__ import annotations

import re
import string
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from supportdesk.demo.customers import plan_customers
from supportdesk.demo.data import LANGUAGES
from supportdesk.demo.data.company import CATEGORIES, FEMALE, MALE, ORGANIZATIONS, STAFF
from supportdesk.demo.data.scenarios import COMMON_PARTS, SCENARIO_PARTS, SCENARIOS
from supportdesk.demo.plan import CUSTOMER, REPLY, SYSTEM, UPDATE, build_plan
from supportdesk.demo.writing import PLACEHOLDERS, READER_GENDER, WRITER_GENDER, agree
from supportdesk.tickets.choices import Status

NOW = datetime(2026, 3, 18, 14, 30, tzinfo=UTC)
CLOSE_AFTER = 4


@pytest.fixture(scope="module")
def plan():
    return build_plan(seed=7, tickets=300, now=NOW, close_after_days=CLOSE_AFTER)


def test_the_same_seed_gives_the_same_plan(plan):
    again = build_plan(seed=7, tickets=300, now=NOW, close_after_days=CLOSE_AFTER)
    assert again == plan
    other = build_plan(seed=8, tickets=300, now=NOW, close_after_days=CLOSE_AFTER)
    assert [t.subject for t in other.tickets] != [t.subject for t in plan.tickets]


def test_the_number_of_tickets_asked_for_includes_merged_duplicates(plan):
    duplicates = sum(1 for t in plan.tickets for s in t.steps if s.kind == "duplicate")
    assert duplicates >= 1
    assert len(plan.tickets) + duplicates == 300


def test_every_status_language_and_channel_shows_up(plan):
    assert set(Counter(t.status for t in plan.tickets)) == set(Status)
    assert set(Counter(t.language for t in plan.tickets)) == {"en", "vi", "pl", "zh-hans", "zh-hant"}
    assert set(Counter(t.channel for t in plan.tickets)) == {"email", "web", "chat", "phone", "api"}
    assert {t.scenario for t in plan.tickets} == {s.key for s in SCENARIOS}


@pytest.mark.parametrize("tickets", [6, 20, 30])
@pytest.mark.parametrize("seed", [1, 7])
def test_small_desks_still_show_every_status(tickets, seed):
    small = build_plan(seed=seed, tickets=tickets, now=NOW, close_after_days=CLOSE_AFTER)
    assert {t.status for t in small.tickets} == set(Status)


def test_tickets_spread_over_ninety_days_oldest_first(plan):
    created = [t.created_at for t in plan.tickets]
    assert created == sorted(created)
    assert NOW - created[0] > timedelta(days=80)
    assert NOW - created[-1] < timedelta(days=1)


def test_steps_happen_in_order_after_creation_and_before_now(plan):
    for ticket in plan.tickets:
        moments = [ticket.created_at, *(s.at for s in ticket.steps)]
        assert moments == sorted(moments), ticket.number
        assert moments[-1] < NOW


def test_conversations_have_one_to_eight_messages(plan):
    sizes = Counter(1 + sum(1 for s in t.steps if s.kind == REPLY) for t in plan.tickets)
    assert min(sizes) == 1
    assert max(sizes) <= 8
    assert len(sizes) >= 5


def test_solved_tickets_wait_for_the_auto_close_and_closed_ones_had_their_wait(plan):
    limit = timedelta(days=CLOSE_AFTER)
    for ticket in plan.tickets:
        solving = [s for s in ticket.steps if s.status == Status.SOLVED]
        if ticket.status == Status.SOLVED:
            assert NOW - solving[-1].at < limit
        if ticket.status == Status.CLOSED and solving:
            closing = ticket.steps[-1]
            assert (closing.kind, closing.actor, closing.changes) == (
                UPDATE,
                SYSTEM,
                {"status": Status.CLOSED},
            )
            assert closing.at - solving[-1].at >= limit


def test_the_portal_customer_has_several_requests_in_different_states(plan):
    portal = next(c for c in plan.customers if c.portal)
    theirs = [t for t in plan.tickets if t.customer == portal.key]
    assert len(theirs) >= 4
    assert len({t.status for t in theirs}) >= 3
    assert all(t.language == portal.language and t.creator == CUSTOMER for t in theirs)


def test_customers_are_unique_and_use_reserved_domains():
    import random

    customers = plan_customers(random.Random(1))
    assert 140 <= len(customers) <= 160
    assert len({c.email for c in customers}) == len(customers)
    assert len({c.name for c in customers}) == len(customers)
    reserved = {o.domain for o in ORGANIZATIONS} | {"example.com", "example.net", "example.org"}
    reserved.add("demo.supportdesk.test")
    assert {c.email.rpartition("@")[2] for c in customers} <= reserved
    assert all(re.fullmatch(r"[a-z0-9.-]+@[a-z0-9.-]+", c.email) for c in customers)
    organized = sum(1 for c in customers if c.organization)
    assert 0.5 < organized / len(customers) < 0.8


def test_names_are_written_as_people_there_write_them():
    import random

    customers = plan_customers(random.Random(2))
    vietnamese = [c for c in customers if c.language == "vi"]
    assert all(c.name.endswith(c.first) and c.name.startswith(c.surname) for c in vietnamese)
    polish_women = [c for c in customers if c.language == "pl" and c.gender == FEMALE]
    assert all(not c.surname.endswith("ski") for c in polish_women)
    chinese = [c for c in customers if c.language.startswith("zh")]
    assert all(" " not in c.name and c.name.startswith(c.surname) for c in chinese)


# -- the texts ----------------------------------------------------------------------------------
@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_language_tells_every_story(code):
    module = LANGUAGES[code]
    assert set(module.SCENARIOS) == {s.key for s in SCENARIOS}
    for key, parts in module.SCENARIOS.items():
        assert set(parts) == set(SCENARIO_PARTS), (code, key)
        assert len(parts["subjects"]) >= 2
    assert set(module.COMMON) >= set(COMMON_PARTS)
    # Paired question/answer texts share their index.
    assert len(module.COMMON["ask_more"]) == len(module.COMMON["more_info"])


def _texts(module):
    yield from (module.GREETING, module.AGENT_SIGNOFF, *module.CUSTOMER_SIGNOFFS)
    for texts in module.COMMON.values():
        yield from texts
    for parts in module.SCENARIOS.values():
        for value in parts.values():
            yield from (value if isinstance(value, tuple) else (value,))


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_texts_use_only_known_placeholders_and_well_formed_markers(code):
    for text in _texts(LANGUAGES[code]):
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        assert names <= PLACEHOLDERS, text
        for gender in (MALE, FEMALE):
            resolved = agree(text, writer=gender, reader=gender)
            assert not re.search(r"[«»‹›]", resolved), text
        assert text == text.strip()


def test_gender_markers_pick_the_writers_and_the_readers_form():
    text = "«Zamówiłem|Zamówiłam» — Chào ‹anh|chị›"
    assert agree(text, writer=MALE, reader=FEMALE) == "Zamówiłem — Chào chị"
    assert agree(text, writer=FEMALE, reader=MALE) == "Zamówiłam — Chào anh"
    assert WRITER_GENDER.pattern != READER_GENDER.pattern


def test_texts_are_written_in_their_own_script():
    vietnamese = " ".join(_texts(LANGUAGES["vi"]))
    assert re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", vietnamese)
    polish = " ".join(_texts(LANGUAGES["pl"]))
    assert all(letter in polish for letter in "ąćęłńóśźż")
    simplified, traditional = " ".join(_texts(LANGUAGES["zh-hans"])), " ".join(_texts(LANGUAGES["zh-hant"]))
    # Characters that differ between the scripts: each text uses its own form only.
    for simple, full in (("账", "帳"), ("发", "發"), ("设", "設"), ("应", "應"), ("们", "們"), ("这", "這")):
        assert simple in simplified and simple not in traditional, simple
        assert full in traditional and full not in simplified, full


def test_planned_messages_have_no_leftovers(plan):
    for ticket in plan.tickets:
        for text in [ticket.subject, ticket.body, *(s.body for s in ticket.steps)]:
            assert not re.search(r"[{}«»‹›]", text), text


def test_the_taxonomy_is_translated_into_every_interface_language():
    for category in CATEGORIES:
        assert set(category.translations) == {"vi", "pl", "zh-hant", "zh-hans"}
    assert {m.role for m in STAFF} == {"administrator", "manager", "agent", "collaborator"}


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_dates_and_amounts_are_written_the_local_way(code):
    from datetime import date

    module = LANGUAGES[code]
    day = date(2025, 3, 14)
    assert "14" in module.format_date(day) and "2025" not in module.format_date(day)
    assert "2025" in module.format_date(day, year=True)
    assert any(symbol in module.format_amount(149.0) for symbol in ("$", "₫", "zł", "¥", "NT$"))
