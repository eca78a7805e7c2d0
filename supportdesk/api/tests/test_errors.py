"""The uniform error format, and bad input of every kind changing nothing."""

import json

import pytest

from supportdesk.api.tests.conftest import db_state, error_of
from supportdesk.core.pagination import encode_cursor
from supportdesk.tickets import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_api(api_as, agent):
    return api_as(agent)


@pytest.fixture
def ticket(make_ticket, customer):
    return make_ticket(customer)


def valid_ticket(customer, **overrides):
    return {"subject": "Broken", "body": "It is broken.", "requester_id": customer.pk, **overrides}


def assert_refused(response, status, code, before, *, field=None):
    assert response.status_code == status, response.content
    body = error_of(response)
    assert body["code"] == code, body
    if field is not None:
        assert field in body["details"], body
    assert db_state() == before


def test_malformed_json(agent_api, ticket):
    before = db_state()
    for raw in ("{not json", '{"subject": "x",}', "\xff\xfe", "[1, 2"):
        response = agent_api.post("/tickets", raw)
        assert_refused(response, 400, "malformed_json", before)
    response = agent_api.patch(f"/tickets/{ticket.pk}", "{")
    assert_refused(response, 400, "malformed_json", before)


def test_json_that_is_not_an_object(agent_api):
    before = db_state()
    for raw in ("[]", '"text"', "42", "null"):
        response = agent_api.post("/tickets", raw)
        assert response.status_code == 422, raw
        assert error_of(response)["code"] == "validation_failed"
    assert db_state() == before


def test_missing_fields_are_named(agent_api):
    response = agent_api.post("/tickets", {})
    assert response.status_code == 422
    details = error_of(response)["details"]
    assert details["subject"] == "This field is required."
    assert details["body"] == "This field is required."


def test_wrong_types(agent_api, customer, ticket):
    before = db_state()
    cases = [
        ("/tickets", valid_ticket(customer, subject=123), "subject"),
        ("/tickets", valid_ticket(customer, priority="high"), "priority"),
        ("/tickets", valid_ticket(customer, requester_id="abc"), "requester_id"),
        ("/tickets", valid_ticket(customer, tags="vip"), "tags"),
        ("/tickets", valid_ticket(customer, custom_fields=[1]), "custom_fields"),
        ("/tickets", valid_ticket(customer, channel="pigeon"), "channel"),
        ("/tickets", valid_ticket(customer, ticket_type="bug"), "ticket_type"),
        (f"/tickets/{ticket.pk}/messages", {"body": "hi", "is_public": "perhaps"}, "is_public"),
        (f"/tickets/{ticket.pk}/merge", {"target_id": [1]}, "target_id"),
    ]
    for path, body, field in cases:
        assert_refused(agent_api.post(path, body), 422, "validation_failed", before, field=field)
    response = agent_api.patch(f"/tickets/{ticket.pk}", {"status": "done"})
    assert_refused(response, 422, "validation_failed", before, field="status")


def test_unknown_fields_are_refused(agent_api, customer, ticket):
    before = db_state()
    response = agent_api.post("/tickets", valid_ticket(customer, is_admin=True))
    assert_refused(response, 422, "validation_failed", before, field="is_admin")
    assert error_of(response)["details"]["is_admin"] == "Unknown field."
    response = agent_api.post(
        "/tickets", {**valid_ticket(customer, requester_id=None), "requester": {"email": "a@b.test", "x": 1}}
    )
    assert_refused(response, 422, "validation_failed", before, field="requester.x")
    response = agent_api.patch(f"/tickets/{ticket.pk}", {"status": "open", "statuss": "open"})
    assert_refused(response, 422, "validation_failed", before, field="statuss")


def test_oversized_values(agent_api, customer, ticket):
    before = db_state()
    response = agent_api.post("/tickets", valid_ticket(customer, subject="x" * 251))
    assert_refused(response, 422, "validation_failed", before, field="subject")
    response = agent_api.post("/tickets", valid_ticket(customer, body="x" * 100_001))
    assert_refused(response, 422, "validation_failed", before, field="body")
    response = agent_api.post("/tickets", valid_ticket(customer, tags=[f"t{i}" for i in range(101)]))
    assert_refused(response, 422, "validation_failed", before, field="tags")
    response = agent_api.post(f"/tickets/{ticket.pk}/messages", {"body": "x" * 100_001})
    assert_refused(response, 422, "validation_failed", before, field="body")


