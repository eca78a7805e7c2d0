"""Building blocks of the desk's forms: shared choices, upload and id-list fields, tag input,
and typed inputs for custom fields (named cf_<key>, as core.forms.apply_domain_error expects)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.models import Group, User
from supportdesk.core.forms import (
    NormalizedChoices,
    QuickFormMetaclass,
    copy_field,
    use_quick_select,
    use_quick_selects,
)
from supportdesk.tickets.choices import Channel, FieldType, Status
from supportdesk.tickets.fields import FieldSpec, clean_value
from supportdesk.tickets.models import Category, CustomField, Priority, StatusLabel
from supportdesk.tickets.services.tickets import BULK_LIMIT
from supportdesk.tickets.tags import InvalidTag, clean_tag, split_tag_input

UNASSIGNED = "none"
LABEL_PREFIX = "label:"
# Channels an agent logs a contact from; "api" and "agent" are set by programs.
AGENT_CHANNELS = [Channel.PHONE, Channel.EMAIL, Channel.WEB, Channel.CHAT, Channel.SOCIAL]
MAX_TAG_INPUT = 1600
NONE = ("", "—")


@dataclass
class DeskChoices:
    """The lists behind the desk's select boxes, and the options made of them.

    The desk keeps one per language for as long as it keeps the lists (views.common.load_choices,
    the reference cache), so a select's options are made and escaped once, not on every page:
    with a few hundred agents that was most of a ticket page's side panel."""

    agents: Sequence[User]
    groups: Sequence[Group]
    categories: Sequence[Category]
    priorities: Sequence[Priority]
    status_labels: Sequence[StatusLabel]
    _options: dict[str, NormalizedChoices] = field(default_factory=dict, repr=False, compare=False)

    def options(self, name: str, make: Callable[[DeskChoices], list[tuple[Any, Any]]]) -> NormalizedChoices:
        """`make(self)` as a select's options, made the first time `name` is asked for (so `make`
        must depend on these lists and the language only). Never change what it returns."""
        made = self._options.get(name)
        if made is None:
            made = self._options.setdefault(name, NormalizedChoices(make(self)))
        return made


class DeskForm(forms.Form, metaclass=QuickFormMetaclass):
    """The desk's pages carry many forms with many select boxes: their fields are prepared once
    per class and copied quickly for each form (QuickFormMetaclass), and their selects write
    their options in Python (Django's per-option templates cost more than the database work
    behind a whole page)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_quick_selects(self)  # for select boxes a subclass put in place of its class's

    def set_choices(self, **options: Iterable[tuple[Any, Any]]) -> None:
        """Fill select boxes whose options come from the database (NormalizedChoices as they are:
        shared ones are never changed)."""
        for name, choices in options.items():
            normalized = (
                choices if isinstance(choices, NormalizedChoices) else NormalizedChoices(list(choices))
            )
            cast(forms.ChoiceField, self.fields[name]).choices = normalized


# -- choice builders ------------------------------------------------------------------------------
def category_choices(categories: Iterable[Category]) -> list[tuple[int, str]]:
    """Categories in tree order, each name indented by its depth (the select shows the tree)."""
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    choices: list[tuple[int, str]] = []
    known = {c.pk for group in children.values() for c in group}

    def walk(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            # Non-breaking spaces survive in <option> text where ordinary ones collapse.
            choices.append((category.pk, "\u00a0\u00a0" * depth + category.localized_name()))
            walk(category.pk, depth + 1)

    walk(None, 0)
    # A child whose parent is inactive (so not in the list) is still offered, at the top level.
    for parent_id, orphans in children.items():
        if parent_id is not None and parent_id not in known:
            for category in orphans:
                choices.append((category.pk, category.localized_name()))
                walk(category.pk, 1)
    return choices


def priority_choices(priorities: Iterable[Priority]) -> list[tuple[int, str]]:
    return [(p.rank, p.localized_name()) for p in priorities]


def people_choices(people: Iterable[User]) -> list[tuple[int, str]]:
    return [(p.pk, str(p)) for p in people]


def group_choices(groups: Iterable[Group]) -> list[tuple[int, str]]:
    return [(g.pk, g.name) for g in groups]


def status_filter_choices() -> list[tuple[str, str]]:
    return [("unsolved", gettext("Unsolved")), *((s.name.lower(), str(s.label)) for s in Status)]


# -- uploads ----------------------------------------------------------------------------------------
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the services check their size and number."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class IdListField(forms.Field):
    """Ticket ids sent as repeated form values (checkboxes), at most BULK_LIMIT of them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        ids: list[int] = []
        for item in value:
            text = str(item).strip()
            if not text.isdigit() or len(text) > 18:
                raise forms.ValidationError(_("Invalid ticket selection."), code="invalid")
            if int(text) not in ids:
                ids.append(int(text))
        return ids

    def validate(self, value: list[int]) -> None:
        super().validate(value)
        if len(value) > BULK_LIMIT:
            raise forms.ValidationError(
                ngettext(
                    "At most %(n)d ticket can be changed at once.",
                    "At most %(n)d tickets can be changed at once.",
                    BULK_LIMIT,
                )
                % {"n": BULK_LIMIT},
                code="too_many",
            )


