"""Administrators manage the desk's staff: list, create (with a password or an emailed link to
choose one) and edit role, groups and access."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.translation import gettext as _

from supportdesk.accounts.choices import STAFF_ROLES
from supportdesk.accounts.forms import (
    AgentCreateForm,
    AgentEditForm,
    AgentFilterForm,
    InvitationForm,
)
from supportdesk.accounts.models import User
from supportdesk.accounts.selectors import staff_list
from supportdesk.accounts.services import user_create, user_update
from supportdesk.accounts.views.common import page_of, render_settings
from supportdesk.core.decorators import admin_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error
from supportdesk.core.pagination import SortKey

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
ORDER = [SortKey("name", descending=False), SortKey("id", descending=False)]


@admin_required
def agent_list(request: HttpRequest) -> HttpResponse:
    form = AgentFilterForm(request.GET or None)
    people = staff_list()
    if form.is_valid():
        if role := form.cleaned_data["role"]:
            people = people.filter(role=role)
        if active := form.cleaned_data["active"]:
            people = people.filter(is_active=active == "yes")
    page = page_of(people, ORDER, request, PAGE_SIZE)
    return render_settings(request, "accounts/agents/list.html", "agents", {"form": form, "page": page})


def send_invitation(request: HttpRequest, person: User) -> bool:
    """Email `person` a link to choose their password (Django's reset mail and token).

    The account already exists when this runs, so a mail failure must not undo it: the
    administrator is told and can send the link again from the edit page."""
    form = InvitationForm(person)
    # Inactive people cannot sign in, so a link would be a false promise.
    if not person.is_active or not form.is_valid():
        return False
    try:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            form.save(
                request=request,
                use_https=request.is_secure(),
                subject_template_name="accounts/agents/invitation_subject.txt",
                email_template_name="accounts/agents/invitation_email.txt",
                extra_email_context={"inviter_name": getattr(request.user, "name", "")},
            )
    except OSError:
        logger.exception("could not send the invitation to user %s", person.pk)
        return False
    return True


@admin_required
def agent_create(request: HttpRequest) -> HttpResponse:
    form = AgentCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = user_create(
                actor=request.user,  # type: ignore[arg-type]
                email=data["email"],
                name=data["name"],
                role=data["role"],
                password=data["password"] or None,
                group_ids=[group.pk for group in data["groups"]],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if data["setup"] != AgentCreateForm.INVITE:
                messages.success(request, _("%(name)s can now sign in.") % {"name": person.name})
            elif send_invitation(request, person):
                messages.success(
                    request,
                    _("%(name)s was added and emailed a link to choose a password.") % {"name": person.name},
                )
            else:
                messages.warning(
                    request,
                    _("%(name)s was added, but the email could not be sent. Try again from their page.")
                    % {"name": person.name},
                )
            return redirect("accounts:agents")
    return render_settings(request, "accounts/agents/form.html", "agents", {"form": form, "person": None})


def _staff_member(user_id: int) -> User:
    return get_object_or_404(User.objects.filter(role__in=STAFF_ROLES), pk=user_id)


@admin_required
def agent_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    person = _staff_member(user_id)
    initial = {
        "name": person.name,
        "role": person.role,
        "groups": list(person.memberships.values_list("group_id", flat=True)),
        "is_active": person.is_active,
    }
    form = AgentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_update(
                actor=request.user,  # type: ignore[arg-type]
                user=person,
                name=data["name"],
                role=data["role"],
                is_active=data["is_active"],
                group_ids=[group.pk for group in data["groups"]],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Changes to %(name)s were saved.") % {"name": data["name"]})
            return redirect("accounts:agents")
    return render_settings(request, "accounts/agents/form.html", "agents", {"form": form, "person": person})


@admin_required
def agent_invite(request: HttpRequest, user_id: int) -> HttpResponse:
    """Send (again) the link to choose a password: for a lost invitation or a forgotten password."""
    person = _staff_member(user_id)
    if request.method == "POST":
        if send_invitation(request, person):
            messages.success(
                request, _("A link to choose a password was emailed to %(email)s.") % {"email": person.email}
            )
        else:
            messages.error(request, _("The email could not be sent. Is the account active?"))
    return redirect("accounts:agent_edit", user_id=person.pk)
