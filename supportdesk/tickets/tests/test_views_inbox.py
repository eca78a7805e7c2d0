"""The inbox: access per role, standard views and their counts, filters, search, keyset pages,
sorting, the HTMX partials, and a query count that does not grow with the rows shown."""

import html
import re
from urllib.parse import urljoin

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.accounts.choices import Role
from supportdesk.conftest import make_user
from supportdesk.core.pagination import encode_cursor
from supportdesk.customers.models import Customer
from supportdesk.customers.services import customer_create
from supportdesk.tickets.choices import Channel, Status
from supportdesk.tickets.models import Category, StatusLabel, Ticket
from supportdesk.tickets.services import Actor, ticket_share, ticket_update

pytestmark = pytest.mark.django_db
INBOX = "/desk/"


def row_ids(response):
    """Ticket ids of the table rows, in order."""
    return [int(pk) for pk in re.findall(r'<tr data-ticket="(\d+)"', response.content.decode())]


def sidebar_counts(response):
    text = response.content.decode()
    found = re.findall(
        r'data-view="([a-z]+)">\s*<span>[^<]*</span>\s*<span class="count">([^<]*)</span>', text
    )
    return dict(found)


def next_link(response):
    match = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
    return html.unescape(match.group(1)) if match else None


@pytest.fixture
def desk(agent, billing_agent, billing_group, manager, customer, other_customer, make_ticket):
    """Tickets in Support (one assigned to the agent, one pending, one solved) and in Billing."""
    staff = Actor.staff(manager)
    unassigned = make_ticket(customer, subject="Printer on fire")
    mine = make_ticket(customer, subject="Mine to do", actor=staff, assignee_id=agent.pk)
    pending = make_ticket(other_customer, subject="Waiting on them", actor=staff, assignee_id=agent.pk)
    ticket_update(actor=staff, ticket_id=pending.pk, status=Status.PENDING)
    solved = make_ticket(customer, subject="All good now", actor=staff, assignee_id=agent.pk)
    ticket_update(actor=staff, ticket_id=solved.pk, status=Status.SOLVED)
    billing = make_ticket(other_customer, subject="Invoice twice", actor=staff, group_id=billing_group.pk)
    return {"unassigned": unassigned, "mine": mine, "pending": pending, "solved": solved, "billing": billing}


# -- access ---------------------------------------------------------------------------------------------
def test_anonymous_is_sent_to_sign_in(client_for):
    response = client_for(None).get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_customers_are_refused(client_for, customer):
    assert client_for(customer.user).get(INBOX).status_code == 403
    assert client_for(customer.user).get("/desk/views/mine/").status_code == 403
    assert client_for(customer.user).get(reverse("tickets:view_counts")).status_code == 403


def test_agent_sees_the_open_tickets_of_their_groups_by_default(client_for, agent, desk):
    response = client_for(agent).get(INBOX)
    assert response.status_code == 200
    assert set(row_ids(response)) == {desk["unassigned"].pk, desk["mine"].pk, desk["pending"].pk}
    assert "Invoice twice" not in response.content.decode()
    assert 'class="active" aria-current="page" data-view="open"' in response.content.decode()


def test_billing_agent_sees_only_billing(client_for, billing_agent, desk):
    response = client_for(billing_agent).get("/desk/views/all/")
    assert set(row_ids(response)) == {desk["billing"].pk}


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_managers_and_administrators_see_everything(request, client_for, desk, role):
    response = client_for(request.getfixturevalue(role)).get("/desk/views/all/")
    assert set(row_ids(response)) == {t.pk for t in desk.values()}


def test_collaborator_sees_only_what_was_shared(client_for, collaborator, manager, desk):
    client = client_for(collaborator)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert row_ids(response) == []
    assert set(sidebar_counts(response)) == {"shared"}
    ticket_share(actor=Actor.staff(manager), ticket_id=desk["billing"].pk, user_id=collaborator.pk)
    response = client.get(INBOX)
    assert row_ids(response) == [desk["billing"].pk]
    assert sidebar_counts(client.get(reverse("tickets:view_counts"))) == {"shared": "1"}
    assert 'name="ids"' not in response.content.decode()  # no bulk actions for collaborators
    assert client.get("/desk/views/open/").status_code == 404
    assert client.get("/desk/views/all/").status_code == 404


