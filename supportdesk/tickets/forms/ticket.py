"""Ticket forms: reply box, side panel, merge, sharing, and a new ticket on a customer's behalf."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.models import User
from supportdesk.core.forms import NormalizedChoices
from supportdesk.tickets.choices import STATUS_BY_SLUG, Channel, Status, TicketType
from supportdesk.tickets.forms.base import (
    AGENT_CHANNELS,
    LABEL_PREFIX,
    MAX_TAG_INPUT,
    NONE,
    CustomFieldsMixin,
    DeskChoices,
    DeskForm,
    MultipleFileField,
    category_choices,
    clean_tag_text,
    group_choices,
    people_choices,
    priority_choices,
)
from supportdesk.tickets.models import CustomField, Ticket
from supportdesk.tickets.transitions import next_statuses

# -- the ticket page --------------------------------------------------------------------------------
REPLY_PUBLIC, REPLY_NOTE = "public", "note"


class ReplyForm(DeskForm):
    """A public reply or an internal note, with files; collaborators may only write notes."""

    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(REPLY_PUBLIC, _("Public reply")), (REPLY_NOTE, _("Internal note"))],
        initial=REPLY_PUBLIC,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=100_000)
    attachments = MultipleFileField(label=_("Attach files"))
    # Set by the "Send and set status" buttons.
    then = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("pending", _("Pending")), ("solved", _("Solved"))],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, can_reply_publicly: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.can_reply_publicly = can_reply_publicly
        if not can_reply_publicly:
            # Collaborators write internal notes and change nothing else.
            self.set_choices(kind=[(REPLY_NOTE, gettext("Internal note"))])
            self.fields["kind"].initial = REPLY_NOTE
            self.fields["kind"].widget = forms.HiddenInput()
            del self.fields["then"]

    @property
    def is_public(self) -> bool:
        return self.cleaned_data.get("kind") == REPLY_PUBLIC

    @property
    def new_status(self) -> Status | None:
        """The status chosen with "Send and set status", if any."""
        then = self.cleaned_data.get("then") or ""
        return STATUS_BY_SLUG[then] if then else None


def status_choice_value(status: int, label_id: int | None = None) -> str:
    return f"{LABEL_PREFIX}{label_id}" if label_id else Status(status).name.lower()


class TicketFieldsBase(CustomFieldsMixin, DeskForm):
    """The fields a ticket carries, shared by the side panel and the new-ticket form."""

    priority = forms.TypedChoiceField(label=_("Priority"), coerce=int)
    ticket_type = forms.TypedChoiceField(label=_("Type"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    assignee = forms.TypedChoiceField(label=_("Assignee"), required=False, coerce=int, empty_value=None)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=MAX_TAG_INPUT,
        help_text=_("Separate tags with spaces or commas."),
    )

    def set_ticket_choices(
        self,
        choices: DeskChoices,
        *,
        extra_category: tuple[int, str] | None = None,
        extra_agent: tuple[int, str] | None = None,
    ) -> None:
        """The options of the ticket's selects; `extra_*` keeps a current value that is no
        longer offered (a deactivated category or agent) selectable, so saving changes nothing."""
        categories = choices.options("ticket.category", lambda c: [NONE, *category_choices(c.categories)])
        if extra_category and not categories.offers(extra_category[0]):
            categories = NormalizedChoices([NONE, extra_category, *categories.pairs[1:]])
        agents = choices.options(
            "ticket.assignee", lambda c: [("", gettext("Unassigned")), *people_choices(c.agents)]
        )
        if extra_agent and not agents.offers(extra_agent[0]):
            agents = NormalizedChoices([agents.pairs[0], extra_agent, *agents.pairs[1:]])
        self.set_choices(
            priority=choices.options("ticket.priority", lambda c: priority_choices(c.priorities)),
            ticket_type=choices.options("ticket.type", lambda _c: [NONE, *TicketType.choices]),
            category=categories,
            group=choices.options("ticket.group", lambda c: [NONE, *group_choices(c.groups)]),
            assignee=agents,
        )

    def clean_tags(self) -> list[str]:
        return clean_tag_text(self.cleaned_data.get("tags") or "")


def _status_options(current: int) -> Callable[[DeskChoices], list[tuple[str, str]]]:
    """The statuses a ticket in status `current` may move to, each followed by its labels."""

    def make(choices: DeskChoices) -> list[tuple[str, str]]:
        options: list[tuple[str, str]] = []
        for status in next_statuses(current):
            options.append((status_choice_value(status), str(status.label)))
            options.extend(
                (
                    status_choice_value(status, label.pk),
                    gettext("%(status)s: %(label)s")
                    % {"status": status.label, "label": label.localized_name()},
                )
                for label in choices.status_labels
                if label.status == status
            )
        return options

    return make


class TicketFieldsForm(TicketFieldsBase):
    """The side panel: every editable field of a ticket, prefilled with its current values.

    `changes()` gives only what differs from the ticket, so saving an untouched panel writes
    nothing and each real change gets exactly one timeline event."""

    status = forms.ChoiceField(label=_("Status"))
    field_order = ["status", "priority", "ticket_type", "category", "group", "assignee", "tags"]

    def __init__(
        self,
        data: Any = None,
        *,
        ticket: Ticket,
        choices: DeskChoices,
        custom_fields: Sequence[CustomField],
    ) -> None:
        self.ticket = ticket
        self.current_tags = [tag.name for tag in ticket.tags.all()]
        current_status = status_choice_value(ticket.status, ticket.status_label_id)
        initial = {
            "status": current_status,
            "priority": ticket.priority_id,
            "ticket_type": ticket.ticket_type,
            "category": ticket.category_id,
            "group": ticket.group_id,
            "assignee": ticket.assignee_id,
            "tags": " ".join(self.current_tags),
        }
        super().__init__(data, initial=initial)
        status_options = choices.options(f"ticket.status.{ticket.status}", _status_options(ticket.status))
        # The current label stays selectable even when it was deactivated since.
        if not status_options.offers(current_status):
            current = (current_status, ticket.status_display)
            status_options = NormalizedChoices([current, *status_options.pairs])
        self.set_choices(status=status_options)
        self.set_ticket_choices(
            choices,
            extra_category=(ticket.category_id, str(ticket.category)) if ticket.category_id else None,
            extra_agent=(ticket.assignee_id, str(ticket.assignee)) if ticket.assignee_id else None,
        )
        self.add_custom_fields(custom_fields, ticket.custom_fields, enforce_required=False)

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for ticket_update holding only the fields that changed."""
        data, ticket = self.cleaned_data, self.ticket
        changes: dict[str, Any] = {}
        choice = data["status"]
        if choice != status_choice_value(ticket.status, ticket.status_label_id):
            if choice.startswith(LABEL_PREFIX):
                changes["status_label_id"] = int(choice.removeprefix(LABEL_PREFIX))
            else:
                changes["status"] = int(STATUS_BY_SLUG[choice])
        simple = {
            "priority": ("priority", ticket.priority_id),
            "ticket_type": ("ticket_type", ticket.ticket_type),
            "category": ("category_id", ticket.category_id),
            "group": ("group_id", ticket.group_id),
            "assignee": ("assignee_id", ticket.assignee_id),
        }
        for name, (argument, current) in simple.items():
            if data.get(name) != current:
                changes[argument] = data.get(name)
        if sorted(data["tags"]) != sorted(self.current_tags):
            changes["tags"] = data["tags"]
        custom = self.changed_custom_values(ticket.custom_fields)
        if custom:
            changes["custom_fields"] = custom
        return changes


