"""`supportdesk bench seed`: the bench data set it writes directly must read as if the services
had written it — counters, timelines, status timestamps, the search index — and the product
must work on it (sign-in, inbox, ticket page, search, API, new replies)."""

from __future__ import annotations

import hashlib
import io
import random
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import ForeignKey
from django.db.models.expressions import RawSQL
from django.test import Client
from django.utils.html import escape

from supportdesk.accounts.models import ApiToken, Group, User
from supportdesk.accounts.services import api_token_authenticate
from supportdesk.core.search.normalize import normalize
from supportdesk.customers.models import Customer, Organization
from supportdesk.customers.services import customer_create, customer_search_index
from supportdesk.demo.data.company import CATEGORIES, EXTRA_TAGS, FEMALE, MALE
from supportdesk.demo.data.scenarios import SCENARIOS
from supportdesk.demo.seed.columns import TABLES
from supportdesk.demo.seed.desk import ADMIN_EMAIL
from supportdesk.demo.seed.loader import SeedRefused, seed_bench
from supportdesk.demo.seed.people import CATEGORY_GROUPS, GROUPS, CustomerBook, plan_organizations
from supportdesk.demo.seed.pipeline import batches, can_fork
from supportdesk.demo.seed.plan import Clock, TimeText, sizes_for
from supportdesk.demo.seed.refs import CategoryRef, Desk, Named, StaffRef
from supportdesk.demo.seed.stories import Generator, IdCounters, Rows
from supportdesk.demo.seed.texts import Folded, Template
from supportdesk.tickets.choices import AuthorKind, Channel, EventKind, Status
from supportdesk.tickets.models import Attachment, Message, Ticket, TicketEvent
from supportdesk.tickets.selectors import TicketFilters, ticket_list
from supportdesk.tickets.services import Actor, message_add, ticket_create, ticket_update
from supportdesk.tickets.services.common import ticket_search_index
from supportdesk.tickets.transitions import can_transition

pytestmark = pytest.mark.django_db
TICKETS = 200
PASSWORD = "bench-test-password"
NOW = datetime(2026, 3, 18, 14, 0, tzinfo=UTC)


@pytest.fixture
def seeded():
    return seed_bench(tickets=TICKETS, seed=3, months=6, password=PASSWORD, background=False)


@pytest.fixture
def admin(seeded) -> User:
    return User.objects.get(email=ADMIN_EMAIL)