def test_request_larger_than_the_upload_limit(agent_api, customer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = db_state()
    response = agent_api.post("/tickets", valid_ticket(customer, body="x" * 20_000))
    assert_refused(response, 413, "payload_too_large", before)


def test_hostile_subject_is_refused(agent_api, customer):
    before = db_state()
    for subject in ("<script>alert(1)</script>", "Hi <img src=x onerror=alert(1)>", "javascript:alert(1)"):
        response = agent_api.post("/tickets", valid_ticket(customer, subject=subject))
        assert_refused(response, 422, "validation_failed", before, field="subject")


def test_hostile_message_body_is_kept_as_plain_text(agent_api, ticket):
    hostile = "<script>alert('x')</script> & <b>bold</b>"
    response = agent_api.post(f"/tickets/{ticket.pk}/messages", {"body": hostile, "is_public": False})
    assert response.status_code == 201
    assert response.json()["body"] == hostile
    assert response.json()["body_html"] == ""
    assert response["Content-Type"].startswith("application/json")


def test_nul_characters_are_refused(agent_api, customer, ticket):
    before = db_state()
    response = agent_api.post("/tickets", valid_ticket(customer, custom_fields={"a\x00": "b"}))
    assert_refused(response, 422, "validation_failed", before, field="custom_fields")
    response = agent_api.post("/customers", {"name": "Eve\x00"})
    assert_refused(response, 422, "validation_failed", before, field="name")
    assert agent_api.get("/tickets", {"q": "printer\x00"}).status_code == 200


def test_numbers_out_of_range(agent_api, customer, ticket):
    before = db_state()
    huge = 10**30
    response = agent_api.post("/tickets", valid_ticket(customer, requester_id=huge))
    assert_refused(response, 422, "validation_failed", before, field="requester_id")
    response = agent_api.post("/tickets", valid_ticket(customer, priority=huge))
    assert_refused(response, 422, "validation_failed", before, field="priority")
    response = agent_api.get(f"/tickets/{huge}")
    assert_refused(response, 422, "validation_failed", before, field="ticket_id")
    response = agent_api.get("/tickets", {"group": str(huge)})
    assert_refused(response, 422, "validation_failed", before, field="group.0")
    # A hand-made cursor with a huge number is refused or yields nothing; never a crash.
    cursor = encode_cursor([ticket.updated_at, huge])
    assert agent_api.get("/tickets", {"cursor": cursor}).status_code in (200, 422)


def test_unknown_ids(agent_api, customer, ticket):
    before = db_state()
    response = agent_api.post("/tickets", valid_ticket(customer, requester_id=999_999))
    assert_refused(response, 422, "validation_failed", before, field="requester_id")
    for field in ("category_id", "group_id", "assignee_id"):
        response = agent_api.post("/tickets", valid_ticket(customer, **{field: 999_999}))
        assert response.status_code == 422, field
    assert db_state() == before
    for path in (
        "/tickets/999999",
        "/tickets/999999/messages",
        "/tickets/999999/events",
        "/customers/999999",
        "/agents/999999",
    ):
        response = agent_api.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"].endswith("not_found")


def test_invisible_ticket_is_a_404_for_every_operation(api_as, billing_agent, customer, ticket):
    # The ticket is in the Support group; the billing agent may not know it exists.
    client = api_as(billing_agent)
    before = db_state()
    responses = [
        client.get(f"/tickets/{ticket.pk}"),
        client.patch(f"/tickets/{ticket.pk}", {"status": "open"}),
        client.get(f"/tickets/{ticket.pk}/messages"),
        client.post(f"/tickets/{ticket.pk}/messages", {"body": "hello"}),
        client.get(f"/tickets/{ticket.pk}/events"),
        client.post(f"/tickets/{ticket.pk}/merge", {"target_id": ticket.pk + 1}),
    ]
    for response in responses:
        assert response.status_code == 404
        assert error_of(response)["code"] == "ticket_not_found"
    assert db_state() == before


def test_unknown_endpoint_is_a_json_404(agent_api):
    for path in ("/nothing-here", "/tickets/abc", "/tickets/1/nope", "/tickets/"):
        response = agent_api.get(path)
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


def test_invalid_cursor(agent_api):
    for cursor in ("garbage", "e30", "x" * 600):
        response = agent_api.get("/tickets", {"cursor": cursor})
        assert response.status_code == 422
        assert error_of(response)["code"] in {"invalid_cursor", "validation_failed"}


def test_unexpected_failure_is_a_json_500(agent_api, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "ticket_list", explode)
    response = agent_api.get("/tickets")
    assert response.status_code == 500
    body = error_of(response)
    assert body["code"] == "server_error"
    assert "boom" not in json.dumps(body)  # internals stay in the log


@pytest.mark.parametrize("by_token", [False, True])
def test_messages_are_in_the_callers_language(by_token, api_as, api_with_token, token_for, administrator):
    administrator.language = "pl"
    administrator.save()
    client = api_with_token(token_for(administrator)) if by_token else api_as(administrator)
    body = {"email": "not-an-address", "name": "New Agent", "role": "agent"}
    response = client.post("/agents", body)
    assert response.status_code == 422
    message = error_of(response)["message"]
    # Django's own Polish catalogue translates this sentence; the API must use the caller's language.
    assert message != "Enter a valid email address."
    assert "e-mail" in message.lower() or "email" in message.lower()


def test_method_not_allowed(agent_api, ticket):
    before = db_state()
    response = agent_api.delete(f"/tickets/{ticket.pk}")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
    assert db_state() == before
