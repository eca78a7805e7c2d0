"""Forms of the customer portal. They check shape and types; the services check the rules
(password strength, subject without markup, required custom fields, attachment limits), and
their errors are put back on these forms with core.forms.apply_domain_error."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from supportdesk.core.forms import QuickSelect
from supportdesk.core.preferences import time_zone_choices
from supportdesk.tickets.choices import FieldType
from supportdesk.tickets.fields import MAX_NUMBER, MAX_TEXT_LENGTH
from supportdesk.tickets.models import CustomField
from supportdesk.tickets.services.common import MAX_BODY, MAX_SUBJECT

CUSTOM_FIELD_PREFIX = "cf_"


def _language_choices() -> list[tuple[str, str]]:
    # Each language named in itself, so somebody who picked the wrong one can find theirs again.
    choices = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            choices.append((code, str(name)))
    return choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one input name. Limits (size, count) are the services' to check, so
    the portal, the API and email intake refuse the same things with the same words."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


# -- sign-up ------------------------------------------------------------------------------------


class SignupForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=_language_choices)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        current = (get_language() or settings.LANGUAGE_CODE).lower()
        codes = {code for code, _name in settings.LANGUAGES}
        self.fields["language"].initial = current if current in codes else settings.LANGUAGE_CODE

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password"), data.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", _("The two passwords are not the same."))
        return data


class ResendForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)


# -- requests -----------------------------------------------------------------------------------


def custom_field_input(field: CustomField) -> forms.Field:
    """A typed form field for a custom field a customer fills in."""
    label = field.localized_name()
    kind = field.field_type
    if kind == FieldType.NUMBER:
        return forms.DecimalField(
            label=label,
            required=field.required,
            max_value=MAX_NUMBER,
            min_value=-MAX_NUMBER,
            widget=forms.NumberInput(attrs={"step": "any"}),
        )
    if kind == FieldType.DATE:
        return forms.DateField(
            label=label,
            required=field.required,
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
    if kind == FieldType.DROPDOWN:
        options = [(str(option), str(option)) for option in field.options or []]
        return forms.ChoiceField(label=label, required=field.required, choices=[("", "—"), *options])
    if kind == FieldType.CHECKBOX:
        # A required checkbox must be ticked (an agreement); otherwise unticked means "no".
        return forms.BooleanField(label=label, required=field.required)
    return forms.CharField(label=label, required=field.required, max_length=MAX_TEXT_LENGTH)


def stored_value(value: Any) -> Any:
    """A cleaned form value in the shape the ticket services take (None: not given)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class RequestForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)
    body = forms.CharField(
        label=_("Description"),
        max_length=MAX_BODY,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Tell us what happened and what you expected. Do not send passwords."),
    )
    category = forms.TypedChoiceField(
        label=_("Category"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Leave empty if you are not sure."),
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(
        self,
        *args: Any,
        categories: Sequence[tuple[int, str]] = (),
        custom_fields: Sequence[CustomField] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("— Choose a category —")),
            *categories,
        ]
        self.custom_field_keys: list[str] = []
        for field in custom_fields:
            name = CUSTOM_FIELD_PREFIX + field.key
            self.fields[name] = custom_field_input(field)
            self.custom_field_keys.append(field.key)

    def custom_field_inputs(self) -> list[forms.BoundField]:
        return [self[CUSTOM_FIELD_PREFIX + key] for key in self.custom_field_keys]

    def custom_field_values(self) -> dict[str, Any]:
        values = {}
        for key in self.custom_field_keys:
            value = stored_value(self.cleaned_data.get(CUSTOM_FIELD_PREFIX + key))
            if value is not None:
                values[key] = value
        return values


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=MAX_BODY, strip=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = MultipleFileField(label=_("Attachments"))


# -- profile ------------------------------------------------------------------------------------


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, widget=QuickSelect)

    def __init__(self, *args: Any, current_time_zone: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("Automatic (from your browser)")),
            *_language_choices(),
        ]
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = time_zone_choices(
            _("The site's time zone"), current_time_zone
        )