def test_the_data_set_has_the_rows_asked_for_and_covers_every_status_channel_and_language(seeded):
    assert Ticket.objects.count() == TICKETS
    assert Customer.objects.count() == TICKETS // 4
    assert Organization.objects.count() == 5
    roles = Counter(User.objects.values_list("role", flat=True))
    assert roles == {"agent": 10, "manager": 1, "collaborator": 2, "administrator": 1}
    assert Group.objects.count() == 6
    assert all(g.memberships.exists() for g in Group.objects.all())
    # What the summary reports is what the tables hold.
    for table in TABLES:
        assert seeded.counts[table.name] == table.model.objects.count(), table.name
    assert {t.status for t in Ticket.objects.all()} == set(Status)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Ticket.objects.values_list("language", flat=True)) == {"en", "vi", "pl", "zh-hans", "zh-hant"}
    assert set(Ticket.objects.values_list("priority_id", flat=True)) == {1, 2, 3, 4}
    scenario_categories = {spec.name for spec in CATEGORIES if spec.key in {s.category for s in SCENARIOS}}
    assert scenario_categories <= set(Ticket.objects.values_list("category__name", flat=True))
    sizes = Counter(Ticket.objects.values_list("message_count", flat=True))
    assert min(sizes) >= 1 and max(sizes) <= 10
    average = sum(count * n for count, n in sizes.items()) / TICKETS
    assert 3.5 <= average <= 5.5
    # Realistic lengths: most messages are a few hundred characters.
    lengths = sorted(len(text) for text in Message.objects.values_list("body_text", flat=True))
    assert 60 <= lengths[len(lengths) // 2] <= 800
    assert Message.objects.exclude(body_html="").exists() and Message.objects.exclude(quoted_text="").exists()


def test_attachments_point_at_real_files_with_their_size_and_checksum(seeded):
    attachments = list(Attachment.objects.all())
    assert attachments
    for attachment in {a.file.name: a for a in attachments}.values():
        with default_storage.open(attachment.file.name) as handle:
            data = handle.read()
        assert len(data) == attachment.size
        assert hashlib.sha256(data).hexdigest() == attachment.sha256
    assert len({a.token for a in attachments}) == len(attachments)
    assert all(a.message.ticket_id == a.ticket_id for a in Attachment.objects.select_related("message"))


def test_counters_and_status_timestamps_match_the_messages_and_the_timeline(seeded):
    messages: dict[int, list[dict]] = defaultdict(list)
    for row in Message.objects.order_by("created_at", "id").values():
        messages[row["ticket_id"]].append(row)
    events: dict[int, list[dict]] = defaultdict(list)
    for row in TicketEvent.objects.order_by("created_at", "id").values():
        events[row["ticket_id"]].append(row)
    for ticket in Ticket.objects.all():
        own, timeline = messages[ticket.pk], events[ticket.pk]
        assert ticket.message_count == len(own), ticket.pk
        customer = [m["created_at"] for m in own if m["author_kind"] == AuthorKind.CUSTOMER]
        agent_public = [
            m["created_at"] for m in own if m["author_kind"] == AuthorKind.AGENT and m["is_public"]
        ]
        assert ticket.last_customer_message_at == max(customer)
        assert ticket.last_agent_message_at == (max(agent_public) if agent_public else None)
        assert ticket.first_response_at == (min(agent_public) if agent_public else None)
        assert (
            own[0]["created_at"] == ticket.created_at and own[0]["author_customer_id"] == ticket.requester_id
        )
        # The timeline: created first, one reply or note per later message, the last change is
        # the ticket's updated_at.
        assert timeline[0]["kind"] == EventKind.CREATED and timeline[0]["created_at"] == ticket.created_at
        assert timeline[0]["data"]["subject"] == ticket.subject
        replies = [
            e["data"]["message_id"] for e in timeline if e["kind"] in (EventKind.REPLY, EventKind.NOTE)
        ]
        assert replies == [m["id"] for m in own[1:]]
        assert ticket.updated_at == max(e["created_at"] for e in timeline)
        # Replaying the status events gives the ticket's status, through legal transitions only.
        status = Status.OPEN if ticket.assigned_at == ticket.created_at and ticket.assignee_id else Status.NEW
        changed_at, solved_at, reopens = ticket.created_at, None, 0
        for event in timeline:
            if event["kind"] != EventKind.STATUS:
                continue
            old, new = event["data"]["old"], event["data"]["new"]
            assert old == status, ticket.pk
            assert can_transition(old, new, by_system=event["actor_id"] is None)
            if new != old:
                changed_at = event["created_at"]
                if new == Status.SOLVED:
                    solved_at = event["created_at"]
                elif old == Status.SOLVED and new != Status.CLOSED:
                    reopens, solved_at = reopens + 1, None
            status = new
        assert ticket.status == status
        assert ticket.status_changed_at == changed_at
        assert ticket.solved_at == solved_at
        assert ticket.reopen_count == reopens
        assert (ticket.closed_at is not None) == (ticket.status == Status.CLOSED)
        if ticket.assignee_id:
            assert ticket.assignee.memberships.filter(group_id=ticket.group_id).exists() or (
                ticket.assignee.sees_all_tickets
            )
        # The auto-close rule: closed some days after solving, solved ones still in the window.
        if ticket.status == Status.CLOSED:
            assert (ticket.closed_at - ticket.solved_at).days >= 4


def test_every_reference_points_at_an_existing_row(seeded):
    # The load skips the database's own checks (SQLite pragma, PostgreSQL replica role).
    for table in TABLES:
        for field in table.model._meta.concrete_fields:
            if not isinstance(field, ForeignKey):
                continue
            target = field.remote_field.model
            to_field = field.target_field.attname
            rows = table.model.objects.exclude(**{f"{field.attname}__isnull": True})
            dangling = rows.exclude(**{f"{field.attname}__in": target.objects.values(to_field)})
            assert not dangling.exists(), (table.name, field.name)


def _product_parts(ticket: Ticket) -> tuple[str, list[str]]:
    """What ticket_create indexes (request, subject, requester) and what each message_add appends."""
    bodies = list(ticket.messages.order_by("created_at", "id").values_list("body_text", flat=True))
    requester = ticket.requester
    return " ".join([bodies[0], ticket.subject, requester.display_name, requester.primary_email]), bodies[1:]


def test_the_search_index_holds_what_the_product_would_have_indexed(seeded):
    column = "id" if connection.vendor == "postgresql" else "rowid"
    tickets = list(Ticket.objects.select_related("requester"))
    with connection.cursor() as cursor:
        for ticket in tickets:
            opening, later = _product_parts(ticket)
            expected = normalize(" ".join([opening, *later]))
            if connection.vendor == "postgresql":
                sql = "SELECT document = to_tsvector('simple', %s) FROM tickets_search WHERE id = %s"
            else:
                sql = "SELECT document = %s FROM tickets_search WHERE rowid = %s"
            cursor.execute(sql, [expected, ticket.pk])
            assert cursor.fetchone() == (True,), ticket.pk
        # The product's own writes (replace, then one append per message) store the same value.
        sample = max(tickets, key=lambda t: t.message_count)
        spare = tickets[-1].pk + 1000
        opening, later = _product_parts(sample)
        ticket_search_index.replace(spare, opening)
        for body in later:
            ticket_search_index.append(spare, body)
        cursor.execute(
            f"SELECT a.document = b.document FROM tickets_search a, tickets_search b "  # noqa: S608
            f"WHERE a.{column} = %s AND b.{column} = %s",
            [sample.pk, spare],
        )
        assert cursor.fetchone() == (True,)
    # Customers are found by name and address, as customer_create indexes them.
    customer = Customer.objects.order_by("pk").last()
    for text in (customer.primary_email, customer.name):
        match = customer_search_index.matching_ids(text)
        assert match is not None
        assert Customer.objects.filter(pk=customer.pk, id__in=RawSQL(*match)).exists()  # noqa: S611


def _search(user: User, text: str, **filters: object) -> set[int]:
    page = ticket_list(user, filters=TicketFilters(text=text, **filters), size=100)
    return {ticket.pk for ticket in page.items}


def _later_message(language: str) -> Message:
    return (
        Message.objects.filter(ticket__language=language, author_kind=AuthorKind.AGENT, is_public=True)
        .select_related("ticket")
        .order_by("id")
        .first()
    )


def test_search_finds_tickets_by_a_word_of_a_later_message_in_vietnamese_and_chinese(admin):
    # Vietnamese: a word with diacritics from an agent's reply, typed with and without them.
    reply = _later_message("vi")
    word = max(re.findall(r"\w+", reply.body_text.split("\n\n")[1]), key=len)
    assert word != normalize(word)  # it has diacritics
    ticket = reply.ticket
    assert ticket.pk in _search(admin, word, requester_id=ticket.requester_id)
    assert ticket.pk in _search(admin, normalize(word), requester_id=ticket.requester_id)
    # Chinese: a run of characters from the middle of an agent's reply, as a phrase.
    reply = _later_message("zh-hans")
    run = max(re.findall(r"[\u4e00-\u9fff]{4,}", reply.body_text.split("\n\n")[1]), key=len)[:4]
    ticket = reply.ticket
    assert ticket.pk in _search(admin, run, requester_id=ticket.requester_id)
    # And by subject, in Traditional Chinese.
    ticket = Ticket.objects.filter(language="zh-hant").first()
    assert ticket.pk in _search(admin, ticket.subject[:6], requester_id=ticket.requester_id)


def test_the_administrator_signs_in_and_works_the_desk(seeded, admin):
    client = Client()
    assert client.login(username=ADMIN_EMAIL, password=PASSWORD)
    assert client.get("/desk/").status_code == 200
    ticket = Ticket.objects.filter(status=Status.CLOSED).order_by("-message_count").first()
    for tab in ("", "?tab=timeline"):
        response = client.get(f"/desk/tickets/{ticket.pk}/{tab}")
        assert response.status_code == 200
        assert escape(ticket.subject) in response.content.decode()
    # Every bench staff account shares the password; the API token works.
    assert Client().login(username=seeded.first_agent, password=PASSWORD)
    assert api_token_authenticate(seeded.token) == admin
    response = Client().get(
        f"/api/v1/tickets/{ticket.pk}", headers={"Authorization": f"Bearer {seeded.token}"}
    )
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=admin).count() == 1


