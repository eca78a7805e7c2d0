"""The organization pages of the agent interface: list, page, create, edit, delete."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.customers import services, views
from supportdesk.customers.models import Customer, Organization, OrganizationDomain
from supportdesk.customers.tests.test_views_customers import ESCAPED_SCRIPT, SCRIPT

pytestmark = pytest.mark.django_db


def make_organization(agent: Any, name: str, **kwargs: Any) -> Organization:
    return services.organization_save(actor=agent, name=name, **kwargs)


def organization_form(**overrides: Any) -> dict[str, Any]:
    data = {"name": "Công ty Bình Minh", "domains": "binhminh.example\nbm.example", "notes": "VIP"}
    data.update(overrides)
    return data


def names_in(response: HttpResponse) -> list[str]:
    return [organization.name for organization in response.context["page"].items]


def organization_urls(organization: Organization) -> list[str]:
    return [
        reverse("customers:organizations"),
        reverse("customers:organization_new"),
        reverse("customers:organization_detail", args=[organization.pk]),
        reverse("customers:organization_edit", args=[organization.pk]),
        reverse("customers:organization_delete", args=[organization.pk]),
    ]


def _snapshot() -> tuple[Any, ...]:
    return (
        sorted(Organization.objects.values_list("id", "name", "shares_tickets", "notes")),
        sorted(OrganizationDomain.objects.values_list("organization_id", "domain")),
        sorted(Customer.objects.values_list("id", "organization_id")),
    )


# -- who may see the pages ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client_for, organization):
    for url in organization_urls(organization):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    response = client_for(None).post(reverse("customers:organization_delete", args=[organization.pk]))
    assert response.status_code == 302
    assert Organization.objects.filter(pk=organization.pk).exists()


@pytest.mark.parametrize("role", ["collaborator", "customer"])
def test_collaborators_and_customers_are_refused(request, client_for, organization, role):
    person = request.getfixturevalue(role)
    client = client_for(person.user if isinstance(person, Customer) else person)
    before = _snapshot()
    for url in organization_urls(organization):
        assert client.get(url).status_code == 403
    assert client.post(reverse("customers:organization_new"), organization_form()).status_code == 403
    edit = reverse("customers:organization_edit", args=[organization.pk])
    assert client.post(edit, organization_form()).status_code == 403
    delete = reverse("customers:organization_delete", args=[organization.pk])
    assert client.post(delete).status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("role", ["agent", "manager", "administrator"])
def test_agents_managers_and_administrators_may_browse(request, client_for, organization, role):
    client = client_for(request.getfixturevalue(role))
    for url in organization_urls(organization):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["section"] == "organizations"


# -- the list ----------------------------------------------------------------------------------


def test_list_shows_domains_customer_count_and_sharing(client_for, agent, customer):
    acme = make_organization(agent, "Acme", domains=["acme.example", "acme.test"], shares_tickets=True)
    make_organization(agent, "Empty Co")
    services.customer_create(actor=agent, name="A", emails=["a@acme.example"])
    services.customer_create(actor=agent, name="B", emails=["b@acme.test"])
    response = client_for(agent).get(reverse("customers:organizations"))
    page = response.content.decode()
    assert names_in(response) == ["Acme", "Empty Co"]
    assert [o.customer_count for o in response.context["page"].items] == [2, 0]
    assert "acme.example" in page and "acme.test" in page
    assert f"{reverse('customers:list')}?organization={acme.pk}" in page
    assert reverse("customers:organization_new") in page


def test_search_by_name(client_for, agent):
    make_organization(agent, "Acme Polska")
    make_organization(agent, "Globex")
    client = client_for(agent)
    assert names_in(client.get(reverse("customers:organizations"), {"q": "polska"})) == ["Acme Polska"]
    response = client.get(reverse("customers:organizations"), {"q": "initech"})
    assert names_in(response) == []
    assert "No organization matches this search." in response.content.decode()


def test_search_as_you_type_answers_htmx_with_the_results_only(client_for, agent):
    make_organization(agent, "Acme")
    make_organization(agent, "Globex")
    response = client_for(agent).get(
        reverse("customers:organizations"), {"q": "glo"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "<html" not in page and "Globex" in page and "Acme" not in page
    assert "HX-Request" in response["Vary"]


def test_keyset_pages_by_name(client_for, agent, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for name in ["Echo", "Bravo", "Delta", "Alpha", "Charlie"]:
        make_organization(agent, name)
    client = client_for(agent)
    first = client.get(reverse("customers:organizations"))
    assert names_in(first) == ["Alpha", "Bravo"]
    second = client.get(reverse("customers:organizations"), {"cursor": first.context["page"].next_cursor})
    assert names_in(second) == ["Charlie", "Delta"]
    assert "First page" in second.content.decode() and "Next page" in second.content.decode()
    third = client.get(reverse("customers:organizations"), {"cursor": second.context["page"].next_cursor})
    assert names_in(third) == ["Echo"] and not third.context["page"].has_next


def test_a_damaged_cursor_shows_the_first_page_with_an_explanation(client_for, agent):
    make_organization(agent, "Acme")
    response = client_for(agent).get(reverse("customers:organizations"), {"cursor": "x" * 5000})
    assert names_in(response) == ["Acme"]
    assert "The page cursor is not valid." in response.content.decode()


@pytest.mark.parametrize("params", [{}, {"q": "org"}], ids=["all", "search"])
def test_list_queries_do_not_grow_with_rows(client_for, agent, django_assert_num_queries, params):
    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            make_organization(agent, f"Org {i:02}", domains=[f"org{i}.example", f"org{i}.test"])
            services.customer_create(actor=agent, name=f"Member {i}", emails=[f"m{i}@org{i}.example"])

    client = client_for(agent)
    url = reverse("customers:organizations")
    add(3, 0)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    add(17, 3)
    with django_assert_num_queries(len(queries)):
        response = client.get(url, params)
    assert len(response.context["page"].items) == 20
    assert all(o.customer_count == 1 for o in response.context["page"].items)


# -- the organization page ---------------------------------------------------------------------


def test_organization_page_shows_details_members_and_tickets(client_for, agent):
    acme = make_organization(
        agent, "Acme", domains=["acme.example"], shares_tickets=True, notes="Key account."
    )
    member = services.customer_create(actor=agent, name="Ann Acme", emails=["ann@acme.example"])
    response = client_for(agent).get(reverse("customers:organization_detail", args=[acme.pk]))
    page = response.content.decode()
    assert "Acme" in page and "acme.example" in page and "Key account." in page
    assert "members see each other" in page
    assert reverse("customers:detail", args=[member.pk]) in page and "Ann Acme" in page
    assert "1 customer" in page
    assert reverse("customers:organization_edit", args=[acme.pk]) in page
    assert reverse("customers:organization_delete", args=[acme.pk]) in page
    assert f'hx-get="{reverse("tickets:organization_tickets", args=[acme.pk])}"' in page
    assert 'hx-trigger="load"' in page
    assert f"?organization={acme.pk}" in page


def test_organization_page_lists_at_most_fifty_members(client_for, agent, django_assert_max_num_queries):
    acme = make_organization(agent, "Acme")
    for i in range(views.MEMBERS_SHOWN + 1):
        services.customer_create(actor=agent, name=f"Member {i:03}", organization=acme)
    client = client_for(agent)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("customers:organization_detail", args=[acme.pk]))
    assert len(response.context["members"]) == views.MEMBERS_SHOWN
    assert response.context["more_members"]
    page = response.content.decode()
    assert f"{views.MEMBERS_SHOWN + 1} customers" in page
    assert f"{reverse('customers:list')}?organization={acme.pk}" in page
    assert "Show all customers of this organization" in page


@pytest.mark.parametrize("name", ["organization_detail", "organization_edit", "organization_delete"])
def test_unknown_organization_is_404(client_for, agent, name):
    client = client_for(agent)
    assert client.get(reverse(f"customers:{name}", args=[987654])).status_code == 404
    assert client.post(reverse(f"customers:{name}", args=[987654]), organization_form()).status_code in {
        404,
        405,
    }


# -- create, edit, delete ----------------------------------------------------------------------


def test_create_organization_claims_domains_for_existing_customers(client_for, agent):
    loose = services.customer_create(actor=agent, name="Loose", emails=["lan@binhminh.example"])
    client = client_for(agent)
    response = client.post(
        reverse("customers:organization_new"),
        organization_form(shares_tickets="on", domains="@BinhMinh.example"),
    )
    organization = Organization.objects.get(name="Công ty Bình Minh")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:organization_detail", args=[organization.pk])
    assert organization.shares_tickets and organization.notes == "VIP"
    assert list(organization.domains.values_list("domain", flat=True)) == ["binhminh.example"]
    loose.refresh_from_db()
    assert loose.organization == organization
    assert "Organization created." in client.get(response["Location"]).content.decode()


def test_edit_organization(client_for, agent):
    acme = make_organization(agent, "Acme", domains=["acme.example"], shares_tickets=True)
    client = client_for(agent)
    form = client.get(reverse("customers:organization_edit", args=[acme.pk])).context["form"]
    assert form.initial == {"name": "Acme", "domains": "acme.example", "shares_tickets": True, "notes": ""}
    response = client.post(
        reverse("customers:organization_edit", args=[acme.pk]),
        {"name": "ACME Corp", "domains": "acme.test, acme.example", "notes": "Renamed"},
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.name == "ACME Corp" and not acme.shares_tickets and acme.notes == "Renamed"
    assert sorted(acme.domains.values_list("domain", flat=True)) == ["acme.example", "acme.test"]


def test_renaming_to_a_different_case_of_its_own_name_is_fine(client_for, agent):
    acme = make_organization(agent, "Acme")
    client_for(agent).post(reverse("customers:organization_edit", args=[acme.pk]), {"name": "ACME"})
    acme.refresh_from_db()
    assert acme.name == "ACME"


BAD_INPUT = [
    pytest.param({"name": "globex"}, "An organization with this name already exists.", "name", id="dup-name"),
    pytest.param(
        {"domains": "globex.example"},
        "The domain globex.example already belongs to another organization.",
        "domains",
        id="domain-taken",
    ),
    pytest.param(
        {"domains": "not a domain"}, "“not a domain” is not a valid domain.", "domains", id="domain"
    ),
    pytest.param({"name": ""}, "This field is required.", "name", id="no-name"),
    pytest.param({"name": "   "}, "This field is required.", "name", id="blank-name"),
    pytest.param({"name": "n" * 201}, "at most 200 characters", "name", id="long-name"),
    pytest.param({"notes": "n" * 10_001}, "at most 10000 characters", "notes", id="notes"),
]


@pytest.mark.parametrize(("fields", "message", "field"), BAD_INPUT)
def test_bad_input_on_create_changes_nothing(client_for, agent, fields, message, field):
    make_organization(agent, "Globex", domains=["globex.example"])
    before = _snapshot()
    response = client_for(agent).post(reverse("customers:organization_new"), organization_form(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert any(message in error for error in response.context["form"].errors[field])
    assert _snapshot() == before


@pytest.mark.parametrize(("fields", "message", "field"), BAD_INPUT)
def test_bad_input_on_edit_changes_nothing(client_for, agent, fields, message, field):
    make_organization(agent, "Globex", domains=["globex.example"])
    acme = make_organization(agent, "Acme", domains=["acme.example"], notes="Old")
    before = _snapshot()
    response = client_for(agent).post(
        reverse("customers:organization_edit", args=[acme.pk]), organization_form(**fields)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _snapshot() == before


def test_markup_in_a_name_is_kept_as_text_and_shown_escaped(client_for, agent):
    client = client_for(agent)
    response = client.post(reverse("customers:organization_new"), organization_form(name=f"Evil {SCRIPT}"))
    organization = Organization.objects.get()
    assert organization.name == f"Evil {SCRIPT}"
    for url in [
        response["Location"],
        reverse("customers:organizations"),
        reverse("customers:organization_edit", args=[organization.pk]),
        reverse("customers:organization_delete", args=[organization.pk]),
    ]:
        page = client.get(url).content.decode()
        assert ESCAPED_SCRIPT in page, url
        assert SCRIPT not in page, url


def test_delete_asks_first_then_keeps_customers_and_tickets(client_for, agent, customer, make_ticket):
    acme = make_organization(agent, "Acme", domains=["example.com"])
    customer.refresh_from_db()
    assert customer.organization == acme
    ticket = make_ticket(customer)
    assert ticket.organization_id == acme.pk
    client = client_for(agent)
    confirm = client.get(reverse("customers:organization_delete", args=[acme.pk]))
    page = confirm.content.decode()
    assert "Delete the organization “Acme”?" in page
    assert "Its 1 customer and their tickets stay" in page
    assert Organization.objects.filter(pk=acme.pk).exists()

    response = client.post(reverse("customers:organization_delete", args=[acme.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:organizations")
    assert not Organization.objects.filter(pk=acme.pk).exists()
    assert not OrganizationDomain.objects.filter(domain="example.com").exists()
    customer.refresh_from_db()
    ticket.refresh_from_db()
    assert customer.organization is None
    assert ticket.organization_id is None and ticket.requester_id == customer.pk
    assert "Organization “Acme” deleted." in client.get(response["Location"]).content.decode()


def test_delete_needs_post(client_for, agent, organization):
    client = client_for(agent)
    assert client.put(reverse("customers:organization_delete", args=[organization.pk])).status_code == 405
    assert Organization.objects.filter(pk=organization.pk).exists()
