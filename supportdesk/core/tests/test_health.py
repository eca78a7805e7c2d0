"""`/health/`: the load balancer's liveness check answers from the process alone."""

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_answers_ok_as_json_without_a_query_when_signed_out(django_assert_num_queries: Any):
    client = Client()
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_health_writes_no_session_and_is_never_cached():
    response = Client().get("/health/")
    assert not response.cookies  # no session, no CSRF cookie: nothing for a prober to keep
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_health_answers_head():
    response = Client().head("/health/")
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_health_refuses_other_methods_with_405_not_a_csrf_error(method: str):
    # enforce_csrf_checks: the real middleware, as a prober posting without a token meets it.
    response = getattr(Client(enforce_csrf_checks=True), method)("/health/")
    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["GET", "HEAD"]
