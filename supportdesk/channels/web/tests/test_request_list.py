"""The request list: tabs per organization sharing, open/all filter, keyset pages, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from supportdesk.channels.web.tests.helpers import customer_client, set_status
from supportdesk.customers.models import Customer, Organization
from supportdesk.tickets.choices import Status

pytestmark = pytest.mark.django_db

LIST = "/requests/"


def test_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(LIST + "?show=open")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/requests/")


@pytest.mark.parametrize("role", ["agent", "administrator", "collaborator"])
def test_staff_are_sent_to_the_desk(role: str, request: pytest.FixtureRequest, client_for: Any) -> None:
    response = client_for(request.getfixturevalue(role)).get(LIST)
    assert response.status_code == 302
    assert response["Location"] == "/desk/"


def test_customers_see_their_own_requests_with_columns(
    customer: Customer, other_customer: Customer, make_ticket: Any
) -> None:
    mine = make_ticket(customer, subject="Mine")
    set_status(mine, Status.PENDING)
    theirs = make_ticket(other_customer, subject="Theirs")
    response = customer_client(customer).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/requests/{mine.pk}/"' in body
    assert "Mine" in body
    assert 'class="badge status-pending"' in body
    assert ">Pending<" in body
    assert "Theirs" not in body and f"/requests/{theirs.pk}/" not in body
    assert "organization" not in body.lower()  # no organization tab for a customer without one


def test_open_filter_leaves_out_solved_and_closed(customer: Customer, make_ticket: Any) -> None:
    make_ticket(customer, subject="Still broken")
    solved = make_ticket(customer, subject="Fixed already")
    set_status(solved, Status.SOLVED)
    client = customer_client(customer)
    open_only = client.get(LIST + "?show=open").content.decode()
    assert "Still broken" in open_only and "Fixed already" not in open_only
    everything = client.get(LIST).content.decode()
    assert "Still broken" in everything and "Fixed already" in everything


def test_organization_tab_when_the_organization_shares_tickets(
    customer: Customer, colleague: Customer, member_of: Any, sharing: Organization, make_ticket: Any
) -> None:
    member_of(customer)
    make_ticket(customer, subject="My own")
    theirs = make_ticket(colleague, subject="Colleague's request")
    client = customer_client(customer)

    mine = client.get(LIST).content.decode()
    assert "My organization's requests" in mine
    assert "Colleague&#x27;s request" not in mine

    shared = client.get(LIST + "?scope=organization").content.decode()
    assert "My own" in shared
    assert "Colleague&#x27;s request" in shared
    assert "Cody Colleague" in shared  # the requester column
    assert f'href="/requests/{theirs.pk}/"' in shared


def test_no_organization_tab_without_sharing(
    customer: Customer, colleague: Customer, member_of: Any, make_ticket: Any
) -> None:
    member_of(customer)
    make_ticket(colleague, subject="Colleague's request")
    client = customer_client(customer)
    body = client.get(LIST + "?scope=organization").content.decode()
    assert "My organization's requests" not in body
    assert "Colleague&#x27;s request" not in body
    assert client.get(LIST + "?scope=organization").context["scope"] == "mine"


def test_keyset_pages(customer: Customer, make_ticket: Any) -> None:
    tickets = [make_ticket(customer, subject=f"Request number {n:02d}") for n in range(25)]
    client = customer_client(customer)
    first = client.get(LIST)
    page = first.context["page"]
    assert len(page.items) == 20
    assert page.has_next
    assert 'rel="next"' in first.content.decode()
    second = client.get(LIST, {"cursor": page.next_cursor})
    rest = second.context["page"]
    assert len(rest.items) == 5
    assert not rest.has_next
    seen = {t.pk for t in page.items} | {t.pk for t in rest.items}
    assert seen == {t.pk for t in tickets}
    assert "First page" in second.content.decode()


def test_a_damaged_cursor_shows_the_first_page_and_says_why(customer: Customer, make_ticket: Any) -> None:
    make_ticket(customer, subject="Still here")
    response = customer_client(customer).get(LIST, {"cursor": "definitely-not-a-cursor"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The page cursor is not valid." in body
    assert "Still here" in body


def test_htmx_gets_only_the_list(customer: Customer, make_ticket: Any) -> None:
    make_ticket(customer, subject="Swapped in place")
    response = customer_client(customer).get(LIST + "?show=open", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="request-list"')
    assert "Swapped in place" in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", [LIST, LIST + "?scope=organization", LIST + "?show=open", "/"])
def test_query_count_does_not_grow_with_the_number_of_requests(
    customer: Customer,
    colleague: Customer,
    member_of: Any,
    sharing: Organization,
    make_ticket: Any,
    django_assert_num_queries: Any,
    url: str,
) -> None:
    member_of(customer)
    client = customer_client(customer)
    for n in range(3):
        make_ticket(customer if n % 2 else colleague, subject=f"Request {n}")
    with_three = _queries(client, url)
    for n in range(17):
        make_ticket(customer if n % 2 else colleague, subject=f"More {n}")
    with django_assert_num_queries(with_three):
        client.get(url)
    # Session, user, customer with organization, the page (joins included).
    assert with_three <= 5
