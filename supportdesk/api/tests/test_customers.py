"""Customers and organizations: agents and above only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.api.tests.conftest import db_state, error_of
from supportdesk.customers.models import Customer, Organization, OrganizationDomain
from supportdesk.customers.services import customer_create, organization_save

pytestmark = pytest.mark.django_db

WORKERS = ["agent", "manager", "administrator"]


@pytest.fixture
def acme(agent):
    return organization_save(actor=agent, name="Acme", domains=["acme.test"])


# -- customers: read ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", WORKERS)
def test_workers_list_customers(role, request, api_as, customer, other_customer):
    response = api_as(request.getfixturevalue(role)).get("/customers")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [c["name"] for c in items] == ["Carla Customer", "Otto Other"]
    assert items[0] == {
        "id": customer.pk,
        "name": "Carla Customer",
        "email": "customer@example.com",
        "organization": None,
        "language": "",
        "created_at": items[0]["created_at"],
        "updated_at": items[0]["updated_at"],
    }


def test_collaborators_and_customers_may_not_use_customer_endpoints(api_as, collaborator, customer, acme):
    client = api_as(collaborator)
    before = db_state()
    for response in (
        client.get("/customers"),
        client.get(f"/customers/{customer.pk}"),
        client.post("/customers", {"name": "New"}),
        client.patch(f"/customers/{customer.pk}", {"name": "Renamed"}),
        client.get("/organizations"),
        client.get(f"/organizations/{acme.pk}"),
        client.post("/organizations", {"name": "Initech"}),
        client.patch(f"/organizations/{acme.pk}", {"name": "Renamed"}),
        client.delete(f"/organizations/{acme.pk}"),
    ):
        assert response.status_code == 403
        assert error_of(response)["code"] == "permission_denied"
    assert db_state() == before
    assert error_of(api_as(customer.user).get("/customers"))["code"] == "staff_only"
    assert error_of(api_as(None).get("/customers"))["code"] == "not_authenticated"


def test_customer_search_filter_and_pagination(api_as, agent, customer, other_customer, acme):
    customer_create(actor=None, name="Ann Acme", emails=["ann@acme.test"], phones=["+48 22 123 45 67"])
    client = api_as(agent)
    names = lambda response: [c["name"] for c in response.json()["items"]]  # noqa: E731
    assert names(client.get("/customers", {"q": "otto"})) == ["Otto Other"]
    assert names(client.get("/customers", {"q": "ann@acme.test"})) == ["Ann Acme"]
    assert names(client.get("/customers", {"organization": acme.pk})) == ["Ann Acme"]
    first = client.get("/customers", {"limit": 2}).json()
    assert [c["name"] for c in first["items"]] == ["Ann Acme", "Carla Customer"]
    second = client.get("/customers", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [c["name"] for c in second["items"]] == ["Otto Other"] and second["next_cursor"] is None
    assert client.get("/customers", {"limit": 0}).status_code == 422


def test_customer_list_costs_the_same_for_3_and_20(api_as, agent):
    client = api_as(agent)

    def make(start, count):
        for i in range(start, start + count):
            organization = Organization.objects.create(name=f"Org {i}")
            customer_create(
                actor=None, name=f"Person {i:02}", emails=[f"p{i}@example.com"], organization=organization
            )

    make(0, 3)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/customers", {"limit": 100}).json()["items"]) == 3
    make(3, 17)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/customers", {"limit": 100}).json()["items"]) == 20
    assert len(few) == len(many)


def test_customer_detail(api_as, agent, acme):
    person = customer_create(
        actor=agent, name="Ann", emails=["ann@acme.test", "ann@home.test"], phones=["+48 22 123 45 67"]
    )
    response = api_as(agent).get(f"/customers/{person.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["organization"] == {"id": acme.pk, "name": "Acme"}  # joined by email domain
    assert data["emails"] == [
        {"email": "ann@acme.test", "is_primary": True},
        {"email": "ann@home.test", "is_primary": False},
    ]
    assert data["phones"] == [{"number": "+48221234567", "label": ""}]
    assert data["has_portal_account"] is False
    assert error_of(api_as(agent).get("/customers/999999"))["code"] == "customer_not_found"


# -- customers: write ---------------------------------------------------------------------------


def test_create_customer(api_as, agent, acme):
    body = {
        "name": "Bob",
        "emails": ["Bob@Example.com"],
        "phones": ["+1 415 555 0100"],
        "organization_id": acme.pk,
        "language": "pl",
        "time_zone": "Europe/Warsaw",
        "notes": "VIP",
    }
    response = api_as(agent).post("/customers", body)
    assert response.status_code == 201
    data = response.json()
    assert data["email"] == "bob@example.com" and data["organization"]["id"] == acme.pk
    assert data["phones"] == [{"number": "+14155550100", "label": ""}]
    assert (data["language"], data["time_zone"], data["notes"]) == ("pl", "Europe/Warsaw", "VIP")
    assert Customer.objects.filter(pk=data["id"], primary_email="bob@example.com").exists()


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        ({}, 422, "validation_failed", "name"),
        ({"name": "X", "emails": ["not-an-email"]}, 422, "validation_failed", "emails"),
        ({"name": "X", "emails": ["customer@example.com"]}, 409, "email_taken", None),
        ({"name": "X", "phones": ["12"]}, 422, "validation_failed", "phones"),
        ({"name": "X", "organization_id": 999_999}, 422, "validation_failed", "organization_id"),
        ({"name": "X", "time_zone": "Mars/Olympus"}, 422, "validation_failed", "time_zone"),
        ({"name": "X", "language": "<script>"}, 422, "validation_failed", "language"),
        ({"name": "X" * 201}, 422, "validation_failed", "name"),
        ({"name": "X", "emails": [f"a{i}@x.test" for i in range(21)]}, 422, "validation_failed", "emails"),
        ({"name": "X", "vip": True}, 422, "validation_failed", "vip"),
        ({"name": 5}, 422, "validation_failed", "name"),
    ],
)
def test_bad_customers_create_nothing(body, status, code, field, api_as, agent, customer):
    client = api_as(agent)
    before = db_state()
    response = client.post("/customers", body)
    assert response.status_code == status, response.content
    error = error_of(response)
    assert error["code"] == code
    if field:
        assert field in error["details"], error
    assert db_state() == before


def test_patch_customer_changes_only_what_is_sent(api_as, agent, acme):
    person = customer_create(
        actor=agent, name="Ann", emails=["ann@home.test", "ann@work.test"], phones=["+48 22 123 45 67"]
    )
    client = api_as(agent)
    data = client.patch(f"/customers/{person.pk}", {"name": "Ann Smith"}).json()
    assert data["name"] == "Ann Smith"
    assert [e["email"] for e in data["emails"]] == ["ann@home.test", "ann@work.test"]
    assert data["emails"][0]["is_primary"] is True
    assert data["phones"] == [{"number": "+48221234567", "label": ""}]
    data = client.patch(
        f"/customers/{person.pk}", {"organization_id": acme.pk, "emails": ["ann@acme.test"]}
    ).json()
    assert data["organization"]["id"] == acme.pk and data["email"] == "ann@acme.test"
    data = client.patch(f"/customers/{person.pk}", {"organization_id": None}).json()
    assert data["organization"] is None


def test_bad_customer_patches_change_nothing(api_as, agent, customer, other_customer):
    client = api_as(agent)
    before = db_state()
    cases = [
        ({"emails": ["other@example.com"]}, 409),
        ({"name": None}, 422),
        ({"emails": None}, 422),
        ({"time_zone": "Nowhere"}, 422),
        ({"unknown": 1}, 422),
    ]
    for body, status in cases:
        assert client.patch(f"/customers/{customer.pk}", body).status_code == status, body
    assert client.patch("/customers/999999", {"name": "X"}).status_code == 404
    assert db_state() == before


# -- organizations ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", WORKERS)
def test_organization_lifecycle(role, request, api_as, customer):
    client = api_as(request.getfixturevalue(role))
    response = client.post(
        "/organizations", {"name": "Example Inc", "domains": ["Example.com"], "shares_tickets": True}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["domains"] == ["example.com"] and created["shares_tickets"] is True
    assert created["customer_count"] == 1  # the customer at example.com joined
    org_id = created["id"]

    listed = client.get("/organizations").json()
    assert [o["name"] for o in listed["items"]] == ["Example Inc"] and listed["next_cursor"] is None
    assert client.get("/organizations", {"q": "exam"}).json()["items"][0]["id"] == org_id
    assert client.get("/organizations", {"q": "zzz"}).json()["items"] == []

    data = client.patch(f"/organizations/{org_id}", {"notes": "Key account"}).json()
    assert (
        data["notes"] == "Key account"
        and data["domains"] == ["example.com"]
        and data["name"] == "Example Inc"
    )
    data = client.patch(f"/organizations/{org_id}", {"domains": []}).json()
    assert data["domains"] == []
    detail = client.get(f"/organizations/{org_id}").json()
    assert detail["customer_count"] == 1

    assert client.delete(f"/organizations/{org_id}").status_code == 204
    assert not Organization.objects.filter(pk=org_id).exists()
    customer.refresh_from_db()
    assert customer.organization_id is None
    assert error_of(client.get(f"/organizations/{org_id}"))["code"] == "organization_not_found"


def test_bad_organizations_change_nothing(api_as, agent, acme):
    client = api_as(agent)
    before = db_state()
    cases = [
        ("post", "/organizations", {"name": "acme"}, 409, "name_taken"),
        ("post", "/organizations", {"name": "Other", "domains": ["acme.test"]}, 409, "domain_taken"),
        ("post", "/organizations", {"name": "Other", "domains": ["not a domain"]}, 422, "validation_failed"),
        ("post", "/organizations", {"name": ""}, 422, "validation_failed"),
        ("post", "/organizations", {"name": "X", "members": []}, 422, "validation_failed"),
        ("patch", f"/organizations/{acme.pk}", {"name": None}, 422, "validation_failed"),
        ("patch", "/organizations/999999", {"name": "X"}, 404, "organization_not_found"),
        ("delete", "/organizations/999999", None, 404, "organization_not_found"),
    ]
    for method, path, body, status, code in cases:
        response = client.delete(path) if method == "delete" else getattr(client, method)(path, body)
        assert response.status_code == status, (path, body, response.content)
        assert error_of(response)["code"] == code
    assert db_state() == before
    assert OrganizationDomain.objects.count() == 1
