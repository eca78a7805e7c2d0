"""Forms of the email channel's settings pages. They check the shape of the input; the services
in services/mailboxes.py decide the rules (unique addresses, one default, complete sign-in)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.models import Group
from supportdesk.channels.email.choices import AfterFetch, ImapAuth, Security
from supportdesk.channels.email.models import Mailbox, NotificationSettings
from supportdesk.channels.email.services.mailboxes import POLL_INTERVAL_RANGE, PORT_RANGE, MailboxValues

SECRETS = {
    "imap_password": _("IMAP password"),
    "oauth_client_secret": _("OAuth client secret"),
    "oauth_refresh_token": _("OAuth refresh token"),
    "smtp_password": _("SMTP password"),
}
# The page shows the fields in these groups, in this order.
IDENTITY = ["name", "email_address", "aliases", "display_name", "group", "is_active", "is_default"]
IMAP = [
    "imap_enabled",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_password",
    "clear_imap_password",
    "imap_auth",
    "imap_folder",
    "after_fetch",
    "move_to_folder",
    "poll_interval",
]
OAUTH = [
    "oauth_token_url",
    "oauth_client_id",
    "oauth_client_secret",
    "clear_oauth_client_secret",
    "oauth_refresh_token",
    "clear_oauth_refresh_token",
    "oauth_scope",
]
SMTP = ["smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_password", "clear_smtp_password"]


def _port_field(label: Any, initial: int) -> forms.IntegerField:
    low, high = PORT_RANGE
    return forms.IntegerField(label=label, min_value=low, max_value=high, initial=initial)


class SecretInput(forms.PasswordInput):
    """A password box that never shows the stored secret. After a test or a refused save it
    shows again what the administrator typed in this very request, so they need not retype it."""

    def __init__(self) -> None:
        super().__init__(attrs={"autocomplete": "new-password"}, render_value=True)


class MailboxForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    email_address = forms.EmailField(label=_("Email address"), max_length=254)
    aliases = forms.CharField(
        label=_("Other addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mail to these addresses also lands in this mailbox. One per line."),
    )
    display_name = forms.CharField(
        label=_("Sender name"),
        max_length=100,
        required=False,
        help_text=_("Shown to customers as the sender of replies, e.g. “Acme Support”."),
    )
    group = forms.ModelChoiceField(
        label=_("Group for new tickets"),
        queryset=Group.objects.order_by("name"),
        required=False,
        empty_label=_("The default group"),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    is_default = forms.BooleanField(
        label=_("Default mailbox"),
        required=False,
        help_text=_("Replies to tickets that did not come by email leave from the default mailbox."),
    )

    imap_enabled = forms.BooleanField(label=_("Fetch mail by IMAP"), required=False)
    imap_host = forms.CharField(label=_("IMAP server"), max_length=253, required=False)
    imap_port = _port_field(_("IMAP port"), 993)
    imap_security = forms.ChoiceField(
        label=_("IMAP security"), choices=Security.choices, initial=Security.SSL
    )
    imap_username = forms.CharField(label=_("IMAP user name"), max_length=254, required=False)
    imap_password = forms.CharField(
        label=_("IMAP password"), required=False, strip=False, max_length=4000, widget=SecretInput()
    )
    clear_imap_password = forms.BooleanField(label=_("Remove the saved IMAP password"), required=False)
    imap_auth = forms.ChoiceField(
        label=_("Sign-in method"), choices=ImapAuth.choices, initial=ImapAuth.PASSWORD
    )
    imap_folder = forms.CharField(label=_("Folder"), max_length=200, initial="INBOX")
    after_fetch = forms.ChoiceField(
        label=_("After fetching"), choices=AfterFetch.choices, initial=AfterFetch.SEEN
    )
    move_to_folder = forms.CharField(
        label=_("Move to folder"),
        max_length=200,
        required=False,
        help_text=_("Only when fetched mail is moved to a folder."),
    )
    poll_interval = forms.IntegerField(
        label=_("Fetch every (seconds)"),
        min_value=POLL_INTERVAL_RANGE[0],
        max_value=POLL_INTERVAL_RANGE[1],
        initial=60,
    )
    oauth_token_url = forms.URLField(
        label=_("OAuth token URL"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("For Microsoft 365: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token"),
    )
    oauth_client_id = forms.CharField(label=_("OAuth client ID"), max_length=200, required=False)
    oauth_client_secret = forms.CharField(
        label=_("OAuth client secret"), required=False, strip=False, max_length=4000, widget=SecretInput()
    )
    clear_oauth_client_secret = forms.BooleanField(label=_("Remove the saved client secret"), required=False)
    oauth_refresh_token = forms.CharField(
        label=_("OAuth refresh token"), required=False, strip=True, max_length=4000, widget=SecretInput()
    )
    clear_oauth_refresh_token = forms.BooleanField(label=_("Remove the saved refresh token"), required=False)
    oauth_scope = forms.CharField(
        label=_("OAuth scope"),
        max_length=500,
        required=False,
        help_text=_("For Microsoft 365: https://outlook.office.com/IMAP.AccessAsUser.All offline_access"),
    )

    smtp_host = forms.CharField(
        label=_("SMTP server"),
        max_length=253,
        required=False,
        help_text=_("Leave empty to send through the site's mail settings."),
    )
    smtp_port = _port_field(_("SMTP port"), 587)
    smtp_security = forms.ChoiceField(
        label=_("SMTP security"), choices=Security.choices, initial=Security.STARTTLS
    )
    smtp_username = forms.CharField(label=_("SMTP user name"), max_length=254, required=False)
    smtp_password = forms.CharField(
        label=_("SMTP password"), required=False, strip=False, max_length=4000, widget=SecretInput()
    )
    clear_smtp_password = forms.BooleanField(label=_("Remove the saved SMTP password"), required=False)

    def __init__(self, *args: Any, mailbox: Mailbox | None = None, **kwargs: Any) -> None:
        if mailbox is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(mailbox, name)
                for name in self.base_fields
                if name not in SECRETS and not name.startswith("clear_") and name != "group"
            } | {"group": mailbox.group_id}
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox
        # Say which secrets are stored (never their value), so blank visibly means "keep".
        for name in SECRETS:
            if mailbox is not None and getattr(mailbox, name):
                self.fields[name].help_text = _("A value is saved. Leave empty to keep it.")
            else:
                self.fields[f"clear_{name}"].widget = forms.HiddenInput()

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the groups the page shows, each with its heading."""
        return [
            (str(_("Mailbox")), [self[name] for name in IDENTITY]),
            (str(_("Incoming mail (IMAP)")), [self[name] for name in IMAP if self._shown(name)]),
            (str(_("OAuth 2.0 sign-in")), [self[name] for name in OAUTH if self._shown(name)]),
            (str(_("Outgoing mail (SMTP)")), [self[name] for name in SMTP if self._shown(name)]),
        ]

    def _shown(self, name: str) -> bool:
        return not isinstance(self.fields[name].widget, forms.HiddenInput)

    def values(self) -> MailboxValues:
        """The cleaned input for the service: a blank secret keeps the stored one (None), a
        ticked "remove" clears it ("")."""
        data = self.cleaned_data
        secrets: dict[str, Any] = {}
        for name in SECRETS:
            typed = data.get(name) or ""
            secrets[name] = typed if typed else ("" if data.get(f"clear_{name}") else None)
        plain: dict[str, Any] = {
            name: data[name]
            for name in self.base_fields
            if name not in SECRETS and not name.startswith("clear_")
        }
        return MailboxValues(**plain, **secrets)


class QuarantineFilterForm(forms.Form):
    mailbox = forms.TypedChoiceField(label=_("Mailbox"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mailbox"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All mailboxes")), *choices]


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it discarded? (optional)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. spam, a test message")}),
    )


class NotificationSettingsForm(forms.Form):
    """One switch per notification email, labelled as the model names it."""

    SWITCHES = (
        "customer_request_received",
        "customer_agent_replied",
        "customer_ticket_solved",
        "agent_ticket_assigned",
        "agent_new_reply",
    )

    def __init__(self, *args: Any, current: NotificationSettings, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(current, name) for name in self.SWITCHES})
        super().__init__(*args, **kwargs)
        for name in self.SWITCHES:
            model_field = NotificationSettings._meta.get_field(name)
            label = getattr(model_field, "verbose_name", name)
            self.fields[name] = forms.BooleanField(label=capfirst(label), required=False)
