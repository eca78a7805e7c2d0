"""API input and output schemas for customers and organizations."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Annotated, ClassVar

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, Field

from supportdesk.core.api import Id, Input, PatchInput
from supportdesk.core.preferences import SUPPORTED_LANGUAGES


def _check_language(value: str | None) -> str | None:
    if value and value not in SUPPORTED_LANGUAGES:
        raise ValueError(_("This language is not supported."))
    return value


def _check_time_zone(value: str | None) -> str | None:
    if value:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(_("Unknown time zone.")) from None
    return value


# -- output -------------------------------------------------------------------------------------


class OrganizationRef(Schema):
    id: int
    name: str


class EmailOut(Schema):
    email: str
    is_primary: bool


class PhoneOut(Schema):
    number: str
    label: str


class CustomerOut(Schema):
    id: int
    name: str
    email: str = Field(description="The primary email address, or empty.")
    organization: OrganizationRef | None
    language: str
    created_at: datetime
    updated_at: datetime


class CustomerDetailOut(CustomerOut):
    emails: list[EmailOut]
    phones: list[PhoneOut]
    time_zone: str
    notes: str
    has_portal_account: bool


class CustomerListOut(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class OrganizationOut(Schema):
    id: int
    name: str
    shares_tickets: bool
    notes: str
    domains: list[str]
    created_at: datetime
    updated_at: datetime


class OrganizationDetailOut(OrganizationOut):
    customer_count: int


class OrganizationListOut(Schema):
    items: list[OrganizationOut]
    next_cursor: str | None


# -- input --------------------------------------------------------------------------------------

Email = Annotated[str, Field(max_length=254)]
Phone = Annotated[str, Field(max_length=40)]
Domain = Annotated[str, Field(max_length=253)]
Language = Annotated[str, Field(max_length=10), AfterValidator(_check_language)]
TimeZone = Annotated[str, Field(max_length=64), AfterValidator(_check_time_zone)]


class CustomerIn(Input):
    name: str = Field(default="", max_length=200)
    emails: list[Email] = Field(default_factory=list, max_length=20, description="The first is primary.")
    phones: list[Phone] = Field(default_factory=list, max_length=20)
    organization_id: Id | None = None
    language: Language = ""
    time_zone: TimeZone = ""
    notes: str = Field(default="", max_length=10000)


class CustomerPatchIn(PatchInput):
    nullable: ClassVar[frozenset[str]] = frozenset({"organization_id"})

    name: str | None = Field(default=None, max_length=200)
    emails: list[Email] | None = Field(default=None, max_length=20)
    phones: list[Phone] | None = Field(default=None, max_length=20)
    organization_id: Id | None = None
    language: Language | None = None
    time_zone: TimeZone | None = None
    notes: str | None = Field(default=None, max_length=10000)


class OrganizationIn(Input):
    name: str = Field(max_length=200)
    domains: list[Domain] = Field(default_factory=list, max_length=50)
    shares_tickets: bool = False
    notes: str = Field(default="", max_length=10000)


class OrganizationPatchIn(PatchInput):
    name: str | None = Field(default=None, max_length=200)
    domains: list[Domain] | None = Field(default=None, max_length=50)
    shares_tickets: bool | None = None
    notes: str | None = Field(default=None, max_length=10000)
