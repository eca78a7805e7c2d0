"""REST API for customers and organizations (agents, managers and administrators only).

Collaborators are staff from other departments: they work on the tickets shared with them but
do not browse the customer base, so every endpoint here answers them 403 `permission_denied`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from supportdesk.core.api import ID_MAX
from supportdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from supportdesk.core.pagination import SortKey, paginate
from supportdesk.core.types import Person
from supportdesk.customers import selectors, services
from supportdesk.customers.models import Customer, Organization
from supportdesk.customers.schemas import (
    CustomerDetailOut,
    CustomerIn,
    CustomerListOut,
    CustomerPatchIn,
    OrganizationDetailOut,
    OrganizationIn,
    OrganizationListOut,
    OrganizationPatchIn,
)

customers_router = Router(tags=["customers"])
organizations_router = Router(tags=["organizations"])

BY_NAME = (SortKey("name", descending=False), SortKey("id", descending=False))


def _agent(request: HttpRequest) -> Person:
    """The caller, who must be an agent or above (reads included)."""
    user: Person = request.auth  # type: ignore[attr-defined]
    if not user.is_agent:
        raise PermissionDenied(_("Only agents can work with customer records."))
    return user


def _organization_ref(organization: Organization | None) -> dict[str, Any] | None:
    return {"id": organization.pk, "name": organization.name} if organization is not None else None


def customer_out(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "name": customer.name,
        "email": customer.primary_email,
        "organization": _organization_ref(customer.organization),
        "language": customer.language,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def customer_detail_out(customer: Customer) -> dict[str, Any]:
    return {
        **customer_out(customer),
        "emails": [{"email": e.email, "is_primary": e.is_primary} for e in customer.emails.all()],
        "phones": [{"number": p.number, "label": p.label} for p in customer.phones.all()],
        "time_zone": customer.time_zone,
        "notes": customer.notes,
        "has_portal_account": customer.user_id is not None,
    }


def organization_out(organization: Organization) -> dict[str, Any]:
    return {
        "id": organization.pk,
        "name": organization.name,
        "shares_tickets": organization.shares_tickets,
        "notes": organization.notes,
        "domains": [d.domain for d in organization.domains.all()],
        "created_at": organization.created_at,
        "updated_at": organization.updated_at,
    }


def _customer(customer_id: int) -> Customer:
    try:
        return selectors.customer_detail(customer_id)
    except Customer.DoesNotExist:
        raise NotFound(_("Customer not found."), code="customer_not_found") from None


def _organization(organization_id: int) -> Organization:
    try:
        return selectors.organization_detail(organization_id)
    except Organization.DoesNotExist:
        raise NotFound(_("Organization not found."), code="organization_not_found") from None


def _organization_for_input(organization_id: int | None) -> Organization | None:
    """The organization a customer is put in; an unknown id is a field error, not a 404."""
    if organization_id is None:
        return None
    organization = selectors.organization_list().filter(pk=organization_id).first()
    if organization is None:
        message = _("Unknown organization.")
        raise ValidationFailed(message, details={"organization_id": message})
    return organization


# -- customers ----------------------------------------------------------------------------------


@customers_router.get("", response=CustomerListOut, operation_id="customers_list", summary="List customers")
def customers_list(
    request: HttpRequest,
    q: str = Query("", max_length=200, description="Matches name, email or phone."),
    organization: int | None = Query(None, ge=1, le=ID_MAX),
    cursor: str | None = Query(None, max_length=512),
    limit: int = Query(25, ge=1, le=100),
) -> dict[str, Any]:
    _agent(request)
    customers = selectors.customer_list(query=q.replace("\x00", ""), organization_id=organization)
    page = paginate(customers, BY_NAME, cursor, limit)
    return {"items": [customer_out(c) for c in page.items], "next_cursor": page.next_cursor}


@customers_router.post(
    "", response={201: CustomerDetailOut}, operation_id="customers_create", summary="Create a customer"
)
def customers_create(request: HttpRequest, payload: CustomerIn) -> Status[dict[str, Any]]:
    actor = _agent(request)
    customer = services.customer_create(
        actor=actor,
        name=payload.name,
        emails=payload.emails,
        phones=payload.phones,
        organization=_organization_for_input(payload.organization_id),
        language=payload.language,
        time_zone=payload.time_zone,
        notes=payload.notes,
    )
    return Status(201, customer_detail_out(_customer(customer.pk)))


@customers_router.get(
    "/{int:customer_id}", response=CustomerDetailOut, operation_id="customers_get", summary="One customer"
)
def customers_get(request: HttpRequest, customer_id: int = Path(..., ge=1, le=ID_MAX)) -> dict[str, Any]:
    _agent(request)
    return customer_detail_out(_customer(customer_id))


@customers_router.patch(
    "/{int:customer_id}",
    response=CustomerDetailOut,
    operation_id="customers_update",
    summary="Change a customer",
)
def customers_update(
    request: HttpRequest, payload: CustomerPatchIn, customer_id: int = Path(..., ge=1, le=ID_MAX)
) -> dict[str, Any]:
    actor = _agent(request)
    customer = _customer(customer_id)
    changes = payload.changes()
    organization = (
        _organization_for_input(changes["organization_id"])
        if "organization_id" in changes
        else customer.organization
    )
    services.customer_update(
        actor=actor,
        customer=customer,
        name=changes.get("name", customer.name),
        # Emails come primary first (the model's ordering), so the primary address stays primary.
        emails=changes.get("emails", [e.email for e in customer.emails.all()]),
        phones=changes.get("phones", [p.number for p in customer.phones.all()]),
        organization=organization,
        language=changes.get("language", customer.language),
        time_zone=changes.get("time_zone", customer.time_zone),
        notes=changes.get("notes", customer.notes),
    )
    return customer_detail_out(_customer(customer_id))


# -- organizations ------------------------------------------------------------------------------


@organizations_router.get(
    "", response=OrganizationListOut, operation_id="organizations_list", summary="List organizations"
)
def organizations_list(
    request: HttpRequest,
    q: str = Query("", max_length=200, description="Part of the name."),
    cursor: str | None = Query(None, max_length=512),
    limit: int = Query(25, ge=1, le=100),
) -> dict[str, Any]:
    _agent(request)
    organizations = selectors.organization_list(query=q.replace("\x00", "")).prefetch_related("domains")
    page = paginate(organizations, BY_NAME, cursor, limit)
    return {"items": [organization_out(o) for o in page.items], "next_cursor": page.next_cursor}


@organizations_router.post(
    "",
    response={201: OrganizationDetailOut},
    operation_id="organizations_create",
    summary="Create an organization",
)
def organizations_create(request: HttpRequest, payload: OrganizationIn) -> Status[dict[str, Any]]:
    organization = services.organization_save(
        actor=_agent(request),
        name=payload.name,
        domains=payload.domains,
        shares_tickets=payload.shares_tickets,
        notes=payload.notes,
    )
    return Status(201, _organization_detail_out(_organization(organization.pk)))


def _organization_detail_out(organization: Organization) -> dict[str, Any]:
    return {**organization_out(organization), "customer_count": getattr(organization, "customer_count", 0)}


@organizations_router.get(
    "/{int:organization_id}",
    response=OrganizationDetailOut,
    operation_id="organizations_get",
    summary="One organization",
)
def organizations_get(
    request: HttpRequest, organization_id: int = Path(..., ge=1, le=ID_MAX)
) -> dict[str, Any]:
    _agent(request)
    return _organization_detail_out(_organization(organization_id))


@organizations_router.patch(
    "/{int:organization_id}",
    response=OrganizationDetailOut,
    operation_id="organizations_update",
    summary="Change an organization",
)
def organizations_update(
    request: HttpRequest, payload: OrganizationPatchIn, organization_id: int = Path(..., ge=1, le=ID_MAX)
) -> dict[str, Any]:
    actor = _agent(request)
    organization = _organization(organization_id)
    changes = payload.changes()
    services.organization_save(
        actor=actor,
        organization=organization,
        name=changes.get("name", organization.name),
        domains=changes.get("domains", [d.domain for d in organization.domains.all()]),
        shares_tickets=changes.get("shares_tickets", organization.shares_tickets),
        notes=changes.get("notes", organization.notes),
    )
    return _organization_detail_out(_organization(organization_id))


@organizations_router.delete(
    "/{int:organization_id}",
    response={204: None},
    operation_id="organizations_delete",
    summary="Delete an organization",
)
def organizations_delete(
    request: HttpRequest, organization_id: int = Path(..., ge=1, le=ID_MAX)
) -> Status[None]:
    services.organization_delete(actor=_agent(request), organization=_organization(organization_id))
    return Status(204, None)