def test_unknown_view_is_404(client_for, agent):
    assert client_for(agent).get("/desk/views/nonsense/").status_code == 404


# -- standard views and counts --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("mine", {"mine", "pending"}),
        ("unassigned", {"unassigned"}),
        ("open", {"unassigned", "mine", "pending"}),
        ("pending", {"pending"}),
        ("solved", {"solved"}),
        ("all", {"unassigned", "mine", "pending", "solved"}),
    ],
)
def test_each_standard_view_lists_its_tickets(client_for, agent, desk, slug, expected):
    response = client_for(agent).get(f"/desk/views/{slug}/")
    assert response.status_code == 200
    assert set(row_ids(response)) == {desk[name].pk for name in expected}


def test_sidebar_shows_live_counts(client_for, agent, desk):
    client = client_for(agent)
    page = client.get(INBOX).content.decode()
    # The page itself does not count (on a large desk counting costs more than the page): the
    # sidebar asks for the counts as soon as it is shown, then every 30 s.
    assert 'hx-trigger="load, every 30s"' in page
    assert f'hx-get="{reverse("tickets:view_counts")}?view=open"' in page
    assert set(sidebar_counts(client.get(INBOX)).values()) == {""}
    response = client.get(reverse("tickets:view_counts"), {"view": "open"}, HTTP_HX_REQUEST="true")
    assert sidebar_counts(response) == {
        "mine": "2",
        "unassigned": "1",
        "open": "3",
        "pending": "1",
        "solved": "1",
        "all": "",
    }
    assert 'hx-trigger="every 30s"' in response.content.decode()  # counted: refreshed, not reloaded


def test_counts_partial_is_a_fragment_with_fresh_numbers(client_for, agent, desk, make_ticket, customer):
    client = client_for(agent)
    make_ticket(customer, subject="Another one")
    response = client.get(reverse("tickets:view_counts"), {"view": "mine"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text
    assert 'id="view-nav"' in text
    assert sidebar_counts(response)["unassigned"] == "2"
    assert 'class="active" aria-current="page" data-view="mine"' in text


def test_capped_counts_show_a_plus(client_for, manager, desk, settings):
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "VIEW_COUNT_CAP": 2}
    response = client_for(manager).get(reverse("tickets:view_counts"))
    assert sidebar_counts(response)["open"] == "2+"


# -- filters --------------------------------------------------------------------------------------------
@pytest.fixture
def varied(manager, agent, billing_group, customer, other_customer, make_ticket, organization):
    """Tickets that differ in one attribute each, all visible to a manager in the "all" view."""
    staff = Actor.staff(manager)
    category = Category.objects.create(name="Hardware")
    member = customer_create(
        actor=None, name="Olga Org", emails=["olga@acme.test"], organization=organization
    )
    return {
        "urgent": make_ticket(customer, subject="Urgent thing", actor=staff, priority=4),
        "assigned": make_ticket(customer, subject="Assigned thing", actor=staff, assignee_id=agent.pk),
        "billing": make_ticket(customer, subject="Billing thing", actor=staff, group_id=billing_group.pk),
        "hardware": make_ticket(customer, subject="Hardware thing", actor=staff, category_id=category.pk),
        "tagged": make_ticket(customer, subject="Tagged thing", actor=staff, tags=["vip"]),
        "phone": make_ticket(customer, subject="Phone thing", actor=staff, channel=Channel.PHONE),
        "polish": make_ticket(customer, subject="Polish thing", actor=staff, language="pl"),
        "other": make_ticket(other_customer, subject="Other requester"),
        "org": make_ticket(member, subject="Organization thing"),
        "category": category,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda v, a: {"priority": "4"}, {"urgent"}),
        (lambda v, a: {"assignee": str(a.pk)}, {"assigned"}),
        (lambda v, a: {"group": str(v["billing"].group_id)}, {"billing"}),
        (lambda v, a: {"category": str(v["category"].pk)}, {"hardware"}),
        (lambda v, a: {"tag": "VIP"}, {"tagged"}),
        (lambda v, a: {"channel": "phone"}, {"phone"}),
        (lambda v, a: {"language": "pl"}, {"polish"}),
        (lambda v, a: {"requester": str(v["other"].requester_id)}, {"other"}),
        (lambda v, a: {"organization": str(v["org"].organization_id)}, {"org"}),
    ],
)
def test_each_filter_narrows_the_list(client_for, manager, agent, varied, params, expected):
    response = client_for(manager).get("/desk/views/all/", params(varied, agent))
    assert response.status_code == 200
    assert set(row_ids(response)) == {varied[name].pk for name in expected}


