"""The customer pages in a real browser: search as you type, and the pages without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest

from supportdesk.conftest import sign_in
from supportdesk.customers import services

# Transactional tests empty the database afterwards, seeded rows (groups, priorities) included, so
# these tests use only what they create: a manager (no group) and their own customers.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(manager: Any) -> None:
    acme = services.organization_save(actor=manager, name="Acme", domains=["acme.example"])
    services.customer_create(actor=manager, name="Nguyễn Văn An", emails=["an@mail.example"])
    services.customer_create(actor=manager, name="Ola Nowak", phones=["+48221234567"])
    services.customer_create(actor=manager, name="Ann Lee", emails=["ann@lee.example"], organization=acme)


def test_the_list_follows_the_typing(page: Any, live_server: Any, manager: Any, people: None) -> None:
    sign_in(page, live_server.url, manager.email)
    page.goto(f"{live_server.url}/desk/customers/")
    rows = page.locator("#customer-results tbody tr")
    assert rows.count() == 3
    page.fill("input[name=q]", "nguyen")
    page.wait_for_function("document.querySelectorAll('#customer-results tbody tr').length === 1")
    assert "Nguyễn Văn An" in rows.first.inner_text()
    # The search is in the address, so reloading or sharing the page shows the same list.
    page.wait_for_url(re.compile(r"q=nguyen"))
    page.fill("input[name=q]", "+48 22 123 45 67")
    page.wait_for_function("document.querySelector('#customer-results').innerText.includes('Ola Nowak')")
    assert rows.count() == 1
    page.fill("input[name=q]", "")
    page.select_option("select[name=organization]", label="Acme")
    page.wait_for_function("document.querySelector('#customer-results').innerText.includes('Ann Lee')")
    assert rows.count() == 1


def test_the_list_works_without_javascript(
    chromium: Any, live_server: Any, manager: Any, people: None
) -> None:
    context = chromium.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    try:
        sign_in(page, live_server.url, manager.email)
        page.goto(f"{live_server.url}/desk/customers/")
        page.fill("input[name=q]", "ola")
        page.click("form[role=search] button[type=submit]")
        page.wait_for_url(re.compile(r"q=ola"))
        assert page.locator("#customer-results tbody tr").count() == 1
        page.click("text=Ola Nowak")
        assert page.locator("h1").inner_text() == "Ola Nowak"
        assert page.locator("#customer-tickets a[href*='requester=']").count() == 1
    finally:
        context.close()
