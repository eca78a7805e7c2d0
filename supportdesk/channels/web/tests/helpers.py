"""Helpers for the portal tests: customers with a portal login, clients, uploads, status moves."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import User
from supportdesk.conftest import make_user
from supportdesk.customers.models import Customer, Organization
from supportdesk.customers.services import customer_create
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import Actor, message_add, ticket_update


def portal_customer(email: str, name: str, organization: Organization | None = None) -> Customer:
    """A customer record with a portal login, like the shared `customer` fixture."""
    user = make_user(email, Role.CUSTOMER, name=name)
    person = customer_create(actor=None, name=name, emails=[email], organization=organization)
    person.user = user
    person.save(update_fields=["user"])
    return person


def upload(name: str = "notes.txt", content: bytes = b"hello there", content_type: str = "text/plain") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def customer_client(person: Customer) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def csrf_client(person: Customer | None = None) -> Client:
    """A client that, like a browser, must send the CSRF token (tests leave it out)."""
    client = Client(enforce_csrf_checks=True)
    if person is not None:
        client.force_login(person.user)
    return client


def agent_reply(agent: User, ticket: Ticket, body: str, **kwargs: Any) -> None:
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body=body, **kwargs)


def set_status(ticket: Ticket, status: Status) -> Ticket:
    return ticket_update(actor=Actor.system(), ticket_id=ticket.pk, status=status)


def close(ticket: Ticket) -> Ticket:
    set_status(ticket, Status.SOLVED)
    return set_status(ticket, Status.CLOSED)
