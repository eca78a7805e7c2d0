"""Custom fields: list, create (key and type chosen once), edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from supportdesk.accounts.views.common import confirm_delete, render_settings
from supportdesk.core.decorators import admin_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error
from supportdesk.tickets.forms_settings import CustomFieldForm
from supportdesk.tickets.models import CustomField
from supportdesk.tickets.services.taxonomy import custom_field_delete, custom_field_save

MAX_FIELDS = 500


@admin_required
def field_list(request: HttpRequest) -> HttpResponse:
    fields = list(CustomField.objects.order_by("position", "id")[: MAX_FIELDS + 1])
    return render_settings(
        request,
        "tickets/settings/fields.html",
        "fields",
        {"fields": fields[:MAX_FIELDS], "truncated": len(fields) > MAX_FIELDS},
    )


def _save(request: HttpRequest, field: CustomField | None) -> HttpResponse:
    initial = {}
    if field is not None:
        initial = {
            "name": field.name,
            "key": field.key,
            "field_type": field.field_type,
            "options": "\n".join(field.options or []),
            "required": field.required,
            "visible_to_customers": field.visible_to_customers,
            "editable_by_customers": field.editable_by_customers,
            "position": field.position,
            "is_active": field.is_active,
            **CustomFieldForm.initial_translations(field),
        }
    form = CustomFieldForm(request.POST or None, initial=initial, editing=field is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = custom_field_save(
                actor=request.user,  # type: ignore[arg-type]
                field=field,
                name=data["name"],
                key=data["key"],
                field_type=data["field_type"],
                options=form.option_lines(),
                required=data["required"],
                visible_to_customers=data["visible_to_customers"],
                editable_by_customers=data["editable_by_customers"],
                position=data["position"],
                is_active=data["is_active"],
                translations=form.translations(),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The field %(name)s was saved.") % {"name": saved.name})
            return redirect("taxonomy:fields")
    return render_settings(
        request, "tickets/settings/field_form.html", "fields", {"form": form, "field": field}
    )


@admin_required
def field_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@admin_required
def field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    return _save(request, get_object_or_404(CustomField, pk=field_id))


@admin_required
def field_remove(request: HttpRequest, field_id: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=field_id)

    def delete() -> str:
        custom_field_delete(actor=request.user, field=field)  # type: ignore[arg-type]
        return _("The field %(name)s was deleted.") % {"name": field.name}

    return confirm_delete(
        request,
        page="fields",
        back="taxonomy:fields",
        title=_("Delete the field %(name)s?") % {"name": field.name},
        consequences=lambda: [
            _(
                "Tickets stop showing it. Their values are kept, hidden, and come back "
                "if a field with the key %(key)s is created again."
            )
            % {"key": field.key},
            _("To hide it for a while, deactivate it instead."),
        ],
        delete=delete,
    )
