"""Categories, tags, custom field definitions, priorities and status labels."""

import pytest

from supportdesk.api.tests.conftest import db_state, error_of
from supportdesk.core.models import AuditEntry
from supportdesk.tickets.models import Category, CustomField, Tag
from supportdesk.tickets.services import Actor, ticket_update
from supportdesk.tickets.services.taxonomy import category_save, status_label_save, tag_save

pytestmark = pytest.mark.django_db

STAFF = ["collaborator", "agent", "manager", "administrator"]
NOT_ADMINS = ["collaborator", "agent", "manager"]


@pytest.fixture
def fallback():
    return Category.objects.get(is_fallback=True)


# -- reads, for every staff member --------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_staff_read_the_taxonomy(role, request, api_as, administrator, fallback):
    parent = category_save(actor=administrator, name="Billing", position=1)
    child = category_save(
        actor=administrator, name="Refunds", parent_id=parent.pk, translations={"pl": "Zwroty"}
    )
    tag_save(actor=administrator, name="vip")
    status_label_save(actor=administrator, name="Waiting for parts", status=40)
    client = api_as(request.getfixturevalue(role))

    categories = client.get("/categories").json()["items"]
    assert [(c["name"], c["parent_id"]) for c in categories] == [
        ("Refunds", parent.pk),
        ("Billing", None),
        ("Other", None),
    ]
    assert categories[0] == {
        "id": child.pk,
        "name": "Refunds",
        "translations": {"pl": "Zwroty"},
        "parent_id": parent.pk,
        "default_group_id": None,
        "position": 0,
        "is_active": True,
        "is_fallback": False,
    }
    assert categories[2]["is_fallback"] is True

    assert client.get("/tags").json()["items"] == [{"id": Tag.objects.get().pk, "name": "vip"}]
    priorities = client.get("/priorities").json()["items"]
    assert [(p["rank"], p["name"], p["is_default"]) for p in priorities] == [
        (1, "Low", False),
        (2, "Normal", True),
        (3, "High", False),
        (4, "Urgent", False),
    ]
    labels = client.get("/status-labels").json()["items"]
    assert [(label["name"], label["status"]) for label in labels] == [("Waiting for parts", "on_hold")]
    assert client.get("/custom-fields").json()["items"] == []


def test_taxonomy_needs_staff(api_as, customer):
    for path in ("/categories", "/tags", "/custom-fields", "/priorities", "/status-labels"):
        assert error_of(api_as(customer.user).get(path))["code"] == "staff_only"
        assert error_of(api_as(None).get(path))["code"] == "not_authenticated"


def test_tag_prefix_search_is_bounded(api_as, agent, administrator):
    for name in ("billing", "bug", "bulk", "vip", "Überweisung"):
        tag_save(actor=administrator, name=name)
    client = api_as(agent)
    names = lambda params: [t["name"] for t in client.get("/tags", params).json()["items"]]  # noqa: E731
    assert names({"q": "b"}) == ["billing", "bug", "bulk"]
    assert names({"q": "BU"}) == ["bug", "bulk"]
    assert names({"q": "ü"}) == ["überweisung"]
    assert names({"q": "b", "limit": 2}) == ["billing", "bug"]
    assert names({"q": "%"}) == [] and names({"q": "_"}) == []
    assert client.get("/tags", {"limit": 101}).status_code == 422


# -- writes, administrators only ----------------------------------------------------------------


def test_administrator_manages_categories(api_as, administrator, support_group):
    client = api_as(administrator)
    response = client.post(
        "/categories",
        {"name": "Billing", "default_group_id": support_group.pk, "translations": {"vi": "Hóa đơn"}},
    )
    assert response.status_code == 201
    billing = response.json()
    child = client.post("/categories", {"name": "Refunds", "parent_id": billing["id"]}).json()
    data = client.patch(f"/categories/{child['id']}", {"position": 5}).json()
    assert data["position"] == 5 and data["parent_id"] == billing["id"] and data["name"] == "Refunds"
    data = client.patch(f"/categories/{child['id']}", {"parent_id": None, "is_active": False}).json()
    assert data["parent_id"] is None and data["is_active"] is False
    assert client.delete(f"/categories/{child['id']}").status_code == 204
    assert not Category.objects.filter(pk=child["id"]).exists()
    assert AuditEntry.objects.filter(action__startswith="category.").count() == 5


