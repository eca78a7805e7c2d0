"""Agents (staff users) and groups: every staff member reads, administrators change."""

import pytest

from supportdesk.accounts.models import Group, User
from supportdesk.api.tests.conftest import db_state, error_of

pytestmark = pytest.mark.django_db

STAFF = ["collaborator", "agent", "manager", "administrator"]
NOT_ADMINS = ["collaborator", "agent", "manager"]


@pytest.fixture
def team(administrator, manager, agent, billing_agent, collaborator, customer):
    return {"administrator": administrator, "manager": manager, "agent": agent, "collaborator": collaborator}


@pytest.mark.parametrize("role", STAFF)
def test_staff_list_agents(role, team, api_as, support_group):
    response = api_as(team[role]).get("/agents")
    assert response.status_code == 200
    items = response.json()["items"]
    # By name; customers are not staff and never listed.
    assert [a["name"] for a in items] == [
        "Ada Admin",
        "Alex Agent",
        "Bea Billing",
        "Cole Collaborator",
        "Mia Manager",
    ]
    alex = items[1]
    assert alex == {
        "id": team["agent"].pk,
        "email": "agent@desk.test",
        "name": "Alex Agent",
        "role": "agent",
        "is_active": True,
        "language": "",
        "time_zone": "",
        "groups": [{"id": support_group.pk, "name": "Support"}],
        "date_joined": alex["date_joined"],
    }


def test_agent_filters_and_pages(team, api_as, support_group):
    client = api_as(team["agent"])
    names = lambda response: [a["name"] for a in response.json()["items"]]  # noqa: E731
    assert names(client.get("/agents", {"role": "manager"})) == ["Mia Manager"]
    assert names(client.get("/agents", {"group": support_group.pk})) == ["Alex Agent"]
    team["collaborator"].is_active = False
    team["collaborator"].save()
    assert "Cole Collaborator" not in names(client.get("/agents", {"is_active": True}))
    first = client.get("/agents", {"limit": 3}).json()
    second = client.get("/agents", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 2 and second["next_cursor"] is None
    assert client.get("/agents", {"role": "customer"}).status_code == 422


def test_get_agent(team, api_as, customer):
    client = api_as(team["collaborator"])
    assert client.get(f"/agents/{team['manager'].pk}").json()["role"] == "manager"
    response = client.get(f"/agents/{customer.user.pk}")  # a customer's account is not an agent
    assert response.status_code == 404
    assert error_of(response)["code"] == "agent_not_found"


def test_administrator_creates_an_agent(team, api_as, support_group, billing_group):
    body = {
        "email": "New.Agent@Desk.test",
        "name": "Nora New",
        "role": "agent",
        "group_ids": [support_group.pk, billing_group.pk],
        "language": "vi",
        "time_zone": "Asia/Ho_Chi_Minh",
    }
    response = api_as(team["administrator"]).post("/agents", body)
    assert response.status_code == 201
    data = response.json()
    assert data["email"] == "new.agent@desk.test" and data["role"] == "agent"
    assert {g["name"] for g in data["groups"]} == {"Support", "Billing"}
    user = User.objects.get(pk=data["id"])
    assert not user.has_usable_password()  # they choose one through the password reset


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_create_agents(role, team, api_as):
    client = api_as(team[role])
    before = db_state()
    response = client.post("/agents", {"email": "x@desk.test", "name": "X", "role": "agent"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert db_state() == before


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        ({"email": "agent@desk.test", "name": "Dup", "role": "agent"}, 409, "email_taken", None),
        ({"email": "bad", "name": "X", "role": "agent"}, 422, "validation_failed", "email"),
        ({"email": "c@desk.test", "name": "X", "role": "customer"}, 422, "validation_failed", "role"),
        (
            {"email": "c@desk.test", "name": "X", "role": "agent", "group_ids": [999_999]},
            422,
            "validation_failed",
            "groups",
        ),
        (
            {"email": "c@desk.test", "name": "X", "role": "agent", "password": "123"},
            422,
            "validation_failed",
            "password",
        ),
        (
            {"email": "c@desk.test", "name": "X", "role": "agent", "time_zone": "Nowhere"},
            422,
            "validation_failed",
            "time_zone",
        ),
        (
            {"email": "c@desk.test", "name": "X", "role": "agent", "is_superuser": True},
            422,
            "validation_failed",
            "is_superuser",
        ),
    ],
)
def test_bad_new_agents(body, status, code, field, team, api_as):
    client = api_as(team["administrator"])
    before = db_state()
    response = client.post("/agents", body)
    assert response.status_code == status, response.content
    error = error_of(response)
    assert error["code"] == code
    if field:
        assert field in error["details"], error
    assert db_state() == before


def test_administrator_changes_an_agent(team, api_as, billing_group):
    client, agent = api_as(team["administrator"]), team["agent"]
    data = client.patch(f"/agents/{agent.pk}", {"role": "manager", "group_ids": [billing_group.pk]}).json()
    assert data["role"] == "manager" and [g["name"] for g in data["groups"]] == ["Billing"]
    assert data["name"] == "Alex Agent"
    data = client.patch(f"/agents/{agent.pk}", {"is_active": False}).json()
    assert data["is_active"] is False
    assert api_as(agent).get("/me").status_code == 401


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_change_agents(role, team, api_as):
    client = api_as(team[role])
    before = db_state()
    response = client.patch(f"/agents/{team['agent'].pk}", {"role": "administrator"})
    assert response.status_code == 403
    assert db_state() == before


def test_administrator_guards(team, api_as):
    admin = team["administrator"]
    client = api_as(admin)
    before = db_state()
    response = client.patch(f"/agents/{admin.pk}", {"is_active": False})
    assert response.status_code == 409 and error_of(response)["code"] == "self_deactivation"
    response = client.patch(f"/agents/{admin.pk}", {"role": "agent"})
    assert response.status_code == 409 and error_of(response)["code"] == "last_administrator"
    assert client.patch(f"/agents/{admin.pk}", {"role": None}).status_code == 422
    assert client.patch("/agents/999999", {"name": "X"}).status_code == 404
    assert db_state() == before


# -- groups -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_staff_list_groups(role, team, api_as, support_group, billing_group):
    response = api_as(team[role]).get("/groups")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(g["name"], g["member_count"]) for g in items] == [("Billing", 1), ("Support", 1)]
    assert set(items[0]) == {"id", "name", "description", "is_default", "member_count", "created_at"}
    one = api_as(team[role]).get(f"/groups/{support_group.pk}").json()
    assert one["name"] == "Support" and one["is_default"] is True


