"""The ticket lists that customer and organization pages load with hx-get."""

import re

import pytest
from django.urls import reverse

from supportdesk.customers.services import customer_create
from supportdesk.tickets.services import Actor

pytestmark = pytest.mark.django_db


def row_ids(response):
    return [int(pk) for pk in re.findall(r'<tr data-ticket="(\d+)"', response.content.decode())]


@pytest.fixture
def member(organization):
    return customer_create(actor=None, name="Olga Org", emails=["olga@acme.test"], organization=organization)


@pytest.fixture
def tickets(customer, member, manager, billing_group, make_ticket):
    """Carla: two Support tickets and one in Billing; Olga (of Acme): one in Support."""
    return {
        "first": make_ticket(customer, subject="First"),
        "second": make_ticket(customer, subject="Second"),
        "billing": make_ticket(
            customer, subject="Billing", actor=Actor.staff(manager), group_id=billing_group.pk
        ),
        "olga": make_ticket(member, subject="Olga's"),
    }


def test_customer_fragment_per_role(client_for, agent, billing_agent, manager, customer, tickets):
    url = reverse("tickets:customer_tickets", args=[customer.pk])
    assert url == f"/desk/customers/{customer.pk}/tickets/"
    managed = client_for(manager).get(url, HTTP_HX_REQUEST="true")
    assert managed.status_code == 200
    assert "<html" not in managed.content.decode()
    # Newest first.
    assert row_ids(managed) == [tickets["billing"].pk, tickets["second"].pk, tickets["first"].pk]
    assert row_ids(client_for(agent).get(url)) == [tickets["second"].pk, tickets["first"].pk]
    assert row_ids(client_for(billing_agent).get(url)) == [tickets["billing"].pk]
    text = managed.content.decode()
    assert f'href="{reverse("tickets:view", args=["all"])}?requester={customer.pk}"' in text


def test_organization_fragment(client_for, manager, agent, organization, tickets):
    url = reverse("tickets:organization_tickets", args=[organization.pk])
    assert url == f"/desk/organizations/{organization.pk}/tickets/"
    response = client_for(manager).get(url)
    assert row_ids(response) == [tickets["olga"].pk]
    assert f"?organization={organization.pk}" in response.content.decode()
    assert row_ids(client_for(agent).get(url)) == [tickets["olga"].pk]


def test_fragment_is_bounded_to_25(client_for, manager, customer, make_ticket):
    made = [make_ticket(customer, subject=f"T{n}") for n in range(27)]
    response = client_for(manager).get(reverse("tickets:customer_tickets", args=[customer.pk]))
    assert row_ids(response) == [t.pk for t in reversed(made)][:25]
    assert "Showing the newest 25 tickets." in response.content.decode()


def test_empty_fragment(client_for, agent, other_customer):
    response = client_for(agent).get(reverse("tickets:customer_tickets", args=[other_customer.pk]))
    assert response.status_code == 200
    assert "No tickets." in response.content.decode()


def test_unknown_customer_or_organization_is_404(client_for, agent):
    assert client_for(agent).get("/desk/customers/999999/tickets/").status_code == 404
    assert client_for(agent).get("/desk/organizations/999999/tickets/").status_code == 404


@pytest.mark.parametrize("who", ["collaborator", "customer", None])
def test_fragments_are_for_agents(request, client_for, customer, organization, tickets, who):
    user = None
    if who:
        person = request.getfixturevalue(who)
        user = getattr(person, "user", person)
    client = client_for(user)
    for url in (
        reverse("tickets:customer_tickets", args=[customer.pk]),
        reverse("tickets:organization_tickets", args=[organization.pk]),
    ):
        response = client.get(url)
        assert response.status_code == (302 if user is None else 403)
        assert "First" not in response.content.decode()
