"""Writes for customers and organizations. Only agents (and above) change customer records,
except a customer's own name, language and time zone, which they set in the portal."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.core.batch import batch_cached
from supportdesk.core.compiled import CompiledQuery
from supportdesk.core.conf import product_settings
from supportdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from supportdesk.core.inserts import insert
from supportdesk.core.preferences import clean_preferences
from supportdesk.core.search import SearchIndex
from supportdesk.core.text import single_line
from supportdesk.core.types import Person
from supportdesk.customers.models import (
    Customer,
    CustomerEmail,
    CustomerPhone,
    Organization,
    OrganizationDomain,
)
from supportdesk.customers.phones import InvalidPhoneNumber, normalize_phone

customer_search_index = SearchIndex("customers_search")
MAX_IDENTITIES = 20
MAX_NOTES = 10_000


def _require_agent(actor: Person) -> None:
    if not actor.is_agent:
        raise PermissionDenied(_("Only agents can change customer records."))


def clean_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            _("“%(email)s” is not a valid email address.") % {"email": raw[:100]},
            details={"emails": _("“%(email)s” is not a valid email address.") % {"email": raw[:100]}},
        ) from None
    return email


def _clean_emails(raw: Sequence[str]) -> list[str]:
    emails: list[str] = []
    for item in raw:
        if item and item.strip():
            email = clean_email(item)
            if email not in emails:
                emails.append(email)
    if len(emails) > MAX_IDENTITIES:
        raise ValidationFailed.on("emails", _("Too many email addresses."))
    return emails


def _clean_phones(raw: Sequence[str]) -> list[str]:
    region = product_settings().default_phone_region
    numbers: list[str] = []
    for item in raw:
        if not item or not item.strip():
            continue
        try:
            number = normalize_phone(item, region)
        except InvalidPhoneNumber:
            message = _("“%(number)s” is not a valid phone number.") % {"number": item[:40]}
            raise ValidationFailed(message, details={"phones": message}) from None
        if number not in numbers:
            numbers.append(number)
    if len(numbers) > MAX_IDENTITIES:
        raise ValidationFailed.on("phones", _("Too many phone numbers."))
    return numbers


def _clean_name(name: str) -> str:
    name = single_line(name)
    if len(name) > 200:
        raise ValidationFailed(_("The name is too long."), details={"name": _("The name is too long.")})
    return name


def _clean_notes(notes: str) -> str:
    if len(notes or "") > MAX_NOTES:
        raise ValidationFailed.on("notes", _("Notes can have at most %(n)d characters.") % {"n": MAX_NOTES})
    return notes or ""


def _domain_claim(domain: str) -> QuerySet[OrganizationDomain]:
    return OrganizationDomain.objects.select_related("organization").filter(domain=domain)[:1]


# Asked for every new customer (a first contact by mail or through the API): compiled once.
_DOMAIN_CLAIM: CompiledQuery[OrganizationDomain] = CompiledQuery(_domain_claim)


def organization_for_email(email: str) -> Organization | None:
    """The organization that claims the domain of `email`, if any (read once per domain and
    batch inside core.batch.batch_scope: a mail import)."""
    domain = email.rpartition("@")[2].lower()

    def load() -> Organization | None:
        match = _DOMAIN_CLAIM.first(domain=domain)
        return match.organization if match else None

    return batch_cached(("customers.organization_for_domain", domain), load)


def _index_customer(customer: Customer, emails: Sequence[str], phones: Sequence[str]) -> None:
    customer_search_index.replace(customer.pk, " ".join([customer.name, *emails, *phones]))


def _set_identities(customer: Customer, emails: list[str], phones: list[str]) -> None:
    taken = CustomerEmail.objects.filter(email__in=emails).exclude(customer=customer)
    if clash := list(taken.values_list("email", flat=True)[:1]):
        message = _("%(email)s already belongs to another customer.") % {"email": clash[0]}
        raise Conflict(message, code="email_taken", details={"emails": message})
    CustomerEmail.objects.filter(customer=customer).exclude(email__in=emails).delete()
    CustomerEmail.objects.filter(customer=customer).update(is_primary=False)
    existing = set(CustomerEmail.objects.filter(customer=customer).values_list("email", flat=True))
    try:
        with transaction.atomic():
            CustomerEmail.objects.bulk_create(
                [CustomerEmail(customer=customer, email=e) for e in emails if e not in existing]
            )
    except IntegrityError:
        message = _("This email address already belongs to another customer.")
        raise Conflict(message, code="email_taken", details={"emails": message}) from None
    if emails:
        CustomerEmail.objects.filter(customer=customer, email=emails[0]).update(is_primary=True)
    CustomerPhone.objects.filter(customer=customer).exclude(number__in=phones).delete()
    known = set(CustomerPhone.objects.filter(customer=customer).values_list("number", flat=True))
    CustomerPhone.objects.bulk_create(
        [CustomerPhone(customer=customer, number=n) for n in phones if n not in known]
    )
    customer.primary_email = emails[0] if emails else ""


@transaction.atomic
def customer_create(
    *,
    actor: Person | None,
    name: str,
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    organization: Organization | None = None,
    language: str = "",
    time_zone: str = "",
    notes: str = "",
) -> Customer:
    """Create a customer. `actor` None means the system (a channel or a portal sign-up).

    Without an explicit organization the customer joins the one that claims the domain of their
    first address. Raises ValidationFailed for bad addresses or numbers, Conflict when an address
    already belongs to someone else."""
    if actor is not None:
        _require_agent(actor)
    clean_emails, clean_phones = _clean_emails(emails), _clean_phones(phones)
    name = _clean_name(name)
    if not name and not clean_emails and not clean_phones:
        raise ValidationFailed.on("name", _("Give a name, an email address or a phone number."))
    if organization is None and clean_emails:
        organization = organization_for_email(clean_emails[0])
    customer = Customer.objects.create(
        name=name,
        organization=organization,
        language=language,
        time_zone=time_zone,
        notes=_clean_notes(notes),
    )
    _set_identities(customer, clean_emails, clean_phones)
    customer.save(update_fields=["primary_email"])
    _index_customer(customer, clean_emails, clean_phones)
    return customer


@transaction.atomic
def customer_update(
    *,
    actor: Person,
    customer: Customer,
    name: str,
    emails: Sequence[str],
    phones: Sequence[str],
    organization: Organization | None,
    language: str = "",
    time_zone: str = "",
    notes: str = "",
) -> Customer:
    """Replace a customer's details; the first address becomes the primary one."""
    _require_agent(actor)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    clean_emails, clean_phones = _clean_emails(emails), _clean_phones(phones)
    customer.name = _clean_name(name)
    if not customer.name and not clean_emails and not clean_phones:
        raise ValidationFailed.on("name", _("Give a name, an email address or a phone number."))
    customer.organization = organization
    language, time_zone = clean_preferences(language, time_zone)
    customer.language, customer.time_zone, customer.notes = language, time_zone, _clean_notes(notes)
    customer.updated_at = timezone.now()
    _set_identities(customer, clean_emails, clean_phones)
    customer.save(
        update_fields=[
            "name",
            "organization",
            "language",
            "time_zone",
            "notes",
            "primary_email",
            "updated_at",
        ]
    )
    _index_customer(customer, clean_emails, clean_phones)
    return customer


