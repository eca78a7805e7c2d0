"""Priorities: list by rank, create (with a rank fixed for ever), edit, delete when unused."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from supportdesk.accounts.views.common import confirm_delete, render_settings
from supportdesk.core.decorators import admin_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error
from supportdesk.tickets.forms_settings import PriorityForm
from supportdesk.tickets.models import Priority
from supportdesk.tickets.services.taxonomy import priority_delete, priority_save

# Ranks run from 1 to 999, so this is every priority there can be.
MAX_PRIORITIES = 999


@admin_required
def priority_list(request: HttpRequest) -> HttpResponse:
    priorities = list(Priority.objects.order_by("-rank")[:MAX_PRIORITIES])
    return render_settings(
        request, "tickets/settings/priorities.html", "priorities", {"priorities": priorities}
    )


def _save(request: HttpRequest, priority: Priority | None) -> HttpResponse:
    initial = {}
    if priority is not None:
        initial = {
            "name": priority.name,
            "color": priority.color,
            "is_default": priority.is_default,
            **PriorityForm.initial_translations(priority),
        }
    form = PriorityForm(request.POST or None, initial=initial, editing=priority is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = priority_save(
                actor=request.user,  # type: ignore[arg-type]
                priority=priority,
                name=data["name"],
                rank=data.get("rank"),
                color=data["color"],
                is_default=data["is_default"],
                translations=form.translations(),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The priority %(name)s was saved.") % {"name": saved.name})
            return redirect("taxonomy:priorities")
    return render_settings(
        request, "tickets/settings/priority_form.html", "priorities", {"form": form, "priority": priority}
    )


@admin_required
def priority_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@admin_required
def priority_edit(request: HttpRequest, priority_id: int) -> HttpResponse:
    return _save(request, get_object_or_404(Priority, pk=priority_id))


@admin_required
def priority_remove(request: HttpRequest, priority_id: int) -> HttpResponse:
    priority = get_object_or_404(Priority, pk=priority_id)

    def delete() -> str:
        priority_delete(actor=request.user, priority=priority)  # type: ignore[arg-type]
        return _("The priority %(name)s was deleted.") % {"name": priority.name}

    return confirm_delete(
        request,
        page="priorities",
        back="taxonomy:priorities",
        title=_("Delete the priority %(name)s?") % {"name": priority.name},
        consequences=lambda: [_("A priority that tickets use cannot be deleted.")],
        delete=delete,
    )
