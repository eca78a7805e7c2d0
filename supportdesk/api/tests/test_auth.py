"""Authentication: API tokens, the session with CSRF, and who may use the API at all."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.models import ApiToken
from supportdesk.accounts.services import api_token_revoke
from supportdesk.api.tests.conftest import BASE, Api, db_state, error_of
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def new_ticket_body(customer):
    return {"subject": "Broken", "body": "It is broken.", "requester_id": customer.pk}


# -- nobody signed in, customers ----------------------------------------------------------------


def test_anonymous_requests_get_401(api_as, customer, make_ticket):
    ticket = make_ticket(customer)
    anonymous = api_as(None)
    for response in (
        anonymous.get("/me"),
        anonymous.get("/tickets"),
        anonymous.get(f"/tickets/{ticket.pk}"),
        anonymous.get("/customers"),
    ):
        assert response.status_code == 401
        assert error_of(response)["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_write_changes_nothing(api_as, customer):
    before = db_state()
    response = api_as(None).post("/tickets", new_ticket_body(customer))
    assert response.status_code == 401
    assert db_state() == before


def test_signed_in_customer_gets_403_staff_only(api_as, customer, make_ticket):
    ticket = make_ticket(customer)
    portal = api_as(customer.user)
    for response in (portal.get("/me"), portal.get("/tickets"), portal.get(f"/tickets/{ticket.pk}")):
        assert response.status_code == 403
        assert error_of(response)["code"] == "staff_only"
    before = db_state()
    response = portal.post(f"/tickets/{ticket.pk}/messages", {"body": "Any news?"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "staff_only"
    assert db_state() == before


def test_inactive_staff_session_is_not_authenticated(api_as, agent):
    agent.is_active = False
    agent.save()
    response = api_as(agent).get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


# -- tokens -------------------------------------------------------------------------------------


def test_valid_token_authenticates_its_owner(token_for, api_with_token, agent):
    token = token_for(agent)
    response = api_with_token(token).get("/me")
    assert response.status_code == 200
    assert response.json()["email"] == agent.email
    assert "sessionid" not in response.cookies  # a token request never starts a session
    assert ApiToken.objects.get(user=agent).last_used_at is not None


def test_token_lookup_is_cheap(token_for, api_with_token, agent, django_assert_max_num_queries):
    client = api_with_token(token_for(agent))
    client.get("/me")  # records the use, so the next request reads only
    with django_assert_max_num_queries(3):  # the token with its user, then the groups for /me
        assert client.get("/me").status_code == 200


def test_token_can_write_without_csrf(token_for, api_with_token, agent, customer):
    client = Client(enforce_csrf_checks=True)
    response = Api(client, {"Authorization": f"Bearer {token_for(agent)}"}).post(
        "/tickets", new_ticket_body(customer)
    )
    assert response.status_code == 201
    assert Ticket.objects.filter(pk=response.json()["id"], created_by=agent).exists()


def test_revoked_token_is_refused(token_for, api_with_token, agent):
    token = token_for(agent)
    api_token_revoke(actor=agent, token=ApiToken.objects.get(user=agent))
    response = api_with_token(token).get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_expired_token_is_refused(token_for, api_with_token, agent):
    token = token_for(agent, expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(user=agent).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_with_token(token).get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_another_users_revoked_token_does_not_work(token_for, api_with_token, agent, manager):
    managers_token = token_for(manager)
    api_token_revoke(actor=manager, token=ApiToken.objects.get(user=manager))
    token_for(agent)  # the agent's own, valid token changes nothing about the manager's
    response = api_with_token(managers_token).get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer abc_" + "x" * 43,  # wrong prefix
        "Bearer sdk_" + "x" * 43,  # right prefix, unknown token
        "Bearer sdk_" + "x" * 200,  # absurdly long
        "Bearer !!!<script>",
        "Bearer ",
        "Bearer",
        "Basic YWdlbnRAZGVzay50ZXN0OmNvcnJlY3QtaG9yc2UtYmF0dGVyeS1zdGFwbGU=",
        "Token sdk_abc",
        "garbage",
    ],
)
def test_malformed_or_unknown_tokens_are_refused(header, agent):
    response = Client().get(f"{BASE}/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_token_of_deactivated_or_demoted_user_is_refused(token_for, api_with_token, agent, collaborator):
    agent_token, collaborator_token = token_for(agent), token_for(collaborator)
    agent.is_active = False
    agent.save()
    collaborator.role = "customer"
    collaborator.save()
    for token in (agent_token, collaborator_token):
        response = api_with_token(token).get("/me")
        assert response.status_code == 401
        assert error_of(response)["code"] == "invalid_token"


def test_a_bad_token_is_refused_even_with_a_valid_session(client_for, agent):
    client = Api(client_for(agent), {"Authorization": "Bearer sdk_wrong"})
    response = client.get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


# -- session and CSRF ---------------------------------------------------------------------------


def test_session_reads_need_no_csrf_token(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get(f"{BASE}/me").status_code == 200


def test_session_write_without_csrf_token_is_refused(agent, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    before = db_state()
    response = Api(client).post("/tickets", new_ticket_body(customer))
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf_failed"
    assert db_state() == before


def test_session_write_with_csrf_token_succeeds(agent, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    client.get(f"{BASE}/docs")  # the docs page sets the CSRF cookie, as a browser would get it
    csrf = client.cookies["csrftoken"].value
    response = Api(client, {"X-CSRFToken": csrf}).post("/tickets", new_ticket_body(customer))
    assert response.status_code == 201