def test_administrator_manages_groups(team, api_as, support_group):
    client = api_as(team["administrator"])
    response = client.post("/groups", {"name": "Returns", "description": "RMA desk"})
    assert response.status_code == 201
    group_id = response.json()["id"]
    data = client.patch(f"/groups/{group_id}", {"is_default": True}).json()
    assert data["is_default"] is True and data["description"] == "RMA desk" and data["name"] == "Returns"
    support_group.refresh_from_db()
    assert support_group.is_default is False
    assert client.delete(f"/groups/{group_id}").status_code == 204
    assert not Group.objects.filter(pk=group_id).exists()
    assert error_of(client.get(f"/groups/{group_id}"))["code"] == "group_not_found"


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_manage_groups(role, team, api_as, support_group):
    client = api_as(team[role])
    before = db_state()
    for response in (
        client.post("/groups", {"name": "Returns"}),
        client.patch(f"/groups/{support_group.pk}", {"name": "Helpdesk"}),
        client.delete(f"/groups/{support_group.pk}"),
    ):
        assert response.status_code == 403
        assert error_of(response)["code"] == "permission_denied"
    assert db_state() == before


def test_bad_group_requests(team, api_as, support_group):
    client = api_as(team["administrator"])
    before = db_state()
    assert error_of(client.post("/groups", {"name": "support"}))["code"] == "name_taken"
    assert client.post("/groups", {"name": ""}).status_code == 422
    assert client.post("/groups", {"name": "x" * 101}).status_code == 422
    assert client.post("/groups", {"name": "X", "members": [1]}).status_code == 422
    assert client.patch("/groups/999999", {"name": "X"}).status_code == 404
    assert client.delete("/groups/999999").status_code == 404
    assert db_state() == before
