"""POST /tickets, PATCH /tickets/{id}, merge and bulk changes: per role, and bad input."""

import pytest

from supportdesk.api.tests.conftest import db_state, error_of
from supportdesk.customers.models import Customer
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Tag, Ticket, TicketEvent
from supportdesk.tickets.services import Actor, ticket_share, ticket_update
from supportdesk.tickets.services.taxonomy import custom_field_save, status_label_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(make_ticket, customer):
    return make_ticket(customer)


@pytest.fixture
def shared_ticket(ticket, manager, collaborator):
    ticket_share(actor=Actor.staff(manager), ticket_id=ticket.pk, user_id=collaborator.pk)
    return ticket


# -- create -------------------------------------------------------------------------------------


def test_agent_opens_a_ticket_for_an_existing_customer(api_as, agent, customer, support_group):
    body = {
        "subject": "  Phone call:   router down ",
        "body": "Customer called, the router is down.",
        "requester_id": customer.pk,
        "priority": 4,
        "ticket_type": "incident",
        "assignee_id": agent.pk,
        "tags": ["Router", "vip"],
        "language": "en",
    }
    response = api_as(agent).post("/tickets", body)
    assert response.status_code == 201
    data = response.json()
    ticket = Ticket.objects.get(pk=data["id"])
    assert data["subject"] == ticket.subject == "Phone call: router down"
    assert data["status"] == "open"  # assigned at once
    assert data["channel"] == "api" and ticket.channel == "api"
    assert data["priority"] == {"rank": 4, "name": "Urgent"}
    assert data["ticket_type"] == "incident"
    assert data["assignee"]["id"] == agent.pk
    assert data["group"] == {"id": support_group.pk, "name": "Support"}
    assert data["tags"] == ["router", "vip"]
    assert data["requester"]["id"] == customer.pk
    assert ticket.created_by == agent
    assert ticket.messages.get().body_text == body["body"]


def test_requester_by_email_is_found_or_created(api_as, agent, customer):
    client = api_as(agent)
    response = client.post(
        "/tickets",
        {
            "subject": "Hi",
            "body": "Hello",
            "requester": {"email": "New.Person@Example.com", "name": "New Person"},
        },
    )
    assert response.status_code == 201
    created = Customer.objects.get(primary_email="new.person@example.com")
    assert created.name == "New Person"
    assert response.json()["requester"] == {
        "id": created.pk,
        "name": "New Person",
        "email": created.primary_email,
    }
    response = client.post(
        "/tickets", {"subject": "Again", "body": "Hello", "requester": {"email": "customer@example.com"}}
    )
    assert response.json()["requester"]["id"] == customer.pk
    assert Customer.objects.count() == 2


def test_manager_and_administrator_may_open_tickets_in_any_group(
    api_as, manager, administrator, customer, billing_group
):
    for user in (manager, administrator):
        body = {"subject": "Hi", "body": "x", "requester_id": customer.pk, "group_id": billing_group.pk}
        response = api_as(user).post("/tickets", body)
        assert response.status_code == 201
        assert response.json()["group"]["id"] == billing_group.pk


def test_agent_sees_a_ticket_they_route_to_another_group(api_as, agent, customer, billing_group):
    # The service allows it; the agent gets the ticket back although they can no longer read it.
    body = {"subject": "For billing", "body": "x", "requester_id": customer.pk, "group_id": billing_group.pk}
    response = api_as(agent).post("/tickets", body)
    assert response.status_code == 201
    assert response.json()["group"]["id"] == billing_group.pk
    assert api_as(agent).get(f"/tickets/{response.json()['id']}").status_code == 404


def test_collaborator_cannot_open_tickets(api_as, collaborator):
    client = api_as(collaborator)
    before = db_state()
    response = client.post(
        "/tickets", {"subject": "Hi", "body": "x", "requester": {"email": "nobody@example.com"}}
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert db_state() == before  # not even the customer record


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"requester": None, "requester_id": None}, "requester"),
        ({"requester": {"email": "x@example.com"}}, "requester"),  # and requester_id: both
        ({"subject": "<script>alert(1)</script>"}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"body": "  \n "}, "body"),
        ({"priority": 99}, "priority"),
        ({"category_id": 999_999}, "category"),
        ({"group_id": 999_999}, "group"),
        ({"tags": ["no spaces allowed?"]}, "tags"),
        ({"custom_fields": {"nope": 1}}, "custom_fields.nope"),
    ],
)
def test_bad_new_tickets_create_nothing(changes, field, api_as, agent, customer):
    body = {"subject": "Hi", "body": "x", "requester_id": customer.pk} | changes
    if "requester" in changes and changes["requester"] is not None:
        body["requester"] = {"email": "brand.new@example.com"}  # would be created if not refused
    client = api_as(agent)
    before = db_state()
    response = client.post("/tickets", body)
    assert response.status_code == 422, response.content
    assert field in error_of(response)["details"], error_of(response)
    assert db_state() == before


