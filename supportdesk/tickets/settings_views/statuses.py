"""Status labels: the six fixed status categories, each with the desk's own names for it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from supportdesk.accounts.views.common import confirm_delete, render_settings
from supportdesk.core.decorators import admin_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error
from supportdesk.tickets.choices import Status, status_slug
from supportdesk.tickets.forms_settings import StatusLabelForm
from supportdesk.tickets.models import StatusLabel
from supportdesk.tickets.services.taxonomy import status_label_delete, status_label_save

MAX_LABELS = 1000


@dataclass(frozen=True)
class StatusGroup:
    value: int
    label: str
    slug: str
    labels: list[StatusLabel]


@admin_required
def status_list(request: HttpRequest) -> HttpResponse:
    labels = list(StatusLabel.objects.order_by("status", "position", "name", "id")[:MAX_LABELS])
    groups = [
        StatusGroup(
            value=status.value,
            label=str(status.label),
            slug=status_slug(status),
            labels=[label for label in labels if label.status == status],
        )
        for status in Status
    ]
    return render_settings(request, "tickets/settings/statuses.html", "statuses", {"groups": groups})


def _save(request: HttpRequest, label: StatusLabel | None) -> HttpResponse:
    if label is not None:
        initial = {
            "name": label.name,
            "status": label.status,
            "is_default": label.is_default,
            "position": label.position,
            "is_active": label.is_active,
            **StatusLabelForm.initial_translations(label),
        }
    else:
        initial = {"status": request.GET.get("status", Status.OPEN)}
    form = StatusLabelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = status_label_save(
                actor=request.user,  # type: ignore[arg-type]
                label=label,
                name=data["name"],
                status=data["status"],
                is_default=data["is_default"],
                position=data["position"],
                is_active=data["is_active"],
                translations=form.translations(),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The status %(name)s was saved.") % {"name": saved.name})
            return redirect("taxonomy:statuses")
    return render_settings(
        request, "tickets/settings/status_form.html", "statuses", {"form": form, "label": label}
    )


@admin_required
def status_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@admin_required
def status_edit(request: HttpRequest, label_id: int) -> HttpResponse:
    return _save(request, get_object_or_404(StatusLabel, pk=label_id))


@admin_required
def status_remove(request: HttpRequest, label_id: int) -> HttpResponse:
    label = get_object_or_404(StatusLabel, pk=label_id)

    def delete() -> str:
        status_label_delete(actor=request.user, label=label)  # type: ignore[arg-type]
        return _("The status %(name)s was deleted.") % {"name": label.name}

    return confirm_delete(
        request,
        page="statuses",
        back="taxonomy:statuses",
        title=_("Delete the status %(name)s?") % {"name": label.name},
        consequences=lambda: [_("A status that tickets use cannot be deleted; deactivate it instead.")],
        delete=delete,
    )
