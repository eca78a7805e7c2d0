"""Reads for people and groups."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from supportdesk.accounts.choices import STAFF_ROLES
from supportdesk.accounts.models import ApiToken, Group, User


def staff_list() -> QuerySet[User]:
    """Staff members with their groups prefetched, by name (a bounded list: a desk's team)."""
    return (
        User.objects.filter(role__in=STAFF_ROLES)
        .prefetch_related(Prefetch("support_groups", queryset=Group.objects.order_by("name")))
        .order_by("name", "id")
    )


def active_staff() -> QuerySet[User]:
    """Active staff members of every role, collaborators included, by name. Those whose role is
    in ASSIGNABLE_ROLES can own tickets."""
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("name", "id")


def group_list() -> QuerySet[Group]:
    return Group.objects.annotate(member_count=Count("memberships")).order_by("name")


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def default_group() -> Group | None:
    return Group.objects.filter(is_default=True).first()