@transaction.atomic
def customer_update_own_profile(*, customer: Customer, name: str, language: str, time_zone: str) -> Customer:
    """A customer changes their own name and preferences from the portal."""
    language, time_zone = clean_preferences(language, time_zone)
    customer.name = _clean_name(name) or customer.name
    customer.language, customer.time_zone = language, time_zone
    customer.updated_at = timezone.now()
    customer.save(update_fields=["name", "language", "time_zone", "updated_at"])
    emails = list(customer.emails.values_list("email", flat=True))
    phones = list(customer.phones.values_list("number", flat=True))
    _index_customer(customer, emails, phones)
    return customer


@transaction.atomic
def customer_link_user(*, customer: Customer, user_id: int) -> Customer:
    """Attach a portal login to a customer record (after the address was confirmed)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.user_id not in (None, user_id):
        raise Conflict(_("This customer already has a portal account."), code="already_linked")
    customer.user_id = user_id
    customer.save(update_fields=["user"])
    return customer


def _customer_by_email(email: str, with_organization: bool) -> QuerySet[Customer]:
    # The customer alone: cheaper to build than the address row joined with it.
    rows = Customer.objects.filter(emails__email=email)
    return (rows.select_related("organization") if with_organization else rows)[:1]


# Every message a channel takes in and every ticket the API opens asks: compiled once
# (core/compiled.py).
_CUSTOMER_BY_EMAIL: CompiledQuery[Customer] = CompiledQuery(_customer_by_email)


def customer_for_email(email: str, *, with_organization: bool = False) -> Customer | None:
    return _CUSTOMER_BY_EMAIL.first(email=email.strip().lower(), with_organization=with_organization)


def customer_get_or_create_by_email(
    *, email: str, name: str = "", with_organization: bool = False
) -> tuple[Customer, bool]:
    """The customer who owns `email`, created (with `name`) if nobody does. For channels.

    A new customer gets `email` as their primary (and only) address, the organization that
    claims its domain, and their search document: what customer_create does, in four writes
    (a channel creates customers by the thousand). Atomic (a savepoint when nested); raises
    ValidationFailed for a bad address or name. `with_organization` reads an existing customer's
    organization with them (a new one always has it)."""
    address = clean_email(email)
    if existing := customer_for_email(address, with_organization=with_organization):
        return existing, False
    clean = _clean_name(name)
    try:
        with transaction.atomic():
            organization = organization_for_email(address)
            customer = Customer(name=clean, organization=organization, primary_email=address)
            insert(customer)
            insert(CustomerEmail(customer=customer, email=address, is_primary=True))
            _index_customer(customer, [address], [])
    except IntegrityError:
        # Another process created the same customer a moment ago: use theirs.
        found = customer_for_email(address, with_organization=with_organization)
        if found is None:
            message = _("This email address already belongs to another customer.")
            raise Conflict(message, code="email_taken", details={"emails": message}) from None
        return found, False
    return customer, True


def customers_get_or_create_by_emails(people: Sequence[tuple[str, str]]) -> dict[str, Customer]:
    """`customer_get_or_create_by_email` for many (email, name) pairs at once, for a channel
    taking in a batch of mail: address → customer. The existing ones are read in one statement;
    the missing ones are created (the first name given for an address wins) with their
    addresses and search documents in three. Atomic; raises ValidationFailed for a bad
    address or name before writing anything, and IntegrityError when another process created
    one of the customers meanwhile (the caller retries one by one)."""
    wanted: dict[str, str] = {}
    for email, name in people:
        wanted.setdefault(clean_email(email), _clean_name(name))
    found = {
        row.email: row.customer
        for row in CustomerEmail.objects.select_related("customer").filter(email__in=list(wanted))
    }
    missing = [email for email in wanted if email not in found]
    if missing:
        with transaction.atomic():
            created = Customer.objects.bulk_create(
                [
                    Customer(
                        name=wanted[email], organization=organization_for_email(email), primary_email=email
                    )
                    for email in missing
                ]
            )
            CustomerEmail.objects.bulk_create(
                [CustomerEmail(customer=c, email=c.primary_email, is_primary=True) for c in created]
            )
            customer_search_index.replace_many((c.pk, f"{c.name} {c.primary_email}") for c in created)
        found.update((c.primary_email, c) for c in created)
    return found


# -- organizations ------------------------------------------------------------------------------


def _clean_domains(raw: Sequence[str]) -> list[str]:
    domains: list[str] = []
    for item in raw:
        domain = (item or "").strip().lower().lstrip("@")
        if not domain:
            continue
        try:
            validate_email(f"user@{domain}")
        except DjangoValidationError:
            message = _("“%(domain)s” is not a valid domain.") % {"domain": item[:100]}
            raise ValidationFailed(message, details={"domains": message}) from None
        if domain not in domains:
            domains.append(domain)
    return domains


@transaction.atomic
def organization_save(
    *,
    actor: Person,
    organization: Organization | None = None,
    name: str,
    domains: Sequence[str] = (),
    shares_tickets: bool = False,
    notes: str = "",
) -> Organization:
    """Create (organization None) or update an organization and the email domains it claims.

    Customers already at a newly claimed domain who have no organization join it."""
    _require_agent(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise ValidationFailed.on("name", _("A name of up to 200 characters is required."))
    clash = Organization.objects.filter(name__iexact=name)
    if organization is not None:
        clash = clash.exclude(pk=organization.pk)
    if clash.exists():
        message = _("An organization with this name already exists.")
        raise Conflict(message, code="name_taken", details={"name": message})
    clean = _clean_domains(domains)
    taken = OrganizationDomain.objects.filter(domain__in=clean)
    if organization is not None:
        taken = taken.exclude(organization=organization)
    if first := taken.first():
        message = _("The domain %(domain)s already belongs to another organization.") % {
            "domain": first.domain
        }
        raise Conflict(message, code="domain_taken", details={"domains": message})
    if organization is None:
        organization = Organization()
    organization.name, organization.shares_tickets, organization.notes = (
        name,
        shares_tickets,
        _clean_notes(notes),
    )
    organization.updated_at = timezone.now()
    organization.save()
    organization.domains.exclude(domain__in=clean).delete()
    known = set(organization.domains.values_list("domain", flat=True))
    new_domains = [d for d in clean if d not in known]
    OrganizationDomain.objects.bulk_create(
        [OrganizationDomain(organization=organization, domain=d) for d in new_domains]
    )
    for domain in new_domains:
        orphans = CustomerEmail.objects.filter(
            is_primary=True, email__endswith=f"@{domain}", customer__organization__isnull=True
        ).values("customer_id")
        Customer.objects.filter(pk__in=orphans).update(organization=organization)
    return organization


@transaction.atomic
def organization_delete(*, actor: Person, organization: Organization) -> None:
    """Delete an organization; its customers and tickets stay, without an organization."""
    _require_agent(actor)
    organization.delete()