def test_the_product_keeps_writing_after_the_load(admin):
    # New rows get ids after the loaded ones (sequences moved on), and the counters keep up.
    last = {
        model: model.objects.order_by("-pk").first().pk for model in (Ticket, Message, TicketEvent, Customer)
    }
    ticket = Ticket.objects.filter(status=Status.OPEN).first()
    actor = Actor.staff(admin)
    message = message_add(actor=actor, ticket_id=ticket.pk, body="Quả thật là một phản hồi mới")
    assert message.pk > last[Message]
    ticket_update(actor=actor, ticket_id=ticket.pk, add_tags=["after-load"], priority=4)
    ticket.refresh_from_db()
    assert ticket.message_count == ticket.messages.count()
    assert ticket.pk in _search(admin, "phan hoi moi")
    organization = Organization.objects.create(name="Opened after the load")
    customer = customer_create(
        actor=admin, name="Ada Later", emails=["ada.later@example.org"], organization=organization
    )
    assert customer.pk > last[Customer]
    created = ticket_create(
        actor=actor, requester=customer, subject="Nowe zgłoszenie", body="Treść", channel="phone"
    )
    assert created.pk > last[Ticket] and created.events.get().pk > last[TicketEvent]
    assert created.pk in _search(admin, "zgloszenie")


