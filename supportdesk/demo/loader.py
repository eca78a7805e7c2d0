"""Carrying out the demo plan through the services, so timelines, counters, response times and the
search index come out exactly as real use would leave them.

Everything is written in one transaction: a failure leaves the database as it was, and SQLite
commits once instead of thousands of times. Password hashing (deliberately slow) runs in worker
threads meanwhile; hashlib releases the interpreter lock while it works.
"""

from __future__ import annotations

import inspect
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from supportdesk.accounts.choices import STAFF_ROLES, Role
from supportdesk.accounts.models import Group, User
from supportdesk.accounts.services import group_save, user_create
from supportdesk.channels.email.services.mailboxes import MailboxValues, mailbox_save
from supportdesk.core.conf import product_settings
from supportdesk.customers.models import Customer, Organization
from supportdesk.customers.services import customer_create, customer_link_user, organization_save
from supportdesk.demo.credentials import DEMO_EMAILS, DEMO_LOGINS, DEMO_MAILBOX
from supportdesk.demo.data.company import (
    CATEGORIES,
    CUSTOM_FIELDS,
    GROUPS,
    ORGANIZATIONS,
    STAFF,
    STATUS_LABELS,
)
from supportdesk.demo.plan import (
    CUSTOMER,
    DUPLICATE,
    MERGE,
    NOTE,
    REPLY,
    SHARE,
    SYSTEM,
    UPDATE,
    DemoPlan,
    Step,
    TicketPlan,
    build_plan,
)
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import (
    Actor,
    message_add,
    ticket_create,
    ticket_merge,
    ticket_share,
    ticket_update,
)
from supportdesk.tickets.services.taxonomy import category_save, custom_field_save, status_label_save


@dataclass
class DemoResult:
    tickets: int = 0
    messages: int = 0
    customers: int = 0
    organizations: int = 0
    staff: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)


def demo_loaded() -> bool:
    """Whether the demo sign-ins exist (the demo data was loaded into this database)."""
    return User.objects.filter(email__in=DEMO_EMAILS).exists()


def desk_in_use() -> bool:
    """Whether this database already holds a desk: any ticket or any staff account."""
    return Ticket.objects.exists() or User.objects.filter(role__in=STAFF_ROLES).exists()


def load_demo(*, tickets: int, seed: int, now: datetime | None = None) -> DemoResult:
    """Create the demo desk: the team, taxonomy, organizations, customers and `tickets` tickets
    with their conversations. Deterministic for a seed (and a given `now`)."""
    started = time.monotonic()
    now = now or timezone.now()
    plan = build_plan(
        seed=seed, tickets=tickets, now=now, close_after_days=product_settings().auto_close_after_days
    )
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="demo-hash") as pool:
        hashes = {login.email: pool.submit(make_password, login.password) for login in DEMO_LOGINS}
        with transaction.atomic():
            loader = _Loader(plan)
            loader.set_up_desk()
            loader.add_customers()
            for ticket in plan.tickets:
                loader.add_ticket(ticket)
            loader.add_mailbox()
            loader.set_passwords(hashes)
    result = loader.result
    result.seconds = time.monotonic() - started
    return result


def _accepts(service: Callable[..., Any], name: str) -> bool:
    return name in inspect.signature(service).parameters


# Merging and sharing take a back-dating time only in newer versions of the services; pass it
# where it is accepted so their timeline entries read true as well.
_MERGE_TAKES_AT = _accepts(ticket_merge, "at")
_SHARE_TAKES_AT = _accepts(ticket_share, "at")


