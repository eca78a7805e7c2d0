"""The portal home and layout, per role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import User
from supportdesk.channels.web.tests.helpers import close, set_status
from supportdesk.conftest import PASSWORD, make_user
from supportdesk.customers.models import Customer
from supportdesk.tickets.choices import Status

pytestmark = pytest.mark.django_db


def test_visitors_get_a_welcome_with_sign_in_sign_up_and_submit(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "How can we help?" in body
    assert 'href="/login/"' in body
    assert 'href="/signup/"' in body
    assert 'href="/requests/new/"' in body
    assert 'name="language"' in body  # the language picker in the footer
    assert "My requests" not in body


def test_submit_a_request_asks_visitors_to_sign_in_first(client: Client) -> None:
    response = client.get("/requests/new/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/requests/new/"


def test_customers_see_their_open_requests_only(
    customer: Customer, other_customer: Customer, make_ticket: Any, client_for: Any
) -> None:
    mine = make_ticket(customer, subject="Broken hinge")
    solved = make_ticket(customer, subject="Old solved thing")
    set_status(solved, Status.SOLVED)
    closed = make_ticket(customer, subject="Long closed thing")
    close(closed)
    make_ticket(other_customer, subject="Somebody else's trouble")

    response = client_for(customer.user).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hello, Carla Customer" in body
    assert f'href="/requests/{mine.pk}/"' in body
    assert "Broken hinge" in body
    assert "Old solved thing" not in body
    assert "Long closed thing" not in body
    assert "Somebody else" not in body
    # The header of a signed-in customer.
    assert 'href="/requests/"' in body
    assert 'href="/requests/new/"' in body
    assert 'href="/profile/"' in body
    assert 'action="/logout/"' in body
    assert 'id="language-picker"' not in body


def test_customers_without_open_requests_see_an_empty_state(customer: Customer, client_for: Any) -> None:
    body = client_for(customer.user).get("/").content.decode()
    assert "You have no open requests." in body


@pytest.mark.parametrize("role", ["administrator", "manager", "agent", "collaborator"])
def test_staff_go_to_the_desk(role: str, request: pytest.FixtureRequest, client_for: Any) -> None:
    user = request.getfixturevalue(role)
    response = client_for(user).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/desk/"


def test_signing_in_as_staff_lands_in_the_desk(agent: User) -> None:
    client = Client()
    response = client.post("/login/", {"username": agent.email, "password": PASSWORD}, follow=False)
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/desk/"


def test_a_customer_login_without_a_customer_record_gets_a_clear_page(client_for: Any) -> None:
    orphan = make_user("orphan@example.com", Role.CUSTOMER, name="Olga Orphan")
    client = client_for(orphan)
    for url in ("/", "/requests/", "/requests/new/", "/requests/1/", "/profile/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "not linked to a customer record" in response.content.decode()


def test_pages_follow_the_customers_language(customer: Customer, client_for: Any) -> None:
    customer.user.language = "pl"
    customer.user.save(update_fields=["language"])
    body = client_for(customer.user).get("/").content.decode()
    assert '<html lang="pl">' in body