def test_a_database_with_tickets_is_refused(make_ticket, customer):
    make_ticket(customer)
    with pytest.raises(CommandError, match="already holds tickets"):
        call_command("bench", "seed", "--tickets", "10", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(SeedRefused):
        seed_bench(tickets=10, password=PASSWORD)


def test_the_command_prints_the_summary_and_sign_ins():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "bench", "seed", "--tickets", "40", "--seed", "2", "--password", PASSWORD, stdout=out, stderr=err
    )
    text = out.getvalue()
    assert "tickets_ticket" in text and "tickets_message" in text and "rows/s" in text
    assert ADMIN_EMAIL in text and PASSWORD in text
    token = re.search(r"(sdk_\S+)", text).group(1)
    assert api_token_authenticate(token).email == ADMIN_EMAIL
    assert "40/40" in err.getvalue()


def test_the_same_seed_gives_the_same_tickets():
    def subjects() -> list[str]:
        seed_bench(tickets=60, seed=5, password=PASSWORD, now=NOW, background=False)
        found = list(Ticket.objects.order_by("pk").values_list("subject", flat=True))
        # Empty the database again (tickets first: they refer to customers and staff).
        Ticket.objects.all().delete()
        Customer.objects.all().delete()
        Organization.objects.all().delete()
        User.objects.filter(email__endswith="@bench.example").delete()
        return found

    first, second = subjects(), subjects()
    assert first == second and len(set(first)) > 20


