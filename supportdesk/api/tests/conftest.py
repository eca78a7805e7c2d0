"""Helpers for the API tests: a JSON client per role, tokens, and a database snapshot."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import User
from supportdesk.accounts.services import api_token_create

BASE = "/api/v1"


class Api:
    """A thin JSON layer over Django's test client; paths are relative to /api/v1."""

    def __init__(self, client: Client, headers: dict[str, str] | None = None):
        self.client = client
        self.headers = headers or {}

    def get(self, path: str, params: Any = None) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self.headers)

    def _send(self, method: str, path: str, body: Any) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        send = getattr(self.client, method)
        return send(BASE + path, data=data, content_type="application/json", headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("post", path, {} if body is None else body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._send("patch", path, {} if body is None else body)

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, headers=self.headers)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(BASE + path, data=data, headers=self.headers)


@pytest.fixture
def api_as(client_for: Callable[[User | None], Client]) -> Callable[[User | None], Api]:
    """An API client signed in (by session) as `user`, or anonymous for None."""
    return lambda user: Api(client_for(user))


@pytest.fixture
def token_for(db: None) -> Callable[..., str]:
    def make(user: User, **kwargs: Any) -> str:
        return api_token_create(user=user, name="tests", **kwargs)[1]

    return make


@pytest.fixture
def api_with_token() -> Callable[[str], Api]:
    """An API client that authenticates with `Authorization: Bearer <token>` and no session."""
    return lambda token: Api(Client(), headers={"Authorization": f"Bearer {token}"})


def error_of(response: Any) -> dict[str, Any]:
    """The error body, after checking it has exactly the documented shape."""
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert isinstance(body["code"], str) and isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    return body


def db_state() -> dict[str, Any]:
    """Everything an API call could write, to assert that a refused call changed nothing.

    Token `last_used_at` is left out: using a token to make a refused call still records its use."""
    from supportdesk.accounts.models import ApiToken, Group, Membership
    from supportdesk.core.models import AuditEntry
    from supportdesk.customers.models import Customer, CustomerEmail, CustomerPhone, Organization
    from supportdesk.tickets.models import (
        Attachment,
        Category,
        CustomField,
        Message,
        Tag,
        Ticket,
        TicketEvent,
        TicketShare,
        TicketTag,
    )

    def rows(model: Any, *exclude: str) -> list[dict[str, Any]]:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
        return list(model.objects.order_by("pk").values(*fields))

    return {
        "tickets": rows(Ticket),
        "ticket_tags": rows(TicketTag),
        "shares": rows(TicketShare),
        "messages": rows(Message),
        "attachments": rows(Attachment),
        "events": rows(TicketEvent),
        "tags": rows(Tag),
        "categories": rows(Category),
        "custom_fields": rows(CustomField),
        "customers": rows(Customer),
        "emails": rows(CustomerEmail),
        "phones": rows(CustomerPhone),
        "organizations": rows(Organization),
        "users": rows(User, "last_login"),
        "groups": rows(Group),
        "memberships": rows(Membership),
        "tokens": rows(ApiToken, "last_used_at"),
        "audit": AuditEntry.objects.count(),
    }
