"""The mailbox pages and the email notification settings page: who may open them, the forms with
good and bad input, secrets never shown, deleting with a confirmation, and flat query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.channels.email.choices import ImapAuth, Security
from supportdesk.channels.email.models import Mailbox, NotificationSettings
from supportdesk.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORBIDDEN_ROLES = ["customer", "collaborator", "agent", "manager"]


def person_for(request: pytest.FixtureRequest, role: str) -> Any:
    value = request.getfixturevalue(role)
    return value.user if role == "customer" else value


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Support",
        "email_address": "support@acme.test",
        "aliases": "",
        "display_name": "Acme Support",
        "group": "",
        "is_active": "on",
        "imap_port": "993",
        "imap_security": Security.SSL,
        "imap_auth": ImapAuth.PASSWORD,
        "imap_folder": "INBOX",
        "after_fetch": "seen",
        "poll_interval": "60",
        "smtp_port": "587",
        "smtp_security": Security.STARTTLS,
        "action": "save",
    }
    data.update(overrides)
    return data


def imap_form(**overrides: Any) -> dict[str, Any]:
    return form_data(
        **{
            "imap_enabled": "on",
            "imap_host": "imap.acme.test",
            "imap_username": "support@acme.test",
            "imap_password": "stored-secret",
            **overrides,
        }
    )


@pytest.fixture
def mailbox(db: None) -> Mailbox:
    return Mailbox.objects.create(
        name="Support",
        email_address="support@acme.test",
        imap_enabled=True,
        imap_host="imap.acme.test",
        imap_username="support@acme.test",
        imap_password="stored-secret",
        oauth_client_secret="client-secret-value",
        smtp_host="smtp.acme.test",
        smtp_password="smtp-secret-value",
    )


def page_urls(mailbox: Mailbox) -> list[str]:
    return [
        reverse("email_settings:mailboxes"),
        reverse("email_settings:mailbox_create"),
        reverse("email_settings:mailbox_edit", args=[mailbox.pk]),
        reverse("email_settings:mailbox_delete", args=[mailbox.pk]),
        reverse("email_settings:notifications"),
    ]


# -- who may open the pages ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client_for, mailbox):
    for url in page_urls(mailbox):
        response = client_for(None).get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("role", FORBIDDEN_ROLES)
def test_everyone_but_administrators_is_refused(request, client_for, mailbox, role):
    client = client_for(person_for(request, role))
    for url in page_urls(mailbox):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            reverse("email_settings:mailbox_create"), form_data(email_address="x@acme.test")
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("email_settings:mailbox_edit", args=[mailbox.pk]), form_data(name="Mine")
        ).status_code
        == 403
    )
    assert client.post(reverse("email_settings:mailbox_delete", args=[mailbox.pk])).status_code == 403
    assert client.post(reverse("email_settings:notifications"), {}).status_code == 403
    assert list(Mailbox.objects.values_list("name", flat=True)) == ["Support"]
    assert NotificationSettings.current().agent_new_reply is True


def test_administrators_see_every_page_and_the_sidebar_links_them(client_for, administrator, mailbox):
    client = client_for(administrator)
    for url in page_urls(mailbox):
        assert client.get(url).status_code == 200, url
    html = client.get(reverse("accounts:settings")).content.decode()
    for name in ("email_settings:mailboxes", "email_settings:quarantine", "email_settings:notifications"):
        assert html.count(f'href="{reverse(name)}"') == 2, name  # sidebar and overview
    assert client.get(reverse("email_settings:index")).url == reverse("email_settings:mailboxes")


@pytest.mark.parametrize("view", ["mailbox_edit", "mailbox_delete"])
def test_unknown_mailboxes_are_404(client_for, administrator, view):
    client = client_for(administrator)
    assert client.get(reverse(f"email_settings:{view}", args=[999999])).status_code == 404
    assert client.post(reverse(f"email_settings:{view}", args=[999999]), form_data()).status_code == 404


# -- the list --------------------------------------------------------------------------------------


def test_the_list_shows_each_mailboxs_fetching_health(client_for, administrator, mailbox, support_group):
    from django.utils import timezone

    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_success_at=timezone.now(),
        last_error="[AUTHENTICATIONFAILED] Authentication failed.",
        consecutive_failures=3,
        is_default=True,
        group=support_group,
        aliases="help@acme.test\nsales@acme.test",
    )
    Mailbox.objects.create(name="Quiet", email_address="quiet@acme.test", is_active=False)
    html = client_for(administrator).get(reverse("email_settings:mailboxes")).content.decode()
    assert "support@acme.test" in html and "and 2 other addresses" in html
    assert "imap.acme.test" in html and "[AUTHENTICATIONFAILED] Authentication failed." in html
    assert "3 failures in a row" in html
    assert "default" in html and "inactive" in html and "Support" in html
    assert html.index(">Quiet<") < html.index(">Support<")  # by name
    assert "stored-secret" not in html


def test_the_list_query_count_does_not_grow_with_mailboxes(
    client_for, administrator, support_group, django_assert_num_queries
):
    client = client_for(administrator)
    Mailbox.objects.create(name="A", email_address="a@acme.test", group=support_group)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("email_settings:mailboxes")).status_code == 200
    for number in range(15):
        Mailbox.objects.create(name=f"M{number}", email_address=f"m{number}@acme.test", group=support_group)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("email_settings:mailboxes"))


def test_names_are_escaped_everywhere(client_for, administrator):
    box = Mailbox.objects.create(
        name=SCRIPT, email_address="x@acme.test", last_error=SCRIPT, display_name=SCRIPT
    )
    client = client_for(administrator)
    for url in (
        reverse("email_settings:mailboxes"),
        reverse("email_settings:mailbox_edit", args=[box.pk]),
        reverse("email_settings:mailbox_delete", args=[box.pk]),
    ):
        html = client.get(url).content.decode()
        assert ESCAPED_SCRIPT in html, url
        assert "<script>alert(1)" not in html, url


# -- creating and editing --------------------------------------------------------------------------


def test_creating_a_mailbox(client_for, administrator, support_group):
    response = client_for(administrator).post(
        reverse("email_settings:mailbox_create"),
        imap_form(group=str(support_group.pk), aliases="help@acme.test\nsales@acme.test", is_default="on"),
    )
    assert response.status_code == 302 and response.url == reverse("email_settings:mailboxes")
    mailbox = Mailbox.objects.get()
    assert (mailbox.group, mailbox.is_default, mailbox.imap_password) == (
        support_group,
        True,
        "stored-secret",
    )
    assert mailbox.addresses == ["support@acme.test", "help@acme.test", "sales@acme.test"]
    assert AuditEntry.objects.filter(action="mailbox.created", actor=administrator).exists()


def test_secrets_are_never_shown_and_blank_keeps_them(client_for, administrator, mailbox):
    client = client_for(administrator)
    url = reverse("email_settings:mailbox_edit", args=[mailbox.pk])
    html = client.get(url).content.decode()
    for secret in ("stored-secret", "client-secret-value", "smtp-secret-value"):
        assert secret not in html
    assert "A value is saved. Leave empty to keep it." in html
    response = client.post(url, imap_form(name="Renamed", imap_password="", smtp_host="smtp.acme.test"))
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.name, mailbox.imap_password, mailbox.smtp_password) == (
        "Renamed",
        "stored-secret",
        "smtp-secret-value",
    )
    assert mailbox.oauth_client_secret == "client-secret-value"
    # "Remove" empties one secret; the others stay.
    client.post(url, imap_form(smtp_host="smtp.acme.test", clear_smtp_password="on", imap_password=""))
    mailbox.refresh_from_db()
    assert (mailbox.imap_password, mailbox.smtp_password) == ("stored-secret", "")


def test_a_refused_save_does_not_echo_the_stored_secret(client_for, administrator, mailbox):
    response = client_for(administrator).post(
        reverse("email_settings:mailbox_edit", args=[mailbox.pk]), imap_form(imap_password="", imap_port="0")
    )
    html = response.content.decode()
    assert response.status_code == 200 and "stored-secret" not in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email_address": "not-an-address"}, "Enter a valid email address."),
        ({"aliases": "help@acme.test\nnope@"}, "“nope@” is not a valid email address."),
        ({"imap_port": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"imap_port": "70000"}, "Ensure this value is less than or equal to 65535."),
        ({"smtp_port": "99999"}, "Ensure this value is less than or equal to 65535."),
        ({"imap_port": "abc"}, "Enter a whole number."),
        ({"poll_interval": "1"}, "Ensure this value is greater than or equal to 10."),
        ({"imap_host": "https://imap.acme.test"}, "without spaces or a scheme"),
        ({"imap_host": ""}, "Enter the server&#x27;s name."),
        ({"imap_password": ""}, "Enter the password of the mail account."),
        ({"imap_security": "sslv2"}, "Select a valid choice."),
        ({"after_fetch": "move"}, "Enter a folder name."),
        ({"name": ""}, "This field is required."),
        ({"group": "999999"}, "Select a valid choice."),
        ({"oauth_token_url": "ftp://x"}, "Enter a valid URL."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client_for, administrator, overrides, message):
    response = client_for(administrator).post(
        reverse("email_settings:mailbox_create"), imap_form(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Mailbox.objects.exists()


def test_a_duplicate_address_is_refused_on_its_field(client_for, administrator, mailbox):
    client = client_for(administrator)
    Mailbox.objects.create(name="Sales", email_address="sales@acme.test", aliases="orders@acme.test")
    response = client.post(
        reverse("email_settings:mailbox_create"), form_data(email_address="Sales@Acme.test")
    )
    assert "sales@acme.test is already used by the mailbox Sales." in response.content.decode()
    response = client.post(
        reverse("email_settings:mailbox_edit", args=[mailbox.pk]),
        imap_form(aliases="orders@acme.test", imap_password=""),
    )
    assert "orders@acme.test is already used by the mailbox Sales." in response.content.decode()
    assert Mailbox.objects.count() == 2
    assert Mailbox.objects.get(pk=mailbox.pk).aliases == ""


def test_a_hostile_name_is_saved_as_text_and_shown_escaped(client_for, administrator):
    client = client_for(administrator)
    client.post(reverse("email_settings:mailbox_create"), form_data(name=SCRIPT, display_name=SCRIPT))
    mailbox = Mailbox.objects.get()
    assert mailbox.name == SCRIPT
    html = client.get(reverse("email_settings:mailboxes")).content.decode()
    assert ESCAPED_SCRIPT in html and "<script>alert(1)" not in html


def test_making_another_mailbox_the_default(client_for, administrator, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(is_default=True)
    client_for(administrator).post(
        reverse("email_settings:mailbox_create"),
        form_data(email_address="sales@acme.test", name="Sales", is_default="on"),
    )
    assert list(Mailbox.objects.filter(is_default=True).values_list("name", flat=True)) == ["Sales"]


def test_the_form_groups_every_setting(client_for, administrator, mailbox):
    html = (
        client_for(administrator)
        .get(reverse("email_settings:mailbox_edit", args=[mailbox.pk]))
        .content.decode()
    )
    for legend in ("Mailbox", "Incoming mail (IMAP)", "OAuth 2.0 sign-in", "Outgoing mail (SMTP)"):
        assert f"<legend>{legend}</legend>" in html
    for name in (
        "name", "email_address", "aliases", "display_name", "group", "is_active", "is_default",
        "imap_enabled", "imap_host", "imap_port", "imap_security", "imap_username", "imap_password",
        "imap_auth", "imap_folder", "after_fetch", "move_to_folder", "poll_interval", "oauth_token_url",
        "oauth_client_id", "oauth_client_secret", "oauth_refresh_token", "oauth_scope", "smtp_host",
        "smtp_port", "smtp_security", "smtp_username", "smtp_password",
    ):  # fmt: skip
        assert f'name="{name}"' in html, name
    assert 'value="test_imap"' in html and 'value="test_smtp"' in html
    assert 'value="imap.acme.test"' in html


# -- deleting ----------------------------------------------------------------------------------------


def test_deleting_asks_first_then_deletes(client_for, administrator, mailbox):
    client = client_for(administrator)
    url = reverse("email_settings:mailbox_delete", args=[mailbox.pk])
    html = client.get(url).content.decode()
    assert "Delete the mailbox Support?" in html
    assert "The emails it already received, and their tickets, stay." in html
    assert Mailbox.objects.exists()
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("email_settings:mailboxes")
    assert not Mailbox.objects.exists()
    assert AuditEntry.objects.filter(action="mailbox.deleted").exists()
    page = client.get(reverse("email_settings:mailboxes")).content.decode()
    assert "The mailbox Support was deleted." in page


# -- notification settings ---------------------------------------------------------------------------


def test_notification_settings_page_switches_and_audits(client_for, administrator):
    client = client_for(administrator)
    url = reverse("email_settings:notifications")
    html = client.get(url).content.decode()
    assert "tell customers their request was received" in html.lower()
    assert not NotificationSettings.objects.exists()  # looking writes nothing
    data = {
        "customer_request_received": "on",
        "customer_agent_replied": "on",
        "customer_ticket_solved": "on",
        "agent_ticket_assigned": "on",
    }  # agent_new_reply unticked
    response = client.post(url, data)
    assert response.status_code == 302
    settings = NotificationSettings.current()
    assert settings.agent_new_reply is False and settings.customer_request_received is True
    entry = AuditEntry.objects.get(action="notification_settings.updated")
    assert entry.changes == {"agent_new_reply": [True, False]}
    assert 'name="agent_new_reply" id="id_agent_new_reply"' in client.get(url).content.decode()