def test_unassigned_and_status_filters(client_for, manager, agent, varied):
    client = client_for(manager)
    unassigned = client.get("/desk/views/all/", {"assignee": "none"})
    assert varied["assigned"].pk not in row_ids(unassigned)
    assert len(row_ids(unassigned)) == 8
    ticket_update(actor=Actor.staff(manager), ticket_id=varied["phone"].pk, status=Status.SOLVED)
    solved = client.get("/desk/views/all/", {"status": "solved"})
    assert row_ids(solved) == [varied["phone"].pk]
    unsolved = client.get("/desk/views/all/", {"status": "unsolved"})
    assert varied["phone"].pk not in row_ids(unsolved)
    assert len(row_ids(unsolved)) == 8
    both = client.get("/desk/views/all/", {"status": ["solved", "open"]})
    assert set(row_ids(both)) == {varied["phone"].pk, varied["assigned"].pk}


def test_requester_filter_shows_the_customer_name(client_for, manager, varied):
    response = client_for(manager).get("/desk/views/all/", {"requester": varied["other"].requester_id})
    assert "Otto Other" in response.content.decode()


def test_invalid_filters_are_reported_and_left_out(client_for, manager, varied):
    response = client_for(manager).get(
        "/desk/views/all/", {"priority": "99", "assignee": "x", "tag": "<b>", "status": "bogus"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Some filters are not valid and were left out" in text
    assert "<b>" not in text.split('id="ticket-list"')[1]
    assert len(row_ids(response)) == 9


# -- search ---------------------------------------------------------------------------------------------
@pytest.fixture
def multilingual(manager, customer, make_ticket):
    staff = Actor.staff(manager)
    return {
        "english": make_ticket(customer, subject="The printer jams daily", actor=staff),
        "vietnamese": make_ticket(customer, subject="Không đăng nhập được vào tài khoản", actor=staff),
        "chinese": make_ticket(customer, subject="我无法登录系统", actor=staff),
        "polish": make_ticket(customer, subject="Zażółć gęślą jaźń", actor=staff),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("printer", "english"),
        ("PRINT", "english"),
        ("dang nhap", "vietnamese"),
        ("đăng nhập", "vietnamese"),
        ("登录", "chinese"),
        ("zazolc", "polish"),
    ],
)
def test_text_search(client_for, manager, multilingual, query, expected):
    response = client_for(manager).get("/desk/views/all/", {"q": query})
    assert row_ids(response) == [multilingual[expected].pk]


def test_hash_number_opens_the_ticket(client_for, manager, multilingual):
    ticket = multilingual["chinese"]
    response = client_for(manager).get(INBOX, {"q": f"#{ticket.pk}"})
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    htmx = client_for(manager).get(
        INBOX, {"q": f"#{ticket.pk}"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-list"
    )
    assert htmx["HX-Redirect"] == reverse("tickets:detail", args=[ticket.pk])


def test_hash_number_of_an_invisible_ticket_finds_nothing(client_for, billing_agent, multilingual):
    ticket = multilingual["english"]
    response = client_for(billing_agent).get("/desk/views/all/", {"q": f"#{ticket.pk}"})
    assert response.status_code == 200
    assert row_ids(response) == []
    assert "No tickets match these filters." in response.content.decode()


def test_bare_number_filters_to_that_ticket(client_for, manager, multilingual):
    ticket = multilingual["polish"]
    response = client_for(manager).get("/desk/views/all/", {"q": str(ticket.pk)})
    assert row_ids(response) == [ticket.pk]


# -- pages and sorting ----------------------------------------------------------------------------------
@pytest.fixture
def seven(manager, customer, make_ticket, settings):
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "INBOX_PAGE_SIZE": 3}
    return [make_ticket(customer, subject=f"Ticket {n}", actor=Actor.staff(manager)) for n in range(7)]


def test_keyset_pages_cover_everything_once(client_for, manager, seven):
    client = client_for(manager)
    seen, url, pages = [], "/desk/views/all/?sort=created", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen.extend(row_ids(response))
        if pages:
            assert "First page" in response.content.decode()
        link = next_link(response)
        url, pages = (urljoin(url, link) if link else None), pages + 1
    assert pages == 3
    assert seen == [t.pk for t in reversed(seven)]


def test_next_page_keeps_the_filters(client_for, manager, seven):
    response = client_for(manager).get("/desk/views/all/", {"sort": "created_asc", "q": "ticket"})
    link = next_link(response)
    assert "cursor=" in link
    assert "q=ticket" in link


def test_bad_cursor_is_a_clear_error(client_for, manager, seven):
    response = client_for(manager).get("/desk/views/all/", {"cursor": "not-a-cursor!!"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The page cursor is not valid." in text
    assert len(row_ids(response)) == 3  # the first page, so the agent can carry on


@pytest.mark.parametrize(
    ("values", "sort"),
    [
        (["abc", 1], "updated"),
        ([5, 1], "updated"),
        (["x", "2024-01-01T00:00:00+00:00", 3], "priority"),
        ([1, 2, 3], "created"),
    ],
)
def test_hand_made_cursors_are_a_clear_error(client_for, manager, seven, values, sort):
    response = client_for(manager).get("/desk/views/all/", {"cursor": encode_cursor(values), "sort": sort})
    assert response.status_code == 400
    assert "The page cursor is not valid." in response.content.decode()
    assert len(row_ids(response)) == 3


def test_out_of_range_cursor_values_do_not_crash(client_for, manager, seven):
    cursor = encode_cursor(["2024-01-01T00:00:00+00:00", 10**30])
    response = client_for(manager).get("/desk/views/all/", {"cursor": cursor})
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    ("sort", "order"),
    [("created", "desc"), ("created_asc", "asc"), ("updated", "desc"), ("updated_asc", "asc")],
)
def test_sort_orders(client_for, manager, seven, sort, order):
    response = client_for(manager).get("/desk/views/all/", {"sort": sort})
    ids = [t.pk for t in seven]
    assert row_ids(response) == (ids[::-1][:3] if order == "desc" else ids[:3])


def test_priority_sort_puts_urgent_first(client_for, manager, seven):
    ticket_update(actor=Actor.staff(manager), ticket_id=seven[2].pk, priority=4)
    ticket_update(actor=Actor.staff(manager), ticket_id=seven[0].pk, priority=3)
    ticket_update(actor=Actor.staff(manager), ticket_id=seven[6].pk, priority=1)
    response = client_for(manager).get("/desk/views/all/", {"sort": "priority"})
    assert row_ids(response)[:2] == [seven[2].pk, seven[0].pk]


# -- HTMX and rendering ---------------------------------------------------------------------------------
def test_htmx_filter_request_gets_only_the_list(client_for, agent, desk):
    response = client_for(agent).get(
        INBOX,
        {"q": "printer", "tag": "", "channel": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="ticket-list",
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == "/desk/?q=printer"  # history gets a tidy URL
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="ticket-list">')
    assert "<html" not in text
    assert row_ids(response) == [desk["unassigned"].pk]


def test_row_shows_the_ticket_at_a_glance(client_for, manager, agent, organization, make_ticket):
    member = customer_create(
        actor=None, name="Olga Org", emails=["olga@acme.test"], organization=organization
    )
    ticket = make_ticket(
        member,
        subject="Screen blinks & flickers",
        actor=Actor.staff(manager),
        priority=4,
        tags=["vip", "hardware"],
    )
    ticket_update(actor=Actor.staff(manager), ticket_id=ticket.pk, assignee_id=agent.pk)
    text = client_for(manager).get(INBOX).content.decode()
    assert "Screen blinks &amp; flickers" in text
    assert "Olga Org" in text and "Acme" in text
    assert 'class="badge status-open"' in text
    assert 'style="background: #dc2626"' in text and "Urgent" in text
    assert "Alex Agent" in text and "Support" in text
    assert '<span class="tag">hardware</span><span class="tag">vip</span>' in text
    assert f'name="ids" value="{ticket.pk}"' in text


def test_row_values_are_escaped_and_in_the_viewers_language(
    client_for, manager, collaborator, organization, make_ticket
):
    organization.name = "<i>Acme</i>"
    organization.save()
    member = customer_create(actor=None, name="Eve", emails=["evil@acme.test"], organization=organization)
    ticket = make_ticket(member, subject="Harmless", actor=Actor.staff(manager))
    # The services refuse markup in names and subjects; rows written before that rule (or by
    # hand) must still come out as text.
    Customer.objects.filter(pk=member.pk).update(name='<img src=x onerror="alert(1)">')
    Ticket.objects.filter(pk=ticket.pk).update(subject="<script>alert(1)</script>")
    label = StatusLabel.objects.create(
        name="Waiting for parts", translations={"pl": "Czeka na części"}, status=Status.ON_HOLD
    )
    ticket_update(
        actor=Actor.staff(manager), ticket_id=ticket.pk, status=Status.ON_HOLD, status_label_id=label.pk
    )
    manager.language = "pl"
    manager.save()
    text = client_for(manager).get("/desk/views/all/").content.decode()
    row = text.split(f'<tr data-ticket="{ticket.pk}">')[1].split("</tr>")[0]
    assert "<script>" not in row and "<img" not in row and "<i>" not in row
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row and "&lt;i&gt;Acme&lt;/i&gt;" in row
    assert "Czeka na części" in row and 'class="badge status-on_hold"' in row
    assert '<span class="muted">Nieprzypisane</span>' in row
    assert f'<a href="/desk/tickets/{ticket.pk}/">' in row
    # A collaborator gets the rows without the bulk form's boxes.
    ticket_share(actor=Actor.staff(manager), ticket_id=ticket.pk, user_id=collaborator.pk)
    shared = client_for(collaborator).get(INBOX).content.decode()
    assert re.findall(r'<tr data-ticket="(\d+)"', shared) == [str(ticket.pk)] and 'name="ids"' not in shared


def test_empty_view_says_so(client_for, agent):
    text = client_for(agent).get("/desk/views/pending/").content.decode()
    assert "No tickets in this view." in text


# -- query count ----------------------------------------------------------------------------------------
def _fill(manager, agent, organization, make_ticket, count):
    start = Ticket.objects.count()
    for n in range(start, start + count):
        requester = customer_create(
            actor=None, name=f"Person {n}", emails=[f"p{n}@acme.test"], organization=organization
        )
        make_ticket(
            requester,
            subject=f"Ticket {n}",
            actor=Actor.staff(manager),
            assignee_id=agent.pk,
            tags=[f"tag{n}", "common"],
        )


def test_inbox_query_count_does_not_grow_with_rows(
    client_for, manager, agent, organization, make_ticket, django_assert_num_queries
):
    client = client_for(agent)
    _fill(manager, agent, organization, make_ticket, 3)
    client.get(INBOX)  # the reference lists are read once, then kept (tickets.services.reference)
    with CaptureQueriesContext(connection) as small:
        assert len(row_ids(client.get(INBOX))) == 3
    _fill(manager, agent, organization, make_ticket, 17)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(row_ids(client.get(INBOX))) == 20


def test_agent_role_fixture_sanity(db):
    # A staff member without any group still gets a working inbox.
    loner = make_user("loner@desk.test", Role.AGENT)
    assert Ticket.objects.count() == 0
    assert loner.is_agent