class MergeForm(DeskForm):
    target = forms.IntegerField(
        label=_("Merge this ticket into #"), min_value=1, max_value=2**62, widget=forms.NumberInput
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ShareForm(DeskForm):
    user = forms.TypedChoiceField(label=_("Share with"), coerce=int)

    def __init__(self, data: Any = None, *, people: Sequence[User], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.set_choices(user=[NONE, *people_choices(people)])


# -- a new ticket on a customer's behalf ----------------------------------------------------------
class NewTicketForm(TicketFieldsBase):
    """A ticket an agent opens for a customer (a call, a chat, a walk-in). The requester is an
    existing customer picked by number, or found/created from a name, email and phone."""

    requester_id = forms.IntegerField(
        label=_("Customer"), required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput
    )
    requester_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    requester_email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    requester_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in AGENT_CHANNELS], initial=Channel.PHONE
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=100_000,
        help_text=_("The customer's request, in their words."),
    )
    attachments = MultipleFileField(label=_("Attach files"))

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        choices: DeskChoices,
        custom_fields: Sequence[CustomField],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, files, initial=initial)
        self.set_ticket_choices(choices)
        default = next((p.rank for p in choices.priorities if p.is_default), None)
        if default is not None:
            self.fields["priority"].initial = default
        self.add_custom_fields(custom_fields, {}, enforce_required=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        named = any(cleaned.get(n) for n in ("requester_name", "requester_email", "requester_phone"))
        if not cleaned.get("requester_id") and not named and "requester_email" not in self.errors:
            raise forms.ValidationError(
                _("Choose a customer, or enter the name, email address or phone number of a new one."),
                code="no_requester",
            )
        return cleaned
