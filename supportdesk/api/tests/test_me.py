"""GET /me and the caller's own API tokens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.accounts.models import ApiToken
from supportdesk.api.tests.conftest import db_state, error_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["collaborator", "agent", "manager", "administrator"])
def test_me_per_staff_role(role, request, api_as, support_group):
    user = request.getfixturevalue(role)
    response = api_as(user).get("/me")
    assert response.status_code == 200
    groups = [{"id": support_group.pk, "name": "Support"}] if role == "agent" else []
    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "role": role,
        "language": "",
        "time_zone": "",
        "groups": groups,
    }


def test_create_list_and_revoke_a_token(api_as, api_with_token, agent):
    client = api_as(agent)
    expires = (timezone.now() + timedelta(days=30)).isoformat()
    response = client.post("/me/tokens", {"name": "CI script", "expires_at": expires})
    assert response.status_code == 201
    created = response.json()
    secret = created.pop("token")
    assert secret.startswith("sdk_") and created["prefix"] == secret[:10]
    assert created["name"] == "CI script" and created["revoked_at"] is None
    assert created["expires_at"] is not None

    assert api_with_token(secret).get("/me").json()["id"] == agent.pk

    listed = client.get("/me/tokens").json()["items"]
    assert [t["id"] for t in listed] == [created["id"]]
    assert "token" not in listed[0]  # the secret is shown once, at creation

    response = client.delete(f"/me/tokens/{created['id']}")
    assert response.status_code == 204
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None
    assert api_with_token(secret).get("/me").status_code == 401


def test_tokens_of_others_are_invisible(api_as, token_for, agent, manager):
    token_for(manager)
    other = ApiToken.objects.get(user=manager)
    client = api_as(agent)
    assert client.get("/me/tokens").json()["items"] == []
    before = db_state()
    response = client.delete(f"/me/tokens/{other.pk}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "token_not_found"
    assert db_state() == before


def test_collaborators_may_have_tokens(api_as, collaborator):
    assert api_as(collaborator).post("/me/tokens", {"name": "mine"}).status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({}, "name"),
        ({"name": "ok", "expires_at": "2001-01-01T00:00:00+00:00"}, "expires_at"),
        ({"name": "ok", "expires_at": "2099-01-01T00:00:00"}, "expires_at"),  # no time zone
        ({"name": "ok", "expires_at": "tomorrow"}, "expires_at"),
        ({"name": "ok", "scopes": ["all"]}, "scopes"),
    ],
)
def test_bad_token_requests(body, field, api_as, agent):
    client = api_as(agent)  # signing in writes the audit log, so before the snapshot
    before = db_state()
    response = client.post("/me/tokens", body)
    assert response.status_code == 422
    assert field in error_of(response)["details"]
    assert db_state() == before
