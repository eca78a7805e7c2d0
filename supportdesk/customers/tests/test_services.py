import pytest

from supportdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from supportdesk.customers import selectors, services
from supportdesk.customers.models import Customer, CustomerEmail, Organization

pytestmark = pytest.mark.django_db


def test_create_normalizes_identities_and_joins_the_domain_organization(agent):
    org = services.organization_save(actor=agent, name="Acme", domains=["@ACME.example", "acme.example"])
    customer = services.customer_create(
        actor=agent,
        name=" Nguyễn  Văn An ",
        emails=["An@Acme.Example", "an@acme.example", "an.private@mail.example"],
        phones=["+84 90 123 45 67", "+84901234567"],
    )
    assert customer.name == "Nguyễn Văn An" and customer.organization == org
    assert customer.primary_email == "an@acme.example"
    assert list(customer.emails.values_list("email", "is_primary")) == [
        ("an@acme.example", True),
        ("an.private@mail.example", False),
    ]
    assert list(customer.phones.values_list("number", flat=True)) == ["+84901234567"]
    assert list(org.domains.values_list("domain", flat=True)) == ["acme.example"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"emails": ["nope"]}, ValidationFailed),
        ({"phones": ["12"]}, ValidationFailed),
        ({"name": "x" * 201}, ValidationFailed),
        ({"name": "", "emails": [], "phones": []}, ValidationFailed),
        ({"emails": ["customer@example.com"]}, Conflict),
    ],
)
def test_bad_input_creates_nothing(agent, customer, kwargs, error):
    before = Customer.objects.count()
    with pytest.raises(error):
        services.customer_create(actor=agent, **{"name": "X", **kwargs})
    assert Customer.objects.count() == before


def test_only_agents_edit_customers(collaborator, customer):
    with pytest.raises(PermissionDenied):
        services.customer_create(actor=collaborator, name="X")
    with pytest.raises(PermissionDenied):
        services.customer_update(
            actor=collaborator, customer=customer, name="Y", emails=[], phones=[], organization=None
        )


def test_update_replaces_identities_and_keeps_them_unique(agent, customer, other_customer):
    services.customer_update(
        actor=agent,
        customer=customer,
        name="Carla C",
        emails=["new@example.com", "customer@example.com"],
        phones=["+48221234567"],
        organization=None,
    )
    customer.refresh_from_db()
    assert customer.primary_email == "new@example.com"
    with pytest.raises(Conflict):
        services.customer_update(
            actor=agent,
            customer=customer,
            name="Carla",
            emails=["other@example.com"],
            phones=[],
            organization=None,
        )
    customer.refresh_from_db()
    assert set(customer.emails.values_list("email", flat=True)) == {"new@example.com", "customer@example.com"}


def test_get_or_create_by_email_reuses_the_owner(customer):
    found, created = services.customer_get_or_create_by_email(email=" CUSTOMER@example.com ")
    assert found == customer and not created
    new, created = services.customer_get_or_create_by_email(email="fresh@example.com", name="Fresh")
    assert created and new.name == "Fresh"
    with pytest.raises(ValidationFailed):
        services.customer_get_or_create_by_email(email="broken")


def test_search_by_name_without_diacritics_email_and_phone(agent):
    services.customer_create(
        actor=agent, name="Łukasz Żółkiewski", emails=["lz@firma.example"], phones=["+48221234567"]
    )
    services.customer_create(actor=agent, name="Trần Thị Bình", emails=["binh@cty.example"])
    names = lambda q: [c.name for c in selectors.customer_list(query=q)]  # noqa: E731
    assert names("lukasz") == ["Łukasz Żółkiewski"]
    assert names("zolk") == ["Łukasz Żółkiewski"]
    assert names("tran binh") == ["Trần Thị Bình"]
    assert names("binh@cty") == ["Trần Thị Bình"]
    assert names("48221234567") == ["Łukasz Żółkiewski"]


def test_organizations_claim_domains_once_and_adopt_existing_customers(agent):
    loner = services.customer_create(actor=agent, name="Lone", emails=["lone@widgets.example"])
    org = services.organization_save(
        actor=agent, name="Widgets", domains=["widgets.example"], shares_tickets=True
    )
    loner.refresh_from_db()
    assert loner.organization == org
    with pytest.raises(Conflict):
        services.organization_save(actor=agent, name="Other", domains=["widgets.example"])
    with pytest.raises(Conflict):
        services.organization_save(actor=agent, name="WIDGETS")
    with pytest.raises(ValidationFailed):
        services.organization_save(actor=agent, name="Bad", domains=["not a domain"])
    services.organization_delete(actor=agent, organization=org)
    loner.refresh_from_db()
    assert loner.organization is None and Organization.objects.count() == 0
    assert CustomerEmail.objects.filter(email="lone@widgets.example").exists()


def test_many_senders_are_found_or_created_at_once(agent, customer):
    org = services.organization_save(actor=agent, name="Acme", domains=["acme.example"])
    found = services.customers_get_or_create_by_emails(
        [
            (f" {customer.primary_email.upper()} ", "Ignored Name"),
            ("an@acme.example", "Nguyễn  Văn An"),
            ("AN@acme.example", "Second name for the same address"),
            ("zoe@mail.example", ""),
        ]
    )
    assert set(found) == {customer.primary_email, "an@acme.example", "zoe@mail.example"}
    assert found[customer.primary_email] == customer  # the existing one, unchanged
    assert Customer.objects.get(pk=customer.pk).name == customer.name
    an = Customer.objects.get(pk=found["an@acme.example"].pk)
    assert (an.name, an.organization, an.primary_email) == ("Nguyễn Văn An", org, "an@acme.example")
    assert list(an.emails.values_list("email", "is_primary")) == [("an@acme.example", True)]
    assert found["zoe@mail.example"].organization is None
    assert list(selectors.customer_list(query="Văn An")) == [an]  # indexed for search
    again = services.customers_get_or_create_by_emails([("an@acme.example", "")])
    assert again["an@acme.example"].pk == an.pk and Customer.objects.count() == 3


def test_one_bad_sender_address_creates_none_of_the_batch(db):
    with pytest.raises(ValidationFailed):
        services.customers_get_or_create_by_emails([("ok@mail.example", "Ok"), ("not an address", "")])
    assert not Customer.objects.exists()


def test_contacts_come_primary_first_then_by_address_with_phones_in_order(agent, django_assert_num_queries):
    customer = services.customer_create(
        actor=agent,
        name="Contact Person",
        emails=["zed@example.com", "amy@example.com", "bob@example.com"],
        phones=["+48 22 123 45 67", "+1 202 555 0143"],
    )
    with django_assert_num_queries(1):
        emails, phones = selectors.customer_contacts(customer.pk)
    assert emails == ["zed@example.com", "amy@example.com", "bob@example.com"]  # the first is primary
    assert phones == ["+48221234567", "+12025550143"]
    loner = services.customer_create(actor=agent, name="Nobody to reach")
    assert selectors.customer_contacts(loner.pk) == ([], [])
