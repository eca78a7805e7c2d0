"""The customer pages of the agent interface: list and search, customer page, create and edit."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.customers import forms, services, views
from supportdesk.customers.models import Customer, CustomerEmail, CustomerPhone, Organization

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def make_customer(agent: Any, name: str, **kwargs: Any) -> Customer:
    return services.customer_create(actor=agent, name=name, **kwargs)


def customer_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Nguyễn Văn An",
        "emails": "an@acme.example\nan.private@mail.example",
        "phones": "+84 90 123 45 67",
        "organization": "",
        "language": "vi",
        "time_zone": "Asia/Ho_Chi_Minh",
        "notes": "Prefers email.",
    }
    data.update(overrides)
    return data


def names_in(response: HttpResponse) -> list[str]:
    return [row.customer.name for row in response.context["rows"]]


# -- who may see the pages ---------------------------------------------------------------------


def customer_urls(customer: Customer) -> list[str]:
    return [
        reverse("customers:list"),
        reverse("customers:new"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:edit", args=[customer.pk]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client_for, customer):
    for url in customer_urls(customer):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("role", ["collaborator", "customer"])
def test_collaborators_and_customers_are_refused(request, client_for, customer, role):
    person = request.getfixturevalue(role)
    user = person.user if isinstance(person, Customer) else person
    client = client_for(user)
    for url in customer_urls(customer):
        assert client.get(url).status_code == 403
    assert client.post(reverse("customers:new"), customer_form()).status_code == 403
    edit = reverse("customers:edit", args=[customer.pk])
    assert client.post(edit, customer_form(name="Hacked")).status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Carla Customer"
    assert not Customer.objects.filter(name="Nguyễn Văn An").exists()


@pytest.mark.parametrize("role", ["agent", "manager", "administrator"])
def test_agents_managers_and_administrators_may_browse(request, client_for, customer, role):
    client = client_for(request.getfixturevalue(role))
    for url in customer_urls(customer):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Carla Customer" in response.content.decode() or url.endswith("/new/")


# -- the list ----------------------------------------------------------------------------------


def test_list_shows_name_email_organization_phone_and_created(client_for, agent, organization):
    make_customer(
        agent,
        "Ola Nowak",
        emails=["ola@firma.example"],
        phones=["+48 22 123 45 67", "+48 601 234 567"],
        organization=organization,
    )
    response = client_for(agent).get(reverse("customers:list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ola Nowak" in page and "ola@firma.example" in page
    assert reverse("customers:organization_detail", args=[organization.pk]) in page
    assert "+48 22 123 45 67" in page and "(+1 more)" in page
    assert reverse("customers:new") in page
    assert response.context["section"] == "customers"


def test_empty_list_says_so(client_for, agent):
    page = client_for(agent).get(reverse("customers:list")).content.decode()
    assert "No customers yet." in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nguyen", ["Nguyễn Văn An"]),
        ("NGUYỄN an", ["Nguyễn Văn An"]),
        ("lukasz", ["Łukasz Żółkiewski"]),
        ("an@acme", ["Nguyễn Văn An"]),
        ("lz@firma.example", ["Łukasz Żółkiewski"]),
        ("+48221234567", ["Łukasz Żółkiewski"]),
        ("+48 22 123 45 67", ["Łukasz Żółkiewski"]),
        ("(202) 555-0143", ["Ann Lee"]),
        ("nobody-like-this", []),
    ],
)
def test_search_by_name_email_or_phone(client_for, agent, query, expected):
    make_customer(agent, "Nguyễn Văn An", emails=["an@acme.example"])
    make_customer(agent, "Łukasz Żółkiewski", emails=["lz@firma.example"], phones=["+48221234567"])
    make_customer(agent, "Ann Lee", phones=["+1 202 555 0143"])
    response = client_for(agent).get(reverse("customers:list"), {"q": query})
    assert names_in(response) == expected
    if not expected:
        assert "No customer matches this search." in response.content.decode()


def test_search_as_you_type_answers_htmx_with_the_results_only(client_for, agent):
    make_customer(agent, "Nguyễn Văn An")
    make_customer(agent, "Ola Nowak")
    client = client_for(agent)
    response = client.get(reverse("customers:list"), {"q": "nguy"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and "<form" not in page
    assert "Nguyễn Văn An" in page and "Ola Nowak" not in page
    assert "HX-Request" in response["Vary"]
    # Going back in history asks for the whole page again.
    restore = client.get(
        reverse("customers:list"),
        {"q": "nguy"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


def test_the_full_page_wires_search_as_you_type(client_for, agent):
    page = client_for(agent).get(reverse("customers:list")).content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'hx-target="#customer-results"' in page
    assert 'method="get"' in page  # and works as a plain form without JavaScript


def test_filter_by_organization(client_for, agent, organization):
    make_customer(agent, "Inside", organization=organization)
    make_customer(agent, "Outside")
    client = client_for(agent)
    response = client.get(reverse("customers:list"), {"organization": organization.pk})
    assert names_in(response) == ["Inside"]
    assert f'<option value="{organization.pk}" selected>' in response.content.decode()
    both = client.get(reverse("customers:list"), {"organization": organization.pk, "q": "outside"})
    assert names_in(both) == []


@pytest.mark.parametrize("value", ["999999", "not-a-number"])
def test_unknown_organization_filter_is_reported_and_ignored(client_for, agent, value):
    make_customer(agent, "Someone")
    response = client_for(agent).get(reverse("customers:list"), {"organization": value})
    assert response.status_code == 200
    assert response.context["form"].errors["organization"]
    assert names_in(response) == ["Someone"]


def test_keyset_pages_by_name(client_for, agent, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for name in ["Eve", "Bob", "Dan", "Ann", "Cat"]:
        make_customer(agent, name)
    client = client_for(agent)
    first = client.get(reverse("customers:list"))
    assert names_in(first) == ["Ann", "Bob"]
    assert "First page" not in first.content.decode()
    cursor = first.context["page"].next_cursor
    assert f"?cursor={cursor}" in first.content.decode()
    second = client.get(reverse("customers:list"), {"cursor": cursor})
    assert names_in(second) == ["Cat", "Dan"]
    assert "First page" in second.content.decode()
    third = client.get(reverse("customers:list"), {"cursor": second.context["page"].next_cursor})
    assert names_in(third) == ["Eve"]
    assert not third.context["page"].has_next and "Next page" not in third.content.decode()


def test_next_page_link_keeps_the_search(client_for, agent, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    make_customer(agent, "Anna Nowak")
    make_customer(agent, "Beata Nowak")
    make_customer(agent, "Celina Kowalska")
    first = client_for(agent).get(reverse("customers:list"), {"q": "nowak"})
    assert names_in(first) == ["Anna Nowak"]
    assert f"?q=nowak&amp;cursor={first.context['page'].next_cursor}" in first.content.decode()


def test_a_damaged_cursor_shows_the_first_page_with_an_explanation(client_for, agent):
    make_customer(agent, "Ann")
    response = client_for(agent).get(reverse("customers:list"), {"cursor": "%%%garbage"})
    assert response.status_code == 200
    assert names_in(response) == ["Ann"]
    assert "The page cursor is not valid." in response.content.decode()


def test_long_names_page_correctly(client_for, agent, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    make_customer(agent, "Ż" * 200)
    make_customer(agent, "Ż" * 199 + "ź")
    client = client_for(agent)
    first = client.get(reverse("customers:list"))
    second = client.get(reverse("customers:list"), {"cursor": first.context["page"].next_cursor})
    assert len(names_in(second)) == 1 and names_in(second) != names_in(first)
    assert not second.context["page_error"]


def _count_queries(client: Any, url: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"q": "person"}], ids=["all", "search"])
def test_list_queries_do_not_grow_with_rows(client_for, agent, django_assert_num_queries, params):
    organizations = [Organization.objects.create(name=f"Org {i}") for i in range(3)]

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            make_customer(
                agent,
                f"Person {i:02}",
                emails=[f"p{i}@example.com"],
                phones=["+48221234567", f"+4860123456{i % 10}"],
                organization=organizations[i % 3],
            )

    client = client_for(agent)
    url = reverse("customers:list")
    add(3, 0)
    expected = _count_queries(client, url, params)
    add(17, 3)
    with django_assert_num_queries(expected):
        response = client.get(url, params)
    assert len(response.context["rows"]) == 20


# -- the customer page -------------------------------------------------------------------------


def test_customer_page_shows_everything(client_for, agent, customer, organization):
    services.customer_update(
        actor=agent,
        customer=customer,
        name="Carla Customer",
        emails=["customer@example.com", "carla@home.example"],
        phones=["+48221234567"],
        organization=organization,
        language="pl",
        time_zone="Europe/Warsaw",
        notes="Calls on Mondays.",
    )
    response = client_for(agent).get(reverse("customers:detail", args=[customer.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "customer@example.com" in page and "carla@home.example" in page
    assert response.context["emails"][0].email == "customer@example.com"
    assert response.context["emails"][0].is_primary
    assert "primary" in page
    assert "+48 22 123 45 67" in page
    assert reverse("customers:organization_detail", args=[organization.pk]) in page
    assert "Polish" in page and "Europe/Warsaw" in page
    assert "Portal account" in page and "Yes" in page
    assert "Calls on Mondays." in page
    assert reverse("customers:edit", args=[customer.pk]) in page
    # The tickets come from the tickets app, after the page loads, with a link for no-JS browsers.
    assert f'hx-get="{reverse("tickets:customer_tickets", args=[customer.pk])}"' in page
    assert 'hx-trigger="load"' in page
    assert f"{reverse('tickets:inbox')}?requester={customer.pk}" in page
    assert f"/desk/?requester={customer.pk}" in page


def test_customer_without_portal_account(client_for, agent):
    person = make_customer(agent, "No Login", emails=["nl@example.com"])
    response = client_for(agent).get(reverse("customers:detail", args=[person.pk]))
    assert "No" in response.content.decode() and person.user_id is None


@pytest.mark.parametrize("name", ["detail", "edit"])
def test_unknown_customer_is_404(client_for, agent, name):
    client = client_for(agent)
    assert client.get(reverse(f"customers:{name}", args=[987654])).status_code == 404
    assert client.get(f"/desk/customers/{2**70}/").status_code == 404
    if name == "edit":
        assert client.post(reverse("customers:edit", args=[987654]), customer_form()).status_code == 404


# -- create and edit ---------------------------------------------------------------------------


def test_create_customer(client_for, agent):
    client = client_for(agent)
    response = client.post(reverse("customers:new"), customer_form())
    customer = Customer.objects.get(name="Nguyễn Văn An")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.primary_email == "an@acme.example"
    assert list(customer.emails.values_list("email", "is_primary")) == [
        ("an@acme.example", True),
        ("an.private@mail.example", False),
    ]
    assert list(customer.phones.values_list("number", flat=True)) == ["+84901234567"]
    assert (customer.language, customer.time_zone, customer.notes) == (
        "vi",
        "Asia/Ho_Chi_Minh",
        "Prefers email.",
    )
    assert customer.organization is None
    followed = client.get(response["Location"])
    assert "Customer created." in followed.content.decode()


def test_new_customer_joins_the_organization_that_claims_their_domain(client_for, agent):
    acme = services.organization_save(actor=agent, name="Acme", domains=["acme.example"])
    client_for(agent).post(reverse("customers:new"), customer_form())
    assert Customer.objects.get(name="Nguyễn Văn An").organization == acme


def test_chosen_organization_wins_over_the_domain(client_for, agent, organization):
    services.organization_save(actor=agent, name="Other", domains=["acme.example"])
    client_for(agent).post(reverse("customers:new"), customer_form(organization=organization.pk))
    assert Customer.objects.get(name="Nguyễn Văn An").organization == organization


def test_edit_form_is_filled_in(client_for, agent, organization):
    person = make_customer(
        agent,
        "Ola",
        emails=["ola@firma.example", "ola@home.example"],
        phones=["+48221234567"],
        organization=organization,
        time_zone="Europe/Warsaw",
    )
    form = client_for(agent).get(reverse("customers:edit", args=[person.pk])).context["form"]
    assert form.initial["emails"] == "ola@firma.example\nola@home.example"
    assert form.initial["phones"] == "+48221234567"
    assert form.initial["organization"] == organization.pk
    assert (organization.pk, "Acme") in form.fields["organization"].choices


def test_edit_customer_replaces_details(client_for, agent, customer, organization):
    customer.organization = organization
    customer.save(update_fields=["organization"])
    response = client_for(agent).post(
        reverse("customers:edit", args=[customer.pk]),
        customer_form(
            name="Carla C",
            emails="carla@new.example\ncustomer@example.com",
            phones="+48 22 123 45 67\n+48 601 234 567",
            organization="",
            language="",
            time_zone="",
            notes="",
        ),
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Carla C" and customer.primary_email == "carla@new.example"
    assert customer.organization is None and customer.language == "" and customer.time_zone == ""
    assert sorted(customer.phones.values_list("number", flat=True)) == ["+48221234567", "+48601234567"]
    # The customer keeps their portal account.
    assert customer.user_id is not None


def _snapshot() -> tuple[Any, ...]:
    return (
        sorted(Customer.objects.values_list("id", "name", "organization_id", "notes", "primary_email")),
        sorted(CustomerEmail.objects.values_list("customer_id", "email", "is_primary")),
        sorted(CustomerPhone.objects.values_list("customer_id", "number")),
    )


BAD_INPUT = [
    pytest.param({"emails": "not-an-address"}, "“not-an-address” is not a valid email address.", id="email"),
    pytest.param({"phones": "12"}, "“12” is not a valid phone number.", id="phone"),
    pytest.param(
        {"emails": "other@example.com"}, "other@example.com already belongs to another customer.", id="dup"
    ),
    pytest.param({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice.", id="time-zone"),
    pytest.param({"language": "xx"}, "Select a valid choice.", id="language"),
    pytest.param({"organization": "987654"}, "Select a valid choice.", id="organization"),
    pytest.param({"notes": "n" * 10_001}, "at most 10000 characters", id="notes"),
    pytest.param({"name": "n" * 201}, "at most 200 characters", id="name"),
    pytest.param(
        {"name": "", "emails": "", "phones": ""},
        "Give a name, an email address or a phone number.",
        id="empty",
    ),
    pytest.param(
        {"emails": "\n".join(f"a{i}@example.com" for i in range(21))}, "Too many email addresses.", id="many"
    ),
]


@pytest.mark.parametrize(("fields", "message"), BAD_INPUT)
def test_bad_input_on_create_changes_nothing(client_for, agent, customer, other_customer, fields, message):
    before = _snapshot()
    response = client_for(agent).post(reverse("customers:new"), customer_form(**fields))
    assert response.status_code == 200
    assert message in response.content.decode().replace("&quot;", '"')
    assert _snapshot() == before


@pytest.mark.parametrize(("fields", "message"), BAD_INPUT)
def test_bad_input_on_edit_changes_nothing(client_for, agent, customer, other_customer, fields, message):
    before = _snapshot()
    response = client_for(agent).post(reverse("customers:edit", args=[customer.pk]), customer_form(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _snapshot() == before


def test_service_errors_land_on_their_field(client_for, agent, other_customer):
    response = client_for(agent).post(reverse("customers:new"), customer_form(emails="other@example.com"))
    assert response.context["form"].errors["emails"] == [
        "other@example.com already belongs to another customer."
    ]
    response = client_for(agent).post(reverse("customers:new"), customer_form(phones="12"))
    assert response.context["form"].errors["phones"] == ["“12” is not a valid phone number."]


def test_markup_in_a_name_is_kept_as_text_and_shown_escaped(client_for, agent):
    client = client_for(agent)
    response = client.post(
        reverse("customers:new"), customer_form(name=f"Eve {SCRIPT}", emails="eve@x.example")
    )
    customer = Customer.objects.get(primary_email="eve@x.example")
    assert customer.name == f"Eve {SCRIPT}"
    for url in [
        response["Location"],
        reverse("customers:list"),
        reverse("customers:edit", args=[customer.pk]),
    ]:
        page = client.get(url).content.decode()
        assert ESCAPED_SCRIPT in page, url
        assert SCRIPT not in page, url


def test_markup_in_notes_is_shown_escaped(client_for, agent):
    client = client_for(agent)
    response = client.post(reverse("customers:new"), customer_form(notes=SCRIPT))
    page = client.get(response["Location"]).content.decode()
    assert ESCAPED_SCRIPT in page and SCRIPT not in page


def test_only_get_and_post_are_allowed(client_for, agent, customer):
    client = client_for(agent)
    assert client.delete(reverse("customers:edit", args=[customer.pk])).status_code == 405
    assert client.post(reverse("customers:list")).status_code == 405


def test_many_organizations_keep_the_picker_bounded(client_for, agent, monkeypatch):
    monkeypatch.setattr(forms, "MAX_ORGANIZATION_CHOICES", 3)
    organizations = [Organization.objects.create(name=f"Org {i}") for i in range(6)]
    last = organizations[-1]
    person = make_customer(agent, "Member", organization=last)
    client = client_for(agent)
    form = client.get(reverse("customers:edit", args=[person.pk])).context["form"]
    offered = [value for value, _label in form.fields["organization"].choices if value != ""]
    assert offered == [organizations[0].pk, organizations[1].pk, organizations[2].pk, last.pk]
    # An organization that is not listed is still accepted.
    response = client.post(
        reverse("customers:edit", args=[person.pk]),
        customer_form(name="Member", emails="", phones="", organization=organizations[4].pk),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.organization == organizations[4]