# -- the generator on its own (no database) --------------------------------------------------------


def _desk() -> Desk:
    groups = {name: Named(index + 1, name) for index, name in enumerate(GROUPS)}
    languages = ("en", "vi", "pl", "zh-hans", "zh-hant")
    agents = [
        StaffRef(
            100 + index,
            f"Agent {index}",
            FEMALE if index % 2 else MALE,
            (languages[index % 5], "en"),
            (list(groups.values())[index % len(groups)].id,),
        )
        for index in range(12)
    ]
    categories = {
        spec.key: CategoryRef(10 + index, spec.name, groups[CATEGORY_GROUPS[spec.key]])
        for index, spec in enumerate(CATEGORIES)
    }
    return Desk(
        admin=StaffRef(1, "Admin", FEMALE),
        agents=agents,
        managers=[StaffRef(200, "Manager", MALE)],
        collaborators=[StaffRef(300, "Joanna Nowak", FEMALE)],
        default_group=groups["Support"],
        groups=groups,
        categories=categories,
        fallback_category=CategoryRef(99, "Other", None),
        priorities={
            rank: Named(rank, name) for rank, name in enumerate(("Low", "Normal", "High", "Urgent"), 1)
        },
        labels={
            "waiting_for_parts": Named(1, "Waiting for parts"),
            "escalated": Named(2, "Escalated to engineering"),
        },
        tags={
            tag: index
            for index, tag in enumerate(sorted({t for s in SCENARIOS for t in s.tags} | set(EXTRA_TAGS)))
        },
    )


def _generate(seed: int, tickets: int, *, now: datetime = NOW, batch: int = 1000) -> Rows:
    sizes = sizes_for(tickets)
    organizations = list(enumerate(plan_organizations(random.Random(seed), sizes.organizations), 1))
    generator = Generator(
        seed=seed,
        sizes=sizes,
        clock=Clock(now=now, months=24, tickets=tickets),
        desk=_desk(),
        customers=CustomerBook(first_id=1, organizations=organizations),
        ids=IdCounters(),
        time_text=TimeText(""),
        close_after_days=4,
    )
    merged = Rows()
    for rows in batches(generator, tickets, batch, background=False):
        for name, values in vars(rows).items():
            getattr(merged, name).extend(values)
    return merged


def test_the_generator_is_deterministic_and_its_subjects_do_not_depend_on_the_day():
    first, again = _generate(7, 300), _generate(7, 300)
    assert vars(first) == vars(again)
    other = _generate(8, 300)
    assert [t[1] for t in first.tickets] != [t[1] for t in other.tickets]
    later = _generate(7, 300, now=datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    assert [t[1] for t in later.tickets] == [t[1] for t in first.tickets]


@pytest.mark.skipif(not can_fork(), reason="no fork on this platform")
def test_building_in_a_second_process_gives_the_same_rows():
    class Numbers:
        def generate(self, first: int, count: int) -> Rows:
            return Rows(tickets=[(number,) for number in range(first, first + count)])

    background = [rows.tickets for rows in batches(Numbers(), 10, 3, background=True)]
    here = [rows.tickets for rows in batches(Numbers(), 10, 3, background=False)]
    assert background == here and len(background) == 4


def test_a_search_text_is_normalized_exactly_as_the_whole_message_would_be():
    values = {"first": "Łucja", "order": "BL-123456", "device": "Hub Pro", "agent": "Nguyễn Thu Hà"}
    for text in (
        "Chào {first}, đơn {order} của bạn ({device}) đã giao. {agent}",
        "{first}先生您好：订单{order}已发货",
        "Hi {first},\n\nOrder {order}: {device}.",
        "x{order}y",  # glued to letters: normalized whole instead
    ):
        template = Template.compile(text)
        rendered, document = template.render(values, Folded(values))
        assert rendered == text.format(**values)
        assert document == normalize(rendered)
    assert not Template.compile("x{order}y").piecewise
