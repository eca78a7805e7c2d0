"""Fixtures shared by every app's tests: one person per role, a ticket maker, a browser."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import Group, User
from supportdesk.customers.models import Customer, Organization
from supportdesk.customers.services import customer_create
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import Actor, ticket_create

PASSWORD = "correct-horse-battery-staple"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_reference_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with an empty reference cache that does not expire on its own while the
    test runs (so query counts are the same on every run); tests of expiry move the clock."""
    from supportdesk.tickets.services import reference

    reference.invalidate_reference_cache()
    monkeypatch.setattr(reference, "_clock", lambda: 0.0)
    monkeypatch.setattr(reference, "_expires", reference.TTL)


@pytest.fixture(autouse=True)
def _fresh_search_probes() -> None:
    """Each test starts without the search probes' remembered answers (on PostgreSQL a probe is
    one query, so query counts would otherwise depend on the tests before)."""
    from supportdesk.core.search import index

    index._probes.clear()


# Rows the data migrations create (default group, priorities, fallback category). Transactional
# tests (the browser ones) empty the tables after each test, so those tests get them again here.
DATA_MIGRATIONS = (
    "supportdesk.accounts.migrations.0002_default_group",
    "supportdesk.tickets.migrations.0003_default_taxonomy",
)


@pytest.fixture(autouse=True)
def _default_rows_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if not transactional and not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for module in DATA_MIGRATIONS:
        importlib.import_module(module).create(apps, None)


def make_user(email: str, role: str, *, name: str = "", groups: list[Group] = (), **fields: Any) -> User:  # type: ignore[assignment]
    user = User.objects.create_user(
        email, PASSWORD, name=name or email.split("@")[0].title(), role=role, **fields
    )
    for group in groups:
        user.memberships.create(group=group)
    return user


@pytest.fixture
def support_group(db: None) -> Group:
    return Group.objects.get(name="Support")


@pytest.fixture
def billing_group(db: None) -> Group:
    return Group.objects.create(name="Billing")


@pytest.fixture
def administrator(db: None) -> User:
    return make_user("admin@desk.test", Role.ADMINISTRATOR, name="Ada Admin")


@pytest.fixture
def manager(db: None) -> User:
    return make_user("manager@desk.test", Role.MANAGER, name="Mia Manager")


@pytest.fixture
def agent(support_group: Group) -> User:
    return make_user("agent@desk.test", Role.AGENT, name="Alex Agent", groups=[support_group])


@pytest.fixture
def billing_agent(billing_group: Group) -> User:
    return make_user("billing@desk.test", Role.AGENT, name="Bea Billing", groups=[billing_group])


@pytest.fixture
def collaborator(db: None) -> User:
    return make_user("collab@desk.test", Role.COLLABORATOR, name="Cole Collaborator")


@pytest.fixture
def organization(db: None) -> Organization:
    return Organization.objects.create(name="Acme")


@pytest.fixture
def customer(db: None) -> Customer:
    """A customer with a portal account."""
    user = make_user("customer@example.com", Role.CUSTOMER, name="Carla Customer")
    person = customer_create(actor=None, name="Carla Customer", emails=["customer@example.com"])
    person.user = user
    person.save(update_fields=["user"])
    return person


@pytest.fixture
def other_customer(db: None) -> Customer:
    user = make_user("other@example.com", Role.CUSTOMER, name="Otto Other")
    person = customer_create(actor=None, name="Otto Other", emails=["other@example.com"])
    person.user = user
    person.save(update_fields=["user"])
    return person


@pytest.fixture
def make_ticket(db: None) -> Callable[..., Ticket]:
    """Open a ticket through the real service, as the requester by default."""

    def make(
        requester: Customer, subject: str = "Printer on fire", body: str = "Please help.", **kwargs: Any
    ) -> Ticket:
        actor = kwargs.pop("actor", None) or Actor.of_customer(requester)
        return ticket_create(actor=actor, requester=requester, subject=subject, body=body, **kwargs)

    return make


@pytest.fixture
def client_for(db: None) -> Callable[[User | None], Client]:
    """A test client signed in as `user` (or anonymous for None)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


# -- browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM}, and browser tests are required here")
        pytest.skip(f"no Chromium at {CHROMIUM}; .ci/run installs Debian's chromium")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures) are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"), full_page=True)
    context.close()


def sign_in(page: Any, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


# -- a database of a test's own, for tests that start product processes ------------------------
def private_postgres_database(name: str) -> str:
    """A fresh, empty database called `name` on the PostgreSQL server the suite uses
    (DATABASE_URL, else the local default one): its URL. ConnectionError when no server answers.
    Drop it with `drop_private_postgres_database`."""
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    server = base.rsplit("/", 1)[0]
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        raise ConnectionError(f"PostgreSQL at {server}: {error}") from error
    return f"{server}/{name}"


def drop_private_postgres_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