class _Loader:
    def __init__(self, plan: DemoPlan):
        self.plan = plan
        self.result = DemoResult()
        self.staff: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        self.categories: dict[str, int] = {}
        self.labels: dict[str, int] = {}
        self.customers: dict[int, Customer] = {}

    # -- the desk -------------------------------------------------------------------------------
    def set_up_desk(self) -> None:
        members = {member.key: member for member in STAFF}
        admin_spec = members["admin"]
        # The first administrator has nobody to create them; this is what `createsuperuser` does.
        admin = User.objects.create_superuser(
            admin_spec.email, None, name=admin_spec.name, time_zone=admin_spec.time_zone
        )
        self.staff["admin"] = admin
        for name, description in GROUPS.items():
            existing = Group.objects.filter(name=name).first()
            self.groups[name] = group_save(
                actor=admin,
                group=existing,
                name=name,
                description=description,
                is_default=existing.is_default if existing else False,
            )
        for member in STAFF:
            if member.key == "admin":
                continue
            self.staff[member.key] = user_create(
                actor=admin,
                email=member.email,
                name=member.name,
                role=member.role,
                group_ids=[self.groups[g].pk for g in member.groups],
                language=member.ui_language,
                time_zone=member.time_zone,
            )
        self.result.staff = len(self.staff)

        for position, spec in enumerate(CATEGORIES):
            category = category_save(
                actor=admin,
                name=spec.name,
                parent_id=self.categories[spec.parent] if spec.parent else None,
                default_group_id=self.groups[spec.group].pk,
                position=position * 10,
                translations=spec.translations,
            )
            self.categories[spec.key] = category.pk
        for position, label_spec in enumerate(STATUS_LABELS):
            label = status_label_save(
                actor=admin,
                name=label_spec.name,
                status=label_spec.status,
                position=position * 10 + 10,
                translations=label_spec.translations,
            )
            self.labels[label_spec.key] = label.pk
        for position, field_spec in enumerate(CUSTOM_FIELDS):
            custom_field_save(
                actor=admin,
                name=field_spec.name,
                key=field_spec.key,
                field_type=field_spec.field_type,
                options=list(field_spec.options),
                visible_to_customers=field_spec.visible_to_customers,
                editable_by_customers=field_spec.editable_by_customers,
                position=position * 10,
                translations=field_spec.translations,
            )

    def add_customers(self) -> None:
        admin = self.staff["admin"]
        organizations: dict[str, Organization] = {}
        for spec in ORGANIZATIONS:
            organizations[spec.name] = organization_save(
                actor=admin,
                name=spec.name,
                domains=[spec.domain],
                shares_tickets=spec.shares_tickets,
                notes=spec.notes,
            )
        self.result.organizations = len(organizations)
        for person in self.plan.customers:
            customer = customer_create(
                actor=None,
                name=person.name,
                emails=[person.email],
                phones=[person.phone] if person.phone else [],
                organization=organizations[person.organization] if person.organization else None,
                language=person.language,
                time_zone=person.time_zone,
            )
            if person.portal:
                user = user_create(actor=None, email=person.email, name=person.name, role=Role.CUSTOMER)
                customer = customer_link_user(customer=customer, user_id=user.pk)
            self.customers[person.key] = customer
        self.result.customers = len(self.customers)

    def add_mailbox(self) -> None:
        """The desk's support address. It takes mail through the built-in SMTP receiver (no IMAP
        account to set up); created after the history, so no demo reply is ever emailed."""
        mailbox_save(
            actor=self.staff["admin"],
            values=MailboxValues(
                name="Support",
                email_address=DEMO_MAILBOX,
                display_name="Demo Support",
                group=next(iter(self.groups.values()), None),
                is_default=True,
            ),
        )

    def set_passwords(self, hashes: Mapping[str, Future[str]]) -> None:
        """Give the demo sign-ins their passwords; every other agent shares the agent's."""
        agent_email = next(login.email for login in DEMO_LOGINS if login.role == Role.AGENT)
        for email, future in hashes.items():
            User.objects.filter(email=email).update(password=future.result())
        agent_hash = User.objects.get(email=agent_email).password
        User.objects.filter(role=Role.AGENT).filter(~Q(email__in=DEMO_EMAILS)).update(password=agent_hash)

    # -- tickets --------------------------------------------------------------------------------
    def _actor(self, key: str, customer: Customer) -> Actor:
        if key == CUSTOMER:
            return Actor.of_customer(customer)
        if key == SYSTEM:
            return Actor.system()
        return Actor.staff(self.staff[key])

    def _resolve(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Symbolic plan values (keys and names) → the ids the services take."""
        resolved: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "category":
                resolved["category_id"] = self.categories[value]
            elif name == "group":
                resolved["group_id"] = self.groups[value].pk
            elif name == "assignee":
                resolved["assignee_id"] = self.staff[value].pk
            elif name == "status_label":
                resolved["status_label_id"] = self.labels[value]
            else:
                resolved[name] = value
        return resolved

    def add_ticket(self, plan: TicketPlan) -> None:
        customer = self.customers[plan.customer]
        ticket = ticket_create(
            actor=self._actor(plan.creator, customer),
            requester=customer,
            subject=plan.subject,
            body=plan.body,
            channel=plan.channel,
            language=plan.language,
            created_at=plan.created_at,
            **self._resolve(plan.create),
        )
        duplicate: Ticket | None = None
        for step in plan.steps:
            duplicate = self._step(ticket, customer, plan, step, duplicate)
        self.result.tickets += 1
        self.result.statuses[plan.status] += 1
        self.result.languages[plan.language] += 1
        self.result.messages += 1 + sum(1 for s in plan.steps if s.kind in (REPLY, NOTE, DUPLICATE))

    def _step(
        self, ticket: Ticket, customer: Customer, plan: TicketPlan, step: Step, duplicate: Ticket | None
    ) -> Ticket | None:
        actor = self._actor(step.actor, customer)
        if step.kind in (REPLY, NOTE):
            message_add(
                actor=actor,
                ticket_id=ticket.pk,
                body=step.body,
                is_public=step.kind == REPLY,
                status=step.status,
                created_at=step.at,
            )
        elif step.kind == UPDATE:
            ticket_update(actor=actor, ticket_id=ticket.pk, at=step.at, **self._resolve(step.changes))
        elif step.kind == SHARE:
            extra = {"at": step.at} if _SHARE_TAKES_AT else {}
            ticket_share(
                actor=actor, ticket_id=ticket.pk, user_id=self.staff[step.changes["user"]].pk, **extra
            )
        elif step.kind == DUPLICATE:
            self.result.tickets += 1
            return ticket_create(
                actor=actor,
                requester=customer,
                subject=step.changes["subject"],
                body=step.body,
                channel=step.changes["channel"],
                language=plan.language,
                created_at=step.at,
            )
        elif step.kind == MERGE and duplicate is not None:
            extra = {"at": step.at} if _MERGE_TAKES_AT else {}
            ticket_merge(actor=actor, source_id=duplicate.pk, target_id=ticket.pk, **extra)
            return None
        return duplicate
