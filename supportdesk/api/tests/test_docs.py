"""The OpenAPI schema and the interactive docs page, which must work without the internet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from supportdesk.api.tests.conftest import BASE

pytestmark = pytest.mark.django_db

EXPECTED_OPERATIONS = {
    ("get", "/me"): "me_get",
    ("get", "/me/tokens"): "me_tokens_list",
    ("post", "/me/tokens"): "me_tokens_create",
    ("delete", "/me/tokens/{token_id}"): "me_tokens_revoke",
    ("get", "/agents"): "agents_list",
    ("post", "/agents"): "agents_create",
    ("get", "/agents/{agent_id}"): "agents_get",
    ("patch", "/agents/{agent_id}"): "agents_update",
    ("get", "/groups"): "groups_list",
    ("post", "/groups"): "groups_create",
    ("get", "/groups/{group_id}"): "groups_get",
    ("patch", "/groups/{group_id}"): "groups_update",
    ("delete", "/groups/{group_id}"): "groups_delete",
    ("get", "/customers"): "customers_list",
    ("post", "/customers"): "customers_create",
    ("get", "/customers/{customer_id}"): "customers_get",
    ("patch", "/customers/{customer_id}"): "customers_update",
    ("get", "/organizations"): "organizations_list",
    ("post", "/organizations"): "organizations_create",
    ("get", "/organizations/{organization_id}"): "organizations_get",
    ("patch", "/organizations/{organization_id}"): "organizations_update",
    ("delete", "/organizations/{organization_id}"): "organizations_delete",
    ("get", "/tickets"): "tickets_list",
    ("post", "/tickets"): "tickets_create",
    ("post", "/tickets/bulk-update"): "tickets_bulk_update",
    ("get", "/tickets/{ticket_id}"): "tickets_get",
    ("patch", "/tickets/{ticket_id}"): "tickets_update",
    ("post", "/tickets/{ticket_id}/merge"): "tickets_merge",
    ("get", "/tickets/{ticket_id}/messages"): "tickets_messages_list",
    ("post", "/tickets/{ticket_id}/messages"): "tickets_messages_create",
    ("post", "/tickets/{ticket_id}/messages/upload"): "tickets_messages_upload",
    ("get", "/tickets/{ticket_id}/events"): "tickets_events_list",
    ("get", "/categories"): "categories_list",
    ("post", "/categories"): "categories_create",
    ("patch", "/categories/{category_id}"): "categories_update",
    ("delete", "/categories/{category_id}"): "categories_delete",
    ("get", "/tags"): "tags_list",
    ("post", "/tags"): "tags_create",
    ("patch", "/tags/{tag_id}"): "tags_update",
    ("delete", "/tags/{tag_id}"): "tags_delete",
    ("get", "/custom-fields"): "custom_fields_list",
    ("post", "/custom-fields"): "custom_fields_create",
    ("patch", "/custom-fields/{field_id}"): "custom_fields_update",
    ("delete", "/custom-fields/{field_id}"): "custom_fields_delete",
    ("get", "/priorities"): "priorities_list",
    ("get", "/status-labels"): "status_labels_list",
}


@pytest.fixture
def schema():
    response = Client().get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_schema_lists_every_endpoint_with_its_operation_id_and_tag(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "supportdesk API"
    found = {}
    for path, operations in schema["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in operations.items():
            found[(method, path.removeprefix("/api/v1"))] = operation["operationId"]
            assert operation["tags"], f"{method} {path} has no tag"
            assert operation.get("summary"), f"{method} {path} has no summary"
    assert found == EXPECTED_OPERATIONS
    assert len(set(found.values())) == len(found)  # operation ids are unique


def test_schema_documents_both_authentication_methods(schema):
    schemes = schema["components"]["securitySchemes"]
    kinds = {(s["type"], s.get("scheme") or s.get("in")) for s in schemes.values()}
    assert kinds == {("http", "bearer"), ("apiKey", "cookie")}
    ticket_list = schema["paths"]["/api/v1/tickets"]["get"]
    assert len(ticket_list["security"]) == 2


def test_schema_separates_input_and_output(schema):
    components = schema["components"]["schemas"]
    assert {"TicketCreateIn", "TicketPatchIn", "TicketOut", "MessageIn", "MessageOut"} <= set(components)
    assert components["TicketCreateIn"].get("additionalProperties") is False
    upload = schema["paths"]["/api/v1/tickets/{ticket_id}/messages/upload"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_docs_page_uses_only_local_files():
    response = Client().get(f"{BASE}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # No external host anywhere: no CDN scripts or styles, no validator badge.
    assert not re.search(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    assert '"validatorUrl": null' in html
    local = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert {"ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"} <= set(local)
    for path in local:
        assert finders.find(path), f"{path} is not a static file of the project"


def test_docs_static_files_are_served(settings):
    # Whitenoise serves collectstatic's output in production; here it reads the apps' folders.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/ninja/swagger-ui-bundle.js")
    assert response.status_code == 200
