"""Administrators manage groups (teams of agents): list with member counts, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from supportdesk.accounts.forms import GroupForm
from supportdesk.accounts.models import Group
from supportdesk.accounts.selectors import group_list as groups_with_counts
from supportdesk.accounts.services import group_delete, group_save
from supportdesk.accounts.views.common import confirm_delete, render_settings
from supportdesk.core.decorators import admin_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error

# A desk has tens of groups; the cap only guards the page against a runaway import.
MAX_GROUPS = 500


@admin_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = list(groups_with_counts()[: MAX_GROUPS + 1])
    return render_settings(
        request,
        "accounts/groups/list.html",
        "groups",
        {"groups": groups[:MAX_GROUPS], "truncated": len(groups) > MAX_GROUPS},
    )


def _save(request: HttpRequest, group: Group | None) -> HttpResponse:
    initial = (
        {"name": group.name, "description": group.description, "is_default": group.is_default}
        if group
        else {}
    )
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = group_save(actor=request.user, group=group, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The group %(name)s was saved.") % {"name": saved.name})
            return redirect("accounts:groups")
    return render_settings(request, "accounts/groups/form.html", "groups", {"form": form, "group": group})


@admin_required
def group_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@admin_required
def group_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    return _save(request, get_object_or_404(Group, pk=group_id))


@admin_required
def group_remove(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=group_id)

    def delete() -> str:
        group_delete(actor=request.user, group=group)  # type: ignore[arg-type]
        return _("The group %(name)s was deleted.") % {"name": group.name}

    def consequences() -> list[str]:
        members = group.memberships.count()
        return [
            ngettext(
                "Its %(count)d member stays in the desk but leaves this group.",
                "Its %(count)d members stay in the desk but leave this group.",
                members,
            )
            % {"count": members},
            _(
                "Its tickets are left without a group: only managers and administrators "
                "will see them until they are moved."
            ),
        ]

    return confirm_delete(
        request,
        page="groups",
        back="accounts:groups",
        title=_("Delete the group %(name)s?") % {"name": group.name},
        consequences=consequences,
        delete=delete,
    )
