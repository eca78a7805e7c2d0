"""REST API for people: the caller (/me and their API tokens), agents (staff users) and groups.

Endpoints parse, call accounts.services / accounts.selectors, and serialize; the services hold
the rules (only administrators manage people and groups) and raise the errors the API reports.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from supportdesk.accounts import selectors, services
from supportdesk.accounts.models import ApiToken, Group, User
from supportdesk.accounts.schemas import (
    AgentCreateIn,
    AgentListOut,
    AgentOut,
    AgentPatchIn,
    GroupIn,
    GroupListOut,
    GroupOut,
    GroupPatchIn,
    MeOut,
    StaffRole,
    TokenCreatedOut,
    TokenCreateIn,
    TokenListOut,
)
from supportdesk.core.api import ID_MAX
from supportdesk.core.errors import NotFound
from supportdesk.core.pagination import SortKey, paginate

me_router = Router(tags=["me"])
agents_router = Router(tags=["agents"])
groups_router = Router(tags=["groups"])

AGENT_ORDER = (SortKey("name", descending=False), SortKey("id", descending=False))
# Groups and a person's tokens are short lists; the bounds only guard against the absurd.
GROUP_LIMIT = 1000
TOKEN_LIMIT = 200


def _user(request: HttpRequest) -> User:
    """The authenticated staff member (set by supportdesk.api.auth)."""
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _group_refs(user: User) -> list[dict[str, Any]]:
    return [{"id": g.pk, "name": g.name} for g in user.support_groups.all()]


def agent_out(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "is_active": user.is_active,
        "language": user.language,
        "time_zone": user.time_zone,
        "groups": _group_refs(user),
        "date_joined": user.date_joined,
    }


def group_out(group: Group) -> dict[str, Any]:
    return {
        "id": group.pk,
        "name": group.name,
        "description": group.description,
        "is_default": group.is_default,
        "member_count": getattr(group, "member_count", 0),
        "created_at": group.created_at,
    }


def token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


def _agent(agent_id: int) -> User:
    agent = selectors.staff_list().filter(pk=agent_id).first()
    if agent is None:
        raise NotFound(_("Agent not found."), code="agent_not_found")
    return agent


def _group(group_id: int) -> Group:
    group = selectors.group_list().filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("Group not found."), code="group_not_found")
    return group


# -- /me ----------------------------------------------------------------------------------------


@me_router.get("", response=MeOut, operation_id="me_get", summary="The caller")
def me_get(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "language": user.language,
        "time_zone": user.time_zone,
        "groups": _group_refs(user),
    }


@me_router.get("/tokens", response=TokenListOut, operation_id="me_tokens_list", summary="My API tokens")
def me_tokens_list(request: HttpRequest) -> dict[str, Any]:
    tokens = selectors.api_tokens_of(_user(request))[:TOKEN_LIMIT]
    return {"items": [token_out(t) for t in tokens]}


@me_router.post(
    "/tokens", response={201: TokenCreatedOut}, operation_id="me_tokens_create", summary="Create an API token"
)
def me_tokens_create(request: HttpRequest, payload: TokenCreateIn) -> Status[dict[str, Any]]:
    token, secret = services.api_token_create(
        user=_user(request), name=payload.name, expires_at=payload.expires_at
    )
    return Status(201, {**token_out(token), "token": secret})


@me_router.delete(
    "/tokens/{int:token_id}",
    response={204: None},
    operation_id="me_tokens_revoke",
    summary="Revoke one of my API tokens",
)
def me_tokens_revoke(request: HttpRequest, token_id: int = Path(..., ge=1, le=ID_MAX)) -> Status[None]:
    user = _user(request)
    token = selectors.api_tokens_of(user).filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("Token not found."), code="token_not_found")
    services.api_token_revoke(actor=user, token=token)
    return Status(204, None)


# -- agents -------------------------------------------------------------------------------------


@agents_router.get("", response=AgentListOut, operation_id="agents_list", summary="List staff members")
def agents_list(
    request: HttpRequest,
    role: StaffRole | None = None,
    is_active: bool | None = None,
    group: int | None = Query(None, ge=1, le=ID_MAX),
    cursor: str | None = Query(None, max_length=512),
    limit: int = Query(50, ge=1, le=100),
) -> dict[str, Any]:
    agents = selectors.staff_list()
    if role:
        agents = agents.filter(role=role)
    if is_active is not None:
        agents = agents.filter(is_active=is_active)
    if group:
        agents = agents.filter(memberships__group_id=group)
    page = paginate(agents, AGENT_ORDER, cursor, limit)
    return {"items": [agent_out(a) for a in page.items], "next_cursor": page.next_cursor}


@agents_router.get(
    "/{int:agent_id}", response=AgentOut, operation_id="agents_get", summary="One staff member"
)
def agents_get(request: HttpRequest, agent_id: int = Path(..., ge=1, le=ID_MAX)) -> dict[str, Any]:
    return agent_out(_agent(agent_id))


@agents_router.post(
    "", response={201: AgentOut}, operation_id="agents_create", summary="Create a staff member (admin)"
)
def agents_create(request: HttpRequest, payload: AgentCreateIn) -> Status[dict[str, Any]]:
    user = services.user_create(
        actor=_user(request),
        email=payload.email,
        name=payload.name,
        role=payload.role,
        password=payload.password,
        group_ids=payload.group_ids,
        language=payload.language,
        time_zone=payload.time_zone,
    )
    return Status(201, agent_out(_agent(user.pk)))


@agents_router.patch(
    "/{int:agent_id}",
    response=AgentOut,
    operation_id="agents_update",
    summary="Change a staff member (admin)",
)
def agents_update(
    request: HttpRequest, payload: AgentPatchIn, agent_id: int = Path(..., ge=1, le=ID_MAX)
) -> dict[str, Any]:
    changes = payload.changes()
    services.user_update(
        actor=_user(request),
        user=_agent(agent_id),
        name=changes.get("name"),
        role=changes.get("role"),
        is_active=changes.get("is_active"),
        group_ids=changes.get("group_ids"),
    )
    return agent_out(_agent(agent_id))


# -- groups -------------------------------------------------------------------------------------


@groups_router.get("", response=GroupListOut, operation_id="groups_list", summary="List groups")
def groups_list(request: HttpRequest) -> dict[str, Any]:
    return {"items": [group_out(g) for g in selectors.group_list()[:GROUP_LIMIT]]}


@groups_router.get("/{int:group_id}", response=GroupOut, operation_id="groups_get", summary="One group")
def groups_get(request: HttpRequest, group_id: int = Path(..., ge=1, le=ID_MAX)) -> dict[str, Any]:
    return group_out(_group(group_id))


@groups_router.post(
    "", response={201: GroupOut}, operation_id="groups_create", summary="Create a group (admin)"
)
def groups_create(request: HttpRequest, payload: GroupIn) -> Status[dict[str, Any]]:
    group = services.group_save(
        actor=_user(request),
        name=payload.name,
        description=payload.description,
        is_default=payload.is_default,
    )
    return Status(201, group_out(_group(group.pk)))


@groups_router.patch(
    "/{int:group_id}", response=GroupOut, operation_id="groups_update", summary="Change a group (admin)"
)
def groups_update(
    request: HttpRequest, payload: GroupPatchIn, group_id: int = Path(..., ge=1, le=ID_MAX)
) -> dict[str, Any]:
    group = _group(group_id)
    changes = payload.changes()
    services.group_save(
        actor=_user(request),
        group=group,
        name=changes.get("name", group.name),
        description=changes.get("description", group.description),
        is_default=changes.get("is_default", group.is_default),
    )
    return group_out(_group(group_id))


@groups_router.delete(
    "/{int:group_id}", response={204: None}, operation_id="groups_delete", summary="Delete a group (admin)"
)
def groups_delete(request: HttpRequest, group_id: int = Path(..., ge=1, le=ID_MAX)) -> Status[None]:
    services.group_delete(actor=_user(request), group=_group(group_id))
    return Status(204, None)