def test_a_refused_ticket_does_not_leave_a_new_customer_behind(api_as, agent):
    client = api_as(agent)
    before = db_state()
    response = client.post(
        "/tickets", {"subject": "<b>bold</b>", "body": "x", "requester": {"email": "ghost@example.com"}}
    )
    assert response.status_code == 422
    assert db_state() == before


def test_assignee_must_be_an_agent_of_the_group(api_as, agent, billing_agent, collaborator, customer):
    client = api_as(agent)
    before = db_state()
    for assignee in (billing_agent.pk, collaborator.pk, customer.user.pk):
        response = client.post(
            "/tickets", {"subject": "Hi", "body": "x", "requester_id": customer.pk, "assignee_id": assignee}
        )
        assert response.status_code == 422
        assert "assignee" in error_of(response)["details"]
    assert db_state() == before


# -- update -------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api_as, agent, ticket):
    client = api_as(agent)
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, tags=["keep"], assignee_id=agent.pk)
    response = client.patch(f"/tickets/{ticket.pk}", {"priority": 3})
    assert response.status_code == 200
    data = response.json()
    assert data["priority"]["rank"] == 3
    assert data["assignee"]["id"] == agent.pk and data["tags"] == ["keep"] and data["status"] == "open"
    assert data["subject"] == "Printer on fire"


def test_patch_every_field(api_as, administrator, agent, manager, ticket, other_customer, billing_group):
    custom_field_save(actor=administrator, name="Order", key="order", field_type="number")
    label = status_label_save(actor=administrator, name="Waiting for parts", status=Status.ON_HOLD)
    client = api_as(manager)
    body = {
        "subject": "Printer really on fire",
        "status": "pending",
        "priority": 1,
        "ticket_type": "problem",
        "group_id": billing_group.pk,
        "assignee_id": manager.pk,
        "requester_id": other_customer.pk,
        "tags": ["a", "b"],
        "custom_fields": {"order": "42"},
    }
    data = client.patch(f"/tickets/{ticket.pk}", body).json()
    assert data["subject"] == "Printer really on fire"
    assert data["status"] == "pending"
    assert data["priority"]["rank"] == 1 and data["ticket_type"] == "problem"
    assert data["group"]["id"] == billing_group.pk and data["assignee"]["id"] == manager.pk
    assert data["requester"]["id"] == other_customer.pk
    assert data["tags"] == ["a", "b"] and data["custom_fields"] == {"order": 42}

    data = client.patch(f"/tickets/{ticket.pk}", {"add_tags": ["c"], "remove_tags": ["a"]}).json()
    assert data["tags"] == ["b", "c"]
    data = client.patch(f"/tickets/{ticket.pk}", {"status_label_id": label.pk}).json()
    assert data["status"] == "on_hold" and data["status_label"]["id"] == label.pk
    data = client.patch(
        f"/tickets/{ticket.pk}",
        {"assignee_id": None, "ticket_type": None, "category_id": None, "group_id": None},
    ).json()
    assert data["assignee"] is None and data["ticket_type"] is None
    assert data["category"] is None and data["group"] is None
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {
        "subject",
        "status",
        "priority",
        "type",
        "group",
        "assignee",
        "requester",
        "tags",
        "fields",
    } <= kinds


def test_empty_patch_changes_nothing(api_as, agent, ticket):
    client = api_as(agent)
    before = db_state()
    response = client.patch(f"/tickets/{ticket.pk}", {})
    assert response.status_code == 200 and response.json()["id"] == ticket.pk
    assert db_state() == before


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        ({"subject": None}, 422, "validation_failed", "subject"),
        ({"status": None}, 422, "validation_failed", "status"),
        ({"tags": None}, 422, "validation_failed", "tags"),
        ({"status": "closed"}, 409, "invalid_transition", None),
        ({"priority": 77}, 422, "validation_failed", "priority"),
        ({"assignee_id": 999_999}, 422, "validation_failed", "assignee"),
        ({"requester_id": 999_999}, 422, "validation_failed", "requester"),
        ({"status_label_id": 999_999}, 422, "validation_failed", "status"),
        ({"subject": "<iframe src=x>"}, 422, "validation_failed", "subject"),
        ({"custom_fields": {"unknown": "x"}}, 422, "validation_failed", "custom_fields.unknown"),
        ({"merged_into_id": 1}, 422, "validation_failed", "merged_into_id"),
    ],
)
def test_bad_patches_change_nothing(body, status, code, field, api_as, agent, ticket):
    client = api_as(agent)
    before = db_state()
    response = client.patch(f"/tickets/{ticket.pk}", body)
    assert response.status_code == status, response.content
    error = error_of(response)
    assert error["code"] == code
    if field:
        assert field in error["details"], error
    assert db_state() == before


def test_collaborator_cannot_change_a_shared_ticket(api_as, collaborator, shared_ticket):
    client = api_as(collaborator)
    before = db_state()
    response = client.patch(f"/tickets/{shared_ticket.pk}", {"priority": 4})
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert db_state() == before


