"""The bench desk's set-up: the team, the taxonomy, the organizations and the sign-ins.

These are few rows, so most go through the services like the demo's (groups, categories, status
labels, custom fields, the API token). Two exceptions, for time: staff accounts are inserted in
bulk with one password hash computed once for all of them (hashing is slow on purpose, and
user_create would hash hundreds of times), and organizations are inserted in bulk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Model

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import Group, Membership, User
from supportdesk.accounts.services import api_token_create, group_save
from supportdesk.customers.models import Organization, OrganizationDomain
from supportdesk.demo.data.company import CATEGORIES, CUSTOM_FIELDS, EXTRA_TAGS, FEMALE, STATUS_LABELS
from supportdesk.demo.data.scenarios import SCENARIOS
from supportdesk.demo.seed.names import AGENT_DOMAIN
from supportdesk.demo.seed.people import (
    CATEGORY_GROUPS,
    GROUPS,
    OrganizationPlan,
    plan_organizations,
    plan_staff,
)
from supportdesk.demo.seed.plan import Sizes, to_datetime
from supportdesk.demo.seed.refs import CategoryRef, Desk, Named, StaffRef
from supportdesk.tickets.models import Category, CustomField, Priority, StatusLabel, Tag
from supportdesk.tickets.services.taxonomy import category_save, custom_field_save, status_label_save

ADMIN_EMAIL = f"bench-admin@{AGENT_DOMAIN}"
ADMIN_NAME = "Bench Administrator"
TOKEN_NAME = "bench"  # noqa: S105 - the token's label, not a secret


@dataclass
class DeskSetUp:
    desk: Desk
    token: str
    organizations: list[OrganizationPlan]
    organization_ids: list[int]


def next_id(model: type[Model]) -> int:
    """The id after the largest one in `model`'s table (1 when empty)."""
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def set_up_desk(*, seed: int, sizes: Sizes, password: str, start: int) -> DeskSetUp:
    """Create the team, taxonomy, tags, organizations and the administrator's API token.
    `start` (epoch seconds) is when the data set's history begins."""
    rng = random.Random(f"bench:{seed}:desk")
    joined = to_datetime(start) - timedelta(days=30)
    # The first administrator has nobody to create them; this is what `createsuperuser` does.
    admin = User.objects.create_superuser(ADMIN_EMAIL, password, name=ADMIN_NAME, date_joined=joined)
    groups = _groups(admin)
    staff_plans = plan_staff(rng, sizes)
    users = User.objects.bulk_create(
        [
            User(
                email=plan.email,
                name=plan.name,
                role=plan.role,
                language=plan.ui_language,
                time_zone=plan.time_zone,
                password=admin.password,  # every bench account signs in with the same password
                date_joined=joined,
            )
            for plan in staff_plans
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, group=groups[name], created_at=joined)
            for user, plan in zip(users, staff_plans, strict=True)
            for name in plan.groups
        ],
        batch_size=1000,
    )
    refs = {
        role: [
            StaffRef(
                user.pk, user.name, plan.gender, plan.languages, tuple(groups[g].pk for g in plan.groups)
            )
            for user, plan in zip(users, staff_plans, strict=True)
            if plan.role == role
        ]
        for role in (Role.AGENT, Role.MANAGER, Role.COLLABORATOR)
    }
    categories = _categories(admin, groups)
    labels = _labels(admin)
    _custom_fields(admin)
    tags = _tags()
    priorities = {p.rank: Named(p.pk, p.name) for p in Priority.objects.all()}
    organizations = plan_organizations(rng, sizes.organizations)
    organization_ids = _insert_organizations(organizations, joined)
    _token, secret = api_token_create(user=admin, name=TOKEN_NAME)
    default = next(g for g in groups.values() if g.is_default)
    fallback = Category.objects.get(is_fallback=True)
    desk = Desk(
        admin=StaffRef(admin.pk, admin.name, FEMALE),
        agents=refs[Role.AGENT],
        managers=refs[Role.MANAGER],
        collaborators=refs[Role.COLLABORATOR],
        default_group=Named(default.pk, default.name),
        groups={name: Named(g.pk, g.name) for name, g in groups.items()},
        categories=categories,
        fallback_category=CategoryRef(
            fallback.pk,
            fallback.name,
            Named(fallback.default_group.pk, fallback.default_group.name) if fallback.default_group else None,
        ),
        priorities=priorities,
        labels=labels,
        tags=tags,
    )
    return DeskSetUp(desk, secret, organizations, organization_ids)


def _groups(admin: User) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for name, description in GROUPS.items():
        existing = Group.objects.filter(name__iexact=name).first()
        groups[name] = existing or group_save(actor=admin, name=name, description=description)
    if not any(group.is_default for group in groups.values()):
        support = next(iter(groups.values()))
        groups[support.name] = group_save(
            actor=admin, group=support, name=support.name, description=support.description, is_default=True
        )
    return groups


def _categories(admin: User, groups: dict[str, Group]) -> dict[str, CategoryRef]:
    found: dict[str, CategoryRef] = {}
    ids: dict[str, int] = {}
    for position, spec in enumerate(CATEGORIES):
        parent_id = ids[spec.parent] if spec.parent else None
        group = groups[CATEGORY_GROUPS[spec.key]]
        category = Category.objects.filter(name__iexact=spec.name, parent_id=parent_id).first()
        if category is None:
            category = category_save(
                actor=admin,
                name=spec.name,
                parent_id=parent_id,
                default_group_id=group.pk,
                position=position * 10,
                translations=spec.translations,
            )
        ids[spec.key] = category.pk
        default = category.default_group
        found[spec.key] = CategoryRef(
            category.pk, category.name, Named(default.pk, default.name) if default else None
        )
    return found


def _labels(admin: User) -> dict[str, Named]:
    labels: dict[str, Named] = {}
    for position, spec in enumerate(STATUS_LABELS):
        label = StatusLabel.objects.filter(name=spec.name, status=spec.status).first() or status_label_save(
            actor=admin,
            name=spec.name,
            status=spec.status,
            position=position * 10 + 10,
            translations=spec.translations,
        )
        labels[spec.key] = Named(label.pk, label.name)
    return labels


def _custom_fields(admin: User) -> None:
    for position, spec in enumerate(CUSTOM_FIELDS):
        if CustomField.objects.filter(key=spec.key).exists():
            continue
        custom_field_save(
            actor=admin,
            name=spec.name,
            key=spec.key,
            field_type=spec.field_type,
            options=list(spec.options),
            visible_to_customers=spec.visible_to_customers,
            editable_by_customers=spec.editable_by_customers,
            position=position * 10,
            translations=spec.translations,
        )


def _tags() -> dict[str, int]:
    names = sorted({tag for scenario in SCENARIOS for tag in scenario.tags} | set(EXTRA_TAGS))
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    return dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))


def _insert_organizations(plans: list[OrganizationPlan], joined: datetime) -> list[int]:
    """Insert the organizations and their domains; their ids, in the order of `plans`."""
    created = Organization.objects.bulk_create(
        [
            Organization(
                name=plan.name, shares_tickets=plan.shares_tickets, created_at=joined, updated_at=joined
            )
            for plan in plans
        ],
        batch_size=2000,
    )
    ids = [organization.pk for organization in created]
    OrganizationDomain.objects.bulk_create(
        [
            OrganizationDomain(organization_id=organization_id, domain=plan.domain)
            for organization_id, plan in zip(ids, plans, strict=True)
        ],
        batch_size=2000,
    )
    return ids
