"""Forms of the agent-side account pages: settings (agents, groups, audit log filters) and the
staff profile (preferences, API tokens).

Forms check the shape of the input (required, lengths, choices); the services decide the rules
(unique emails, the last administrator, password strength) and their errors are shown through
`apply_domain_error`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.choices import STAFF_ROLES
from supportdesk.accounts.models import Group, User
from supportdesk.core.forms import QuickSelect
from supportdesk.core.preferences import time_zone_choices

STAFF_ROLE_CHOICES = [(role.value, role.label) for role in STAFF_ROLES]


def _groups_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Groups"),
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


# -- agents -------------------------------------------------------------------------------------


class AgentFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Any role")), *STAFF_ROLE_CHOICES], required=False
    )
    active = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))],
        required=False,
    )


class AgentCreateForm(forms.Form):
    INVITE = "invite"
    PASSWORD = "password"  # noqa: S105 - a choice value, not a secret

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES, initial="agent")
    groups = _groups_field()
    setup = forms.ChoiceField(
        label=_("How will they sign in?"),
        choices=[
            (INVITE, _("Email them a link to choose a password")),
            (PASSWORD, _("Set an initial password now")),
        ],
        initial=INVITE,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Only when setting a password now. Tell it to them in person."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("setup") == self.PASSWORD and not data.get("password"):
            self.add_error("password", _("Type an initial password, or choose to email a link."))
        if data.get("setup") == self.INVITE:
            # A typed password is ignored when a link is sent; never keep it around.
            data["password"] = ""
        return data


class AgentEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)
    groups = _groups_field()
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Inactive people cannot sign in or use API tokens.")
    )


class InvitationForm(PasswordResetForm):
    """Django's password-reset mail, sent to one account chosen by the administrator.

    The stock form skips accounts without a usable password, which is exactly what a new,
    invited account is, so the recipient is given instead of looked up."""

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__({"email": user.email}, *args, **kwargs)
        self.invited = user

    def get_users(self, email: str) -> list[User]:
        return [self.invited] if self.invited.is_active else []


# -- groups -------------------------------------------------------------------------------------


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_default = forms.BooleanField(
        label=_("Default group"), required=False, help_text=_("New tickets without a group go here.")
    )


# -- audit log ----------------------------------------------------------------------------------

AUDIT_AREAS = [
    ("auth.", _("Sign-ins")),
    ("user.", _("Agents")),
    ("group.", _("Groups")),
    ("api_token.", _("API tokens")),
    ("category.", _("Categories")),
    ("status_label.", _("Statuses")),
    ("priority.", _("Priorities")),
    ("tag.", _("Tags")),
    ("custom_field.", _("Custom fields")),
    ("mailbox.", _("Mailboxes")),
    ("notification_settings.", _("Notification emails")),
    ("inbound_email.", _("Quarantined email")),
]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Area"), choices=[("", _("Everything")), *AUDIT_AREAS], required=False)
    actor = forms.EmailField(label=_("By (email address)"), required=False, max_length=254)

    def clean_actor(self) -> str:
        return str(self.cleaned_data.get("actor") or "").strip().lower()


# -- profile ------------------------------------------------------------------------------------


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, widget=QuickSelect)
    signature = forms.CharField(
        label=_("Signature"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Added below your replies to customers."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("The site's default")),
            *settings.LANGUAGES,
        ]
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = time_zone_choices(
            _("The site's default (%(zone)s)") % {"zone": settings.TIME_ZONE},
            self.initial.get("time_zone", ""),
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. the script that uses it.")
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional. The token works until the end of this day, in your time zone."),
    )

    def expires_at(self) -> datetime | None:
        """The end of the chosen day in the viewer's time zone (the active one)."""
        day: date | None = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
