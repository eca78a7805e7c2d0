"""The customer's profile and password change."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import User
from supportdesk.channels.web.tests.helpers import csrf_client, customer_client
from supportdesk.conftest import PASSWORD
from supportdesk.customers.models import Customer

pytestmark = pytest.mark.django_db

PROFILE = "/profile/"
PASSWORD_CHANGE = "/profile/password/"


def snapshot(person: Customer) -> tuple[Any, ...]:
    person.refresh_from_db()
    person.user.refresh_from_db()
    user = person.user
    return (user.name, user.language, user.time_zone, person.name, person.language, person.time_zone)


def test_visitors_sign_in_first(client: Client) -> None:
    assert client.get(PROFILE)["Location"] == "/login/?next=/profile/"
    assert client.get(PASSWORD_CHANGE)["Location"].startswith("/login/?next=/profile/password/")


def test_staff_are_sent_to_the_desk(agent: User, client_for: Any) -> None:
    client = client_for(agent)
    assert client.get(PROFILE)["Location"] == "/desk/"
    assert client.get(PASSWORD_CHANGE)["Location"] == "/desk/"
    new = "an entirely new passphrase 7"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    assert client.post(PASSWORD_CHANGE, data)["Location"] == "/desk/"
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


def test_the_profile_page(customer: Customer, organization: Any, member_of: Any) -> None:
    member_of(customer)
    body = customer_client(customer).get(PROFILE).content.decode()
    assert "customer@example.com" in body
    assert "Acme" in body
    assert 'value="Carla Customer"' in body
    assert '<option value="Europe/Warsaw">Europe/Warsaw</option>' in body
    assert '<option value="America/New_York">America/New York</option>' in body
    assert 'href="/profile/password/"' in body


def test_saving_the_profile_changes_account_and_customer_record(customer: Customer) -> None:
    client = customer_client(customer)
    response = client.post(
        PROFILE, {"name": "  Carla   Nowak ", "language": "pl", "time_zone": "Europe/Warsaw"}
    )
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert response.cookies["django_language"].value == "pl"
    assert snapshot(customer) == ("Carla Nowak", "pl", "Europe/Warsaw", "Carla Nowak", "pl", "Europe/Warsaw")
    page = client.get(PROFILE).content.decode()
    assert '<html lang="pl">' in page


def test_empty_language_and_zone_mean_the_defaults(customer: Customer) -> None:
    customer_client(customer).post(PROFILE, {"name": "Carla", "language": "", "time_zone": ""})
    assert snapshot(customer) == ("Carla", "", "", "Carla", "", "")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "language": "en", "time_zone": "UTC"}, "name"),
        ({"name": "Carla", "language": "klingon", "time_zone": "UTC"}, "language"),
        ({"name": "Carla", "language": "en", "time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"name": "x" * 201, "language": "en", "time_zone": "UTC"}, "name"),
    ],
)
def test_bad_input_changes_nothing(customer: Customer, data: dict[str, str], field: str) -> None:
    before = snapshot(customer)
    response = customer_client(customer).post(PROFILE, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot(customer) == before


def test_a_legacy_zone_already_chosen_stays_selectable(customer: Customer) -> None:
    customer.user.time_zone = "US/Eastern"
    customer.user.save(update_fields=["time_zone"])
    body = customer_client(customer).get(PROFILE).content.decode()
    assert '<option value="US/Eastern" selected>' in body


def test_profile_needs_the_csrf_token(customer: Customer) -> None:
    before = snapshot(customer)
    response = csrf_client(customer).post(PROFILE, {"name": "Forged", "language": "pl", "time_zone": "UTC"})
    assert response.status_code == 403
    assert snapshot(customer) == before


def test_password_change(customer: Customer) -> None:
    client = customer_client(customer)
    assert client.get(PASSWORD_CHANGE).status_code == 200
    new = "an entirely new passphrase 7"
    response = client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}, follow=True
    )
    assert response.redirect_chain[-1][0] == PROFILE
    assert "Your password was changed." in response.content.decode()
    customer.user.refresh_from_db()
    assert customer.user.check_password(new)
    assert client.get(PROFILE).status_code == 200  # still signed in


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {
                "old_password": "wrong",
                "new_password1": "a fine new pass 1",
                "new_password2": "a fine new pass 1",
            },
            "old_password",
        ),
        (
            {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
            "new_password2",
        ),
        (
            {"old_password": PASSWORD, "new_password1": "a fine new pass 1", "new_password2": "other"},
            "new_password2",
        ),
    ],
)
def test_password_change_refuses_bad_input(customer: Customer, data: dict[str, str], field: str) -> None:
    response = customer_client(customer).post(PASSWORD_CHANGE, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    customer.user.refresh_from_db()
    assert customer.user.check_password(PASSWORD)


def test_password_change_needs_the_csrf_token(customer: Customer) -> None:
    new = "an entirely new passphrase 7"
    response = csrf_client(customer).post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 403
    customer.user.refresh_from_db()
    assert customer.user.check_password(PASSWORD)
