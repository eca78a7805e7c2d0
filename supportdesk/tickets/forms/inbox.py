"""Inbox forms: the filter bar and bulk actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.core.text import single_line
from supportdesk.tickets.choices import STATUS_BY_SLUG, UNSOLVED, Channel, Status
from supportdesk.tickets.forms.base import (
    MAX_TAG_INPUT,
    UNASSIGNED,
    DeskChoices,
    DeskForm,
    IdListField,
    category_choices,
    clean_tag_text,
    group_choices,
    people_choices,
    priority_choices,
    status_filter_choices,
)
from supportdesk.tickets.selectors import SORT_LABELS, TicketFilters
from supportdesk.tickets.tags import InvalidTag, clean_tag

# Filters shown folded, under "More filters".
MORE_FILTERS = ("category", "tag", "channel", "language", "requester", "organization")


# -- inbox ------------------------------------------------------------------------------------------
def _any() -> tuple[str, str]:
    return ("", gettext("Any"))


def _no_change() -> tuple[str, str]:
    return ("", gettext("No change"))


class InboxFilterForm(DeskForm):
    """The inbox filter bar. Every value lives in the URL, so a filtered list can be bookmarked."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.MultipleChoiceField(label=_("Status"), required=False, widget=forms.CheckboxSelectMultiple)
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int, empty_value=None)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    requester = forms.IntegerField(
        label=_("Requester"),
        required=False,
        min_value=1,
        max_value=2**62,
        widget=forms.NumberInput(attrs={"placeholder": _("Customer ID")}),
    )
    organization = forms.IntegerField(
        label=_("Organization"),
        required=False,
        min_value=1,
        max_value=2**62,
        widget=forms.NumberInput(attrs={"placeholder": _("Organization ID")}),
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, data: Any, *, choices: DeskChoices) -> None:
        super().__init__(data)
        self.set_choices(
            status=choices.options("filter.status", lambda _c: status_filter_choices()),
            priority=choices.options("filter.priority", lambda c: [_any(), *priority_choices(c.priorities)]),
            assignee=choices.options(
                "filter.assignee",
                lambda c: [
                    _any(),
                    (UNASSIGNED, gettext("Unassigned")),
                    *((str(pk), name) for pk, name in people_choices(c.agents)),
                ],
            ),
            group=choices.options("filter.group", lambda c: [_any(), *group_choices(c.groups)]),
            category=choices.options("filter.category", lambda c: [_any(), *category_choices(c.categories)]),
            channel=choices.options("filter.channel", lambda _c: [_any(), *Channel.choices]),
            language=choices.options("filter.language", lambda _c: [_any(), *settings.LANGUAGES]),
            sort=choices.options("filter.sort", lambda _c: list(SORT_LABELS.items())),
        )

    def clean_tag(self) -> str:
        raw = self.cleaned_data.get("tag") or ""
        if not raw.strip():
            return ""
        try:
            return clean_tag(raw)
        except InvalidTag:
            raise forms.ValidationError(_("Not a valid tag."), code="invalid_tag") from None

    def clean_q(self) -> str:
        return single_line(self.cleaned_data.get("q") or "")

    def value_of(self, name: str) -> Any:
        """A cleaned value, or empty when the field was invalid (invalid filters are ignored)."""
        return getattr(self, "cleaned_data", {}).get(name)

    def sort_key(self) -> str:
        return self.value_of("sort") or "updated"

    def ticket_number(self) -> int | None:
        """The ticket number typed as "#123", which opens that ticket."""
        text = self.value_of("q") or ""
        if text.startswith("#") and text[1:].isdigit() and len(text) < 19:
            return int(text[1:])
        return None

    def to_filters(self) -> TicketFilters:
        statuses: set[int] = set()
        for slug in self.value_of("status") or []:
            if slug == "unsolved":
                statuses.update(UNSOLVED)
            elif slug in STATUS_BY_SLUG:
                statuses.add(STATUS_BY_SLUG[slug])
        assignee = self.value_of("assignee") or ""
        priority, group, category = (self.value_of(n) for n in ("priority", "group", "category"))
        channel, language, tag = (self.value_of(n) for n in ("channel", "language", "tag"))
        return TicketFilters(
            statuses=tuple(sorted(statuses)),
            priorities=(priority,) if priority is not None else (),
            assignee_ids=(int(assignee),) if assignee.isdigit() else (),
            unassigned=assignee == UNASSIGNED,
            group_ids=(group,) if group is not None else (),
            category_ids=(category,) if category is not None else (),
            tags=(tag,) if tag else (),
            channels=(channel,) if channel else (),
            languages=(language,) if language else (),
            requester_id=self.value_of("requester"),
            organization_id=self.value_of("organization"),
            text=self.value_of("q") or "",
        )

    @property
    def is_filtered(self) -> bool:
        return any(self.value_of(name) for name in self.fields if name != "sort")

    @property
    def has_more_filters(self) -> bool:
        """Whether a filter folded under "More filters" is in use (so the fold starts open)."""
        return any(self.value_of(name) for name in MORE_FILTERS) or any(
            self.errors.get(name) for name in MORE_FILTERS
        )


class BulkActionForm(DeskForm):
    """One change applied to the selected tickets; empty fields mean "leave as is"."""

    ids = IdListField(required=True, error_messages={"required": _("Select at least one ticket.")})
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    status = forms.ChoiceField(label=_("Set status"), required=False)
    priority = forms.TypedChoiceField(label=_("Set priority"), required=False, coerce=int, empty_value=None)
    add_tags = forms.CharField(label=_("Add tags"), required=False, max_length=MAX_TAG_INPUT)
    remove_tags = forms.CharField(label=_("Remove tags"), required=False, max_length=MAX_TAG_INPUT)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, choices: DeskChoices, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.set_choices(
            assignee=choices.options(
                "bulk.assignee",
                lambda c: [
                    _no_change(),
                    (UNASSIGNED, gettext("Nobody (unassign)")),
                    *((str(pk), name) for pk, name in people_choices(c.agents)),
                ],
            ),
            status=choices.options(
                "bulk.status",
                lambda _c: [
                    _no_change(),
                    *((s.name.lower(), str(s.label)) for s in Status if s != Status.NEW),
                ],
            ),
            priority=choices.options(
                "bulk.priority", lambda c: [_no_change(), *priority_choices(c.priorities)]
            ),
        )

    def clean_add_tags(self) -> list[str]:
        return clean_tag_text(self.cleaned_data.get("add_tags") or "")

    def clean_remove_tags(self) -> list[str]:
        return clean_tag_text(self.cleaned_data.get("remove_tags") or "")

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for tickets_bulk_update."""
        data = self.cleaned_data
        changes: dict[str, Any] = {}
        if data.get("assignee") == UNASSIGNED:
            changes["assignee_id"] = None
        elif data.get("assignee"):
            changes["assignee_id"] = int(data["assignee"])
        if data.get("status"):
            changes["status"] = int(STATUS_BY_SLUG[data["status"]])
        if data.get("priority") is not None:
            changes["priority"] = data["priority"]
        if data.get("add_tags"):
            changes["add_tags"] = data["add_tags"]
        if data.get("remove_tags"):
            changes["remove_tags"] = data["remove_tags"]
        return changes

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.changes():
            raise forms.ValidationError(_("Choose a change to apply."), code="no_change")
        return cleaned
