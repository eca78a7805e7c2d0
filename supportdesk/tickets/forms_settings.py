"""Forms of the ticket taxonomy settings: categories, status labels, priorities, tags and custom
fields. They check the shape of the input; the taxonomy services decide the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.models import Group
from supportdesk.tickets.choices import FieldType, Status
from supportdesk.tickets.models import Translatable
from supportdesk.tickets.services.taxonomy import TRANSLATABLE_LANGUAGES

LANGUAGE_NAMES = dict(settings.LANGUAGES)
# PositiveIntegerField holds more, but positions are small numbers people type.
MAX_POSITION = 100_000


def translation_field(language: str) -> str:
    """The form field holding the name in `language` ("zh-hant" → "name_zh_hant")."""
    return "name_" + language.replace("-", "_")


class TranslatedForm(forms.Form):
    """A form with one optional "name in <language>" field per UI language besides English."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for language in TRANSLATABLE_LANGUAGES:
            self.fields[translation_field(language)] = forms.CharField(
                # Built per request, so the label is in the viewer's language.
                label=gettext("Name in %(language)s") % {"language": str(LANGUAGE_NAMES[language])},
                required=False,
                max_length=100,
            )

    @property
    def translation_fields(self) -> list[forms.BoundField]:
        return [self[translation_field(language)] for language in TRANSLATABLE_LANGUAGES]

    def translations(self) -> dict[str, str]:
        return {
            language: self.cleaned_data.get(translation_field(language), "")
            for language in TRANSLATABLE_LANGUAGES
        }

    @staticmethod
    def initial_translations(obj: Translatable) -> dict[str, str]:
        return {
            translation_field(language): obj.translations.get(language, "")
            for language in TRANSLATABLE_LANGUAGES
        }


def _position_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=MAX_POSITION,
        initial=0,
        help_text=_("Lower numbers come first."),
    )


class CategoryForm(TranslatedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.TypedChoiceField(
        label=_("Parent category"),
        coerce=int,
        empty_value=None,
        required=False,
        # Only the category itself and its descendants are left out of the choices.
        error_messages={
            "invalid_choice": _(
                "Choose a parent from the list: a category cannot go under itself or its sub-categories."
            )
        },
    )
    default_group = forms.ModelChoiceField(
        label=_("Default group"),
        queryset=Group.objects.order_by("name"),
        required=False,
        empty_label=_("No default group"),
        help_text=_("New tickets in this category go to this group."),
    )
    position = _position_field()
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, parent_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["parent"]).choices = [
            ("", gettext("None (top level)")),
            *parent_choices,
        ]


class StatusLabelForm(TranslatedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    status = forms.TypedChoiceField(label=_("Status category"), choices=Status.choices, coerce=int)
    is_default = forms.BooleanField(
        label=_("Default for its category"),
        required=False,
        help_text=_("Used when a ticket enters the category without a label being chosen."),
    )
    position = _position_field()
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PriorityForm(TranslatedForm):
    rank = forms.IntegerField(
        label=_("Rank"),
        min_value=1,
        max_value=999,
        help_text=_("Higher is more urgent. It cannot change later, because tickets refer to it."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    color = forms.RegexField(
        label=_("Colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        initial="#6b7280",
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": _("Give a colour as #RRGGBB.")},
    )
    is_default = forms.BooleanField(label=_("Default"), required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["rank"]


class TagForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_(
            "Letters, digits and - _ . : / only; spaces become dashes and capitals become lowercase."
        ),
    )


class TagSearchForm(forms.Form):
    q = forms.CharField(label=_("Tags starting with"), required=False, max_length=50)


class CustomFieldForm(TranslatedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    key = forms.RegexField(
        label=_("Key"),
        max_length=50,
        regex=r"^[a-z][a-z0-9_]*$",
        help_text=_("The field's name in the API and in exports: a-z, 0-9 and _, starting with a letter."),
        error_messages={"invalid": _("The key must start with a letter and use only a-z, 0-9 and _.")},
    )
    field_type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For a dropdown: one option per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    visible_to_customers = forms.BooleanField(label=_("Visible to customers"), required=False)
    editable_by_customers = forms.BooleanField(
        label=_("Customers fill it in"),
        required=False,
        help_text=_("Shown on the request form of the portal."),
    )
    position = _position_field()
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # Tickets store values under the key, in the type's form: both are fixed. Disabled
            # fields ignore whatever a tampered form posts and keep the initial values.
            for name in ("key", "field_type"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once the field exists.")

    def option_lines(self) -> list[str]:
        """Options as typed, one per line (commas are allowed inside an option)."""
        return [line.strip() for line in self.cleaned_data.get("options", "").splitlines() if line.strip()]