def clean_tag_text(text: str) -> list[str]:
    """Tags typed into one box; a bad one is a form error naming it."""
    if len(text) > MAX_TAG_INPUT:
        raise forms.ValidationError(_("Too many tags."), code="too_long")
    tags: list[str] = []
    for raw in split_tag_input(text):
        try:
            tag = clean_tag(raw)
        except InvalidTag:
            raise forms.ValidationError(
                _("“%(tag)s” is not a valid tag: use letters, digits and - _ . : / only."),
                params={"tag": raw[:60]},
                code="invalid_tag",
            ) from None
        if tag not in tags:
            tags.append(tag)
    return tags


# -- custom fields ----------------------------------------------------------------------------------
def spec_of(definition: CustomField) -> FieldSpec:
    return FieldSpec(
        key=definition.key,
        field_type=definition.field_type,
        label=definition.name,
        required=definition.required,
        options=tuple(definition.options),
    )


def custom_form_field(definition: CustomField, *, current: Any, required: bool) -> forms.Field:
    """A typed input for one custom field definition (named cf_<key> by the caller), showing
    `current`. Made once per definition, language and requirement, on the definition itself, and
    copied for each form: the side panel shows every custom field on every ticket page, and the
    desk's definitions are read anew when they change (views.common.active_custom_fields)."""
    kind = definition.field_type
    if kind == FieldType.DROPDOWN and current not in (None, "") and str(current) not in definition.options:
        return _new_custom_field(definition, current=current, required=required)  # a retired option
    made: dict[tuple[str, bool], forms.Field] = vars(definition).setdefault("_form_fields", {})
    key = (get_language(), required)
    prototype = made.get(key)
    if prototype is None:
        prototype = _new_custom_field(definition, current=None, required=required)
        if isinstance(prototype, forms.ChoiceField):
            prototype.choices = NormalizedChoices(list(prototype.choices))  # shared by the copies
        use_quick_select(prototype)
        made[key] = prototype
    field = copy_field(prototype, {})
    if kind == FieldType.CHECKBOX:
        field.initial = bool(current)
    elif kind == FieldType.DROPDOWN:
        field.initial = current or ""
    else:
        field.initial = "" if current is None else str(current)
    return field


def _new_custom_field(definition: CustomField, *, current: Any, required: bool) -> forms.Field:
    label = definition.localized_name()
    kind = definition.field_type
    if kind == FieldType.CHECKBOX:
        return forms.BooleanField(label=label, required=False, initial=bool(current))
    if kind == FieldType.DROPDOWN:
        options = list(definition.options)
        # A value set before its option was removed stays selectable, so saving changes nothing.
        if current not in (None, "") and str(current) not in options:
            options.append(str(current))
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[("", "—"), *((o, o) for o in options)],
            initial=current or "",
        )
    if kind == FieldType.NUMBER:
        widget: forms.Widget = forms.NumberInput(attrs={"step": "any"})
    elif kind == FieldType.DATE:
        widget = forms.DateInput(attrs={"type": "date"})
    else:
        widget = forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        widget=widget,
        initial="" if current is None else str(current),
        strip=True,
        max_length=1000,
    )


class CustomFieldsMixin:
    """Adds one cf_<key> input per active custom field definition."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_custom_fields(
        self, definitions: Sequence[CustomField], values: dict[str, Any], *, enforce_required: bool
    ) -> None:
        self.custom_definitions = list(definitions)
        for definition in self.custom_definitions:
            self.fields[f"cf_{definition.key}"] = custom_form_field(
                definition,
                current=values.get(definition.key),
                required=enforce_required and definition.required,
            )

    @property
    def custom_field_names(self) -> list[str]:
        return [f"cf_{d.key}" for d in self.custom_definitions]

    @property
    def custom_bound_fields(self) -> list[forms.BoundField]:
        """The custom field inputs, for templates (which cannot index a form by a variable)."""
        return [self[name] for name in self.custom_field_names]  # type: ignore[index]

    def custom_values(self) -> dict[str, Any]:
        """Every custom field as submitted (for a new ticket)."""
        return {d.key: self.cleaned_data.get(f"cf_{d.key}") for d in self.custom_definitions}

    def changed_custom_values(self, current: dict[str, Any]) -> dict[str, Any]:
        """Only the custom fields whose value differs from `current` (for an update)."""
        changed: dict[str, Any] = {}
        for definition in self.custom_definitions:
            submitted = self.cleaned_data.get(f"cf_{definition.key}")
            old = current.get(definition.key)
            if definition.field_type == FieldType.CHECKBOX:
                if bool(submitted) != bool(old):
                    changed[definition.key] = bool(submitted)
                continue
            if submitted in (None, ""):
                if old not in (None, ""):
                    changed[definition.key] = ""
                continue
            try:
                if clean_value(spec_of(definition), submitted) == old:
                    continue
            except ValueError:
                pass  # the service reports the error on the field
            changed[definition.key] = submitted
        return changed