def test_bad_category_changes(api_as, administrator, fallback, customer, make_ticket):
    client = api_as(administrator)
    parent = category_save(actor=administrator, name="Billing")
    child = category_save(actor=administrator, name="Refunds", parent_id=parent.pk)
    used = category_save(actor=administrator, name="Used")
    make_ticket(customer, category_id=used.pk)
    before = db_state()
    cases = [
        ("post", "/categories", {"name": "billing"}, 409, "name_taken"),
        ("post", "/categories", {"name": "X", "parent_id": 999_999}, 422, "validation_failed"),
        ("post", "/categories", {"name": "X", "default_group_id": 999_999}, 422, "validation_failed"),
        ("post", "/categories", {"name": "X", "translations": {"xx": "?"}}, 422, "validation_failed"),
        ("post", "/categories", {"name": "<script>x</script>" * 10}, 422, "validation_failed"),
        ("patch", f"/categories/{parent.pk}", {"parent_id": child.pk}, 422, "validation_failed"),
        ("patch", f"/categories/{fallback.pk}", {"is_active": False}, 409, "fallback_protected"),
        ("patch", "/categories/999999", {"name": "X"}, 404, "category_not_found"),
        ("delete", f"/categories/{fallback.pk}", None, 409, "fallback_protected"),
        ("delete", f"/categories/{parent.pk}", None, 409, "has_children"),
        ("delete", f"/categories/{used.pk}", None, 409, "in_use"),
    ]
    for method, path, body, status, code in cases:
        response = client.delete(path) if method == "delete" else getattr(client, method)(path, body)
        assert response.status_code == status, (path, body, response.content)
        assert error_of(response)["code"] == code
    assert db_state() == before


def test_administrator_manages_tags(api_as, administrator, agent, customer, make_ticket):
    client = api_as(administrator)
    response = client.post("/tags", {"name": "Needs Review"})
    assert response.status_code == 201 and response.json()["name"] == "needs-review"
    tag_id = response.json()["id"]
    ticket = make_ticket(customer)
    ticket_update(actor=Actor.staff(agent), ticket_id=ticket.pk, tags=["needs-review"])
    assert client.patch(f"/tags/{tag_id}", {"name": "review"}).json() == {"id": tag_id, "name": "review"}
    assert api_as(agent).get(f"/tickets/{ticket.pk}").json()["tags"] == ["review"]
    assert client.delete(f"/tags/{tag_id}").status_code == 204
    assert api_as(agent).get(f"/tickets/{ticket.pk}").json()["tags"] == []
    before = db_state()
    assert client.post("/tags", {"name": "no?"}).status_code == 422
    assert client.post("/tags", {"name": ""}).status_code == 422
    assert client.patch("/tags/999999", {"name": "x"}).status_code == 404
    assert db_state() == before


def test_administrator_manages_custom_fields(api_as, administrator, agent, customer, make_ticket):
    client = api_as(administrator)
    body = {
        "key": "plan",
        "name": "Plan",
        "field_type": "dropdown",
        "options": ["Free", "Pro"],
        "required": False,
    }
    response = client.post("/custom-fields", body)
    assert response.status_code == 201
    field = response.json()
    assert (
        field["options"] == ["Free", "Pro"] and field["field_type"] == "dropdown" and field["key"] == "plan"
    )
    data = client.patch(f"/custom-fields/{field['id']}", {"options": ["Free", "Pro", "Enterprise"]}).json()
    assert data["options"] == ["Free", "Pro", "Enterprise"] and data["name"] == "Plan"
    before = db_state()
    assert client.patch(f"/custom-fields/{field['id']}", {"key": "other"}).status_code == 422  # key is fixed
    assert client.patch(f"/custom-fields/{field['id']}", {"field_type": "text"}).status_code == 422
    assert error_of(client.post("/custom-fields", {**body, "name": "Again"}))["code"] == "key_taken"
    assert client.post("/custom-fields", {**body, "key": "Bad Key"}).status_code == 422
    assert client.post("/custom-fields", {**body, "key": "other", "options": []}).status_code == 422
    assert client.post("/custom-fields", {**body, "key": "other", "field_type": "colour"}).status_code == 422
    assert db_state() == before

    ticket = make_ticket(customer, actor=Actor.staff(agent), custom_fields={"plan": "Pro"})
    assert api_as(agent).get(f"/tickets/{ticket.pk}").json()["custom_fields"] == {"plan": "Pro"}
    assert client.delete(f"/custom-fields/{field['id']}").status_code == 204
    assert not CustomField.objects.exists()
    # The stored value is hidden once its definition is gone.
    assert api_as(agent).get(f"/tickets/{ticket.pk}").json()["custom_fields"] == {}


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_change_the_taxonomy(role, request, api_as, administrator, fallback):
    tag = tag_save(actor=administrator, name="vip")
    field = CustomField.objects.create(key="plan", name="Plan", field_type="text")
    client = api_as(request.getfixturevalue(role))
    before = db_state()
    for response in (
        client.post("/categories", {"name": "Billing"}),
        client.patch(f"/categories/{fallback.pk}", {"name": "Misc"}),
        client.delete(f"/categories/{fallback.pk}"),
        client.post("/tags", {"name": "new"}),
        client.patch(f"/tags/{tag.pk}", {"name": "renamed"}),
        client.delete(f"/tags/{tag.pk}"),
        client.post("/custom-fields", {"key": "k", "name": "K", "field_type": "text"}),
        client.patch(f"/custom-fields/{field.pk}", {"name": "Renamed"}),
        client.delete(f"/custom-fields/{field.pk}"),
    ):
        assert response.status_code == 403, response.content
        assert error_of(response)["code"] == "permission_denied"
    assert db_state() == before
