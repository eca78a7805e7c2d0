"""Forms for the customer and organization pages of the agent interface.

The forms only parse what people type (lists one per line, choices, lengths). Whether an address,
a phone number or a domain is valid, and whether it already belongs to someone else, is decided
by the services, so the web form, the API and the importers give the same answers.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from supportdesk.core.forms import QuickSelect, split_lines
from supportdesk.core.preferences import time_zone_choices
from supportdesk.customers import selectors
from supportdesk.customers.models import Customer, Organization

NOTES_MAX_LENGTH = 10_000
SEARCH_MAX_LENGTH = 200
# Organization pickers are plain selects; past this many organizations only the first ones (by
# name) are offered, plus the one already chosen, so a page never renders an unbounded list.
MAX_ORGANIZATION_CHOICES = 500

LANGUAGE_CHOICES = [("", _("Not set")), *settings.LANGUAGES]


def organization_choices(selected_id: int | None, empty_label: str) -> list[tuple[Any, str]]:
    """Choices for an organization select: the first organizations by name and the selected one."""
    rows = list(
        selectors.organization_list()
        .order_by("name", "id")
        .values_list("pk", "name")[:MAX_ORGANIZATION_CHOICES]
    )
    if selected_id is not None and all(pk != selected_id for pk, _name in rows):
        rows += list(selectors.organization_list().filter(pk=selected_id).values_list("pk", "name"))
    return [("", empty_label), *rows]


def _as_id(value: Any) -> int | None:
    if isinstance(value, Organization):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class OrganizationChoiceField(forms.ModelChoiceField):
    """Any existing organization is accepted; only a bounded set is listed (see organization_choices)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Organization.objects.none(), required=False, **kwargs)

    def offer(self, selected: Any, empty_label: str) -> None:
        self.queryset = selectors.organization_list()
        selected_id = _as_id(selected)
        # Listed only when rendered: a results-only (HTMX) response never reads them.
        self.choices = lambda: organization_choices(selected_id, empty_label)


def _selected(form: forms.Form, name: str) -> Any:
    return form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)


# -- customers -----------------------------------------------------------------------------------


class CustomerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, email or phone"), "autocomplete": "off"}
        ),
    )
    organization = OrganizationChoiceField(label=_("Organization"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, OrganizationChoiceField)
        organization.offer(_selected(self, "organization"), str(_("All organizations")))


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    emails = forms.CharField(
        label=_("Email addresses"),
        required=False,
        max_length=6_000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_("One per line. The first one is the primary address."),
    )
    phones = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_("One per line. Use the international form (+48 22 123 45 67) for numbers abroad."),
    )
    organization = OrganizationChoiceField(
        label=_("Organization"),
        help_text=_("Left empty, a new customer joins the organization that claims their email domain."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, widget=QuickSelect)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only agents see these notes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, OrganizationChoiceField)
        organization.offer(_selected(self, "organization"), str(_("No organization")))
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = time_zone_choices(
            str(_("Not set")), self.initial.get("time_zone", "")
        )

    @staticmethod
    def initial_for(customer: Customer) -> dict[str, Any]:
        """Initial values for editing `customer` (fetched with its emails and phones)."""
        return {
            "name": customer.name,
            # The prefetch follows CustomerEmail's ordering: primary first.
            "emails": "\n".join(row.email for row in customer.emails.all()),
            "phones": "\n".join(row.number for row in customer.phones.all()),
            "organization": customer.organization_id,
            "language": customer.language,
            "time_zone": customer.time_zone,
            "notes": customer.notes,
        }

    def clean_emails(self) -> list[str]:
        return split_lines(self.cleaned_data["emails"])

    def clean_phones(self) -> list[str]:
        return split_lines(self.cleaned_data["phones"])

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for customer_create / customer_update."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "emails": data["emails"],
            "phones": data["phones"],
            "organization": data["organization"],
            "language": data["language"],
            "time_zone": data["time_zone"],
            "notes": data["notes"],
        }


# -- organizations -------------------------------------------------------------------------------


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name"), "autocomplete": "off"}),
    )


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    domains = forms.CharField(
        label=_("Email domains"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_(
            "One per line, e.g. example.com. New customers with an address at these domains join "
            "this organization."
        ),
    )
    shares_tickets = forms.BooleanField(
        label=_("Members see each other's tickets"),
        required=False,
        help_text=_("Customers of this organization see all of its tickets in the portal."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    @staticmethod
    def initial_for(organization: Organization) -> dict[str, Any]:
        """Initial values for editing `organization` (fetched with its domains)."""
        return {
            "name": organization.name,
            "domains": "\n".join(row.domain for row in organization.domains.all()),
            "shares_tickets": organization.shares_tickets,
            "notes": organization.notes,
        }

    def clean_domains(self) -> list[str]:
        return split_lines(self.cleaned_data["domains"])

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for organization_save."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "domains": data["domains"],
            "shares_tickets": data["shares_tickets"],
            "notes": data["notes"],
        }
