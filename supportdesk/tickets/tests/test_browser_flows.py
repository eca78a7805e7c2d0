"""The two journeys every release must keep working, driven in a real Chromium.

Screenshots of each step are saved to test-artifacts/ for people to look at.
"""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.conftest import ARTIFACTS, sign_in
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def snap(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    return errors


def test_agent_signs_in_opens_a_ticket_replies_and_solves_it(page, live_server, agent, customer, make_ticket):
    ticket = make_ticket(customer, subject="Cannot print invoices", body="The print button does nothing.")
    errors = watch_errors(page)

    sign_in(page, live_server.url, agent.email)
    assert page.url.rstrip("/").endswith("/desk"), page.url
    snap(page, "agent-flow-1-inbox")

    page.click(f"text={ticket.subject}")
    page.wait_for_url(f"**/desk/tickets/{ticket.pk}/")
    assert "The print button does nothing." in page.locator("#tab-panel").inner_text()
    snap(page, "agent-flow-2-ticket")

    page.fill("textarea[name=body]", "Please update the printer driver; that fixes it.")
    page.click("button[name=then][value=solved]")
    page.wait_for_load_state("networkidle")
    snap(page, "agent-flow-3-solved")

    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED and ticket.first_response_at is not None
    conversation = page.locator("#tab-panel").inner_text()
    assert "Please update the printer driver; that fixes it." in conversation
    assert "Solved" in page.locator("header, .badge").all_inner_texts().__str__()
    assert errors == []


def test_customer_asks_in_the_portal_agent_answers_customer_sees_the_answer(
    chromium, live_server, agent, customer
):
    customer_page = chromium.new_context(locale="en-US").new_page()
    agent_page = chromium.new_context(locale="en-US").new_page()
    errors = watch_errors(customer_page) + watch_errors(agent_page)

    sign_in(customer_page, live_server.url, customer.user.email)
    customer_page.click("text=New request")
    customer_page.fill("input[name=subject]", "Where is my parcel?")
    customer_page.fill("textarea[name=body]", "Order 4711 has not arrived yet.")
    customer_page.click("text=Submit the request")
    customer_page.wait_for_load_state("networkidle")
    ticket = Ticket.objects.get(subject="Where is my parcel?")
    snap(customer_page, "portal-flow-1-submitted")

    sign_in(agent_page, live_server.url, agent.email)
    agent_page.click(f"text={ticket.subject}")
    agent_page.wait_for_url(f"**/desk/tickets/{ticket.pk}/")
    agent_page.fill("textarea[name=body]", "It ships today; tracking number DE123.")
    agent_page.click("button.primary >> text=Send")
    agent_page.wait_for_load_state("networkidle")
    snap(agent_page, "portal-flow-2-agent-answered")

    customer_page.reload()
    customer_page.wait_for_load_state("networkidle")
    snap(customer_page, "portal-flow-3-customer-sees-answer")
    assert "It ships today; tracking number DE123." in customer_page.content()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert errors == []
    customer_page.context.close()
    agent_page.context.close()