def test_closed_tickets_cannot_change(api_as, agent, ticket):
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.SOLVED)
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, status=Status.CLOSED)
    client = api_as(agent)
    before = db_state()
    response = client.patch(f"/tickets/{ticket.pk}", {"priority": 4})
    assert response.status_code == 409
    assert error_of(response)["code"] == "ticket_closed"
    assert db_state() == before


# -- merge --------------------------------------------------------------------------------------


def test_merge_returns_the_target(api_as, agent, customer, make_ticket):
    source, target = make_ticket(customer, subject="First"), make_ticket(customer, subject="Second")
    response = api_as(agent).post(f"/tickets/{source.pk}/merge", {"target_id": target.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == target.pk and data["message_count"] == 2
    source.refresh_from_db()
    assert source.merged_into_id == target.pk and source.status == Status.CLOSED
    merged = api_as(agent).get(f"/tickets/{source.pk}").json()
    assert merged["merged_into_id"] == target.pk and merged["status"] == "closed"


def test_bad_merges_change_nothing(
    api_as, agent, collaborator, manager, customer, make_ticket, billing_group
):
    source, target = make_ticket(customer), make_ticket(customer)
    hidden = make_ticket(customer, group_id=billing_group.pk, actor=Actor.system())
    ticket_share(actor=Actor.staff(manager), ticket_id=source.pk, user_id=collaborator.pk)
    ticket_share(actor=Actor.staff(manager), ticket_id=target.pk, user_id=collaborator.pk)
    agent_client, collaborator_client = api_as(agent), api_as(collaborator)
    before = db_state()
    cases = [
        (agent_client, source.pk, {"target_id": source.pk}, 422, "merge_into_self"),
        (agent_client, source.pk, {"target_id": hidden.pk}, 404, "ticket_not_found"),
        (agent_client, source.pk, {"target_id": 999_999}, 404, "ticket_not_found"),
        (agent_client, source.pk, {}, 422, "validation_failed"),
        (collaborator_client, source.pk, {"target_id": target.pk}, 403, "permission_denied"),
    ]
    for client, ticket_id, body, status, code in cases:
        response = client.post(f"/tickets/{ticket_id}/merge", body)
        assert response.status_code == status, (body, response.content)
        assert error_of(response)["code"] == code
    assert db_state() == before


# -- bulk ---------------------------------------------------------------------------------------


def test_bulk_update_reports_each_ticket(api_as, agent, customer, make_ticket, billing_group):
    first, second = make_ticket(customer), make_ticket(customer)
    hidden = make_ticket(customer, group_id=billing_group.pk, actor=Actor.system())
    ticket_update(actor=Actor.staff(agent), ticket_id=second.pk, status=Status.SOLVED)
    ticket_update(actor=Actor.staff(agent), ticket_id=second.pk, status=Status.CLOSED)
    body = {"ids": [first.pk, second.pk, hidden.pk], "changes": {"status": "pending", "add_tags": ["bulk"]}}
    response = api_as(agent).post("/tickets/bulk-update", body)
    assert response.status_code == 200
    results = response.json()["results"]
    assert set(results) == {str(first.pk), str(second.pk), str(hidden.pk)}
    assert results[str(first.pk)] is None
    assert results[str(second.pk)] == "Closed tickets cannot be changed."
    assert results[str(hidden.pk)] == "Ticket not found."
    first.refresh_from_db()
    assert first.status == Status.PENDING and list(first.tags.values_list("name", flat=True)) == ["bulk"]
    hidden.refresh_from_db()
    assert hidden.status == Status.NEW and not Tag.objects.filter(tickets=hidden).exists()


@pytest.mark.parametrize(
    "body, code, field",
    [
        ({"ids": [], "changes": {"priority": 1}}, "validation_failed", "ids"),
        ({"ids": list(range(1, 102)), "changes": {"priority": 1}}, "validation_failed", "ids"),
        ({"ids": [1], "changes": {}}, "nothing_to_change", None),
        ({"ids": [1], "changes": {"subject": "x"}}, "validation_failed", "changes.subject"),
        ({"ids": ["one"], "changes": {"priority": 1}}, "validation_failed", "ids.0"),
        ({"ids": [1]}, "validation_failed", "changes"),
    ],
)
def test_bad_bulk_requests_change_nothing(body, code, field, api_as, agent, ticket):
    client = api_as(agent)
    before = db_state()
    response = client.post("/tickets/bulk-update", body)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == code
    if field:
        assert field in error["details"], error
    assert db_state() == before


def test_collaborator_cannot_bulk_update(api_as, collaborator, shared_ticket):
    client = api_as(collaborator)
    before = db_state()
    response = client.post("/tickets/bulk-update", {"ids": [shared_ticket.pk], "changes": {"priority": 4}})
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert db_state() == before
