"""API input and output schemas for people, groups and API tokens.

Inputs forbid unknown fields (a typo is an error, not a silently ignored key); outputs list
exactly what a client gets. PATCH inputs treat an absent field as "leave unchanged".
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import AwareDatetime, Field

from supportdesk.core.api import Id, Input, PatchInput

StaffRole = Literal["collaborator", "agent", "manager", "administrator"]


# -- output -------------------------------------------------------------------------------------


class GroupRef(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    email: str
    name: str
    role: str
    language: str
    time_zone: str
    groups: list[GroupRef]


class AgentOut(Schema):
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    language: str
    time_zone: str
    groups: list[GroupRef]
    date_joined: datetime


class AgentListOut(Schema):
    items: list[AgentOut]
    next_cursor: str | None


class GroupOut(Schema):
    id: int
    name: str
    description: str
    is_default: bool
    member_count: int
    created_at: datetime


class GroupListOut(Schema):
    items: list[GroupOut]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret. It is shown only in this response; store it now.")


class TokenListOut(Schema):
    items: list[TokenOut]


# -- input --------------------------------------------------------------------------------------


class AgentCreateIn(Input):
    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    role: StaffRole
    password: str | None = Field(
        default=None, max_length=128, description="Leave out to let the person set one by password reset."
    )
    group_ids: list[Id] = Field(default_factory=list, max_length=100)
    language: str = Field(default="", max_length=10)
    time_zone: str = Field(default="", max_length=64)


class AgentPatchIn(PatchInput):
    name: str | None = Field(default=None, max_length=200)
    role: StaffRole | None = None
    is_active: bool | None = None
    group_ids: list[Id] | None = Field(default=None, max_length=100)


class GroupIn(Input):
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=5000)
    is_default: bool = False


class GroupPatchIn(PatchInput):
    name: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=5000)
    is_default: bool | None = None


class TokenCreateIn(Input):
    name: str = Field(max_length=100)
    expires_at: AwareDatetime | None = Field(default=None, description="With a time zone offset.")
