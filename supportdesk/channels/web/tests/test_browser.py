"""The portal in a real browser: sign in, open a request with a file, reply, mark it solved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from supportdesk.conftest import sign_in
from supportdesk.customers.models import Customer
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_journey(page: Any, live_server: Any, customer: Customer, tmp_path: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, customer.user.email)
    assert page.locator("h1").inner_text().startswith("Hello, Carla Customer")

    page.click("text=New request")
    page.fill("input[name=subject]", "Screen flickers")
    page.fill("textarea[name=body]", "Since the last update the screen flickers.")
    evidence = tmp_path / "flicker.txt"
    evidence.write_text("frame log")
    page.set_input_files("input[name=attachments]", str(evidence))
    page.click("text=Submit the request")
    page.wait_for_load_state("networkidle")

    ticket = Ticket.objects.get(subject="Screen flickers")
    assert f"We received your request #{ticket.pk}" in page.content()
    assert page.locator(".attachments a").inner_text().startswith("flicker.txt")

    page.fill("textarea[name=body]", "It also happens on battery.")
    page.click("text=Send the reply")
    page.wait_for_load_state("networkidle")
    assert "It also happens on battery." in page.content()

    page.click("text=Mark as solved")
    page.wait_for_load_state("networkidle")
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED

    # The list swaps its filter in place with htmx and keeps the address bar in step.
    page.click("text=My requests")
    page.click("#request-list >> text=Open")
    page.wait_for_url("**/requests/?scope=mine&show=open")
    assert page.locator("#request-list").inner_text().count("Screen flickers") == 0
    assert errors == []
