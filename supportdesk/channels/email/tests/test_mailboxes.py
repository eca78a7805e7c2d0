"""Mailbox settings services: who may change them, what is checked, what is audited, one default
at most, secrets kept when left blank, and deleting without losing received mail."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from django.core.files.base import ContentFile

from supportdesk.channels.email.choices import AfterFetch, ImapAuth, InboundSource, Security
from supportdesk.channels.email.models import InboundEmail, Mailbox, NotificationSettings
from supportdesk.channels.email.services.mailboxes import (
    MailboxValues,
    mailbox_candidate,
    mailbox_delete,
    mailbox_save,
    notification_settings_update,
)
from supportdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from supportdesk.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def values(**overrides) -> MailboxValues:
    base = MailboxValues(name="Support", email_address="support@acme.test")
    return dataclasses.replace(base, **overrides)


def imap_values(**overrides) -> MailboxValues:
    fields = {
        "imap_enabled": True,
        "imap_host": "imap.acme.test",
        "imap_username": "support@acme.test",
        "imap_password": "s3cret",
    }
    return values(**{**fields, **overrides})


# -- creating and changing -----------------------------------------------------------------------


def test_an_administrator_creates_a_mailbox_and_it_is_audited(administrator, support_group):
    mailbox = mailbox_save(
        actor=administrator,
        values=imap_values(
            email_address="  Support@ACME.test ",
            aliases="help@acme.test\nHELP@acme.test, sales@acme.test\n\nsupport@acme.test",
            display_name="Acme   Support",
            group=support_group,
        ),
    )
    mailbox.refresh_from_db()
    assert mailbox.email_address == "support@acme.test"
    assert mailbox.addresses == ["support@acme.test", "help@acme.test", "sales@acme.test"]
    assert mailbox.display_name == "Acme Support"
    assert mailbox.group == support_group
    assert mailbox.imap_password == "s3cret"
    # A new fetching mailbox is due at once, so mail starts flowing without waiting a round.
    assert mailbox.next_poll_at is not None
    entry = AuditEntry.objects.get(action="mailbox.created")
    assert entry.actor == administrator and entry.target_id == str(mailbox.pk)
    assert entry.changes["email_address"] == "support@acme.test"
    assert entry.changes["imap_password"] is True  # that one is set, never its value
    assert "s3cret" not in str(entry.changes)


@pytest.mark.parametrize("role", ["manager", "agent", "collaborator"])
def test_only_administrators_may_change_mailboxes(request, administrator, role):
    person = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        mailbox_save(actor=person, values=values())
    mailbox = mailbox_save(actor=administrator, values=values())
    with pytest.raises(PermissionDenied):
        mailbox_save(actor=person, mailbox=mailbox, values=values(name="Taken over"))
    with pytest.raises(PermissionDenied):
        mailbox_delete(actor=person, mailbox=mailbox)
    with pytest.raises(PermissionDenied):
        notification_settings_update(actor=person, agent_new_reply=False)
    assert Mailbox.objects.get().name == "Support"


def test_a_blank_secret_keeps_the_stored_one_and_an_empty_one_removes_it(administrator):
    mailbox = mailbox_save(
        actor=administrator,
        values=imap_values(smtp_host="smtp.acme.test", smtp_username="u", smtp_password="smtp-pw"),
    )
    mailbox = mailbox_save(
        actor=administrator,
        mailbox=mailbox,
        values=imap_values(
            imap_password=None, smtp_host="smtp.acme.test", smtp_username="u", smtp_password=None, name="Help"
        ),
    )
    mailbox.refresh_from_db()
    assert (mailbox.imap_password, mailbox.smtp_password, mailbox.name) == ("s3cret", "smtp-pw", "Help")
    entry = AuditEntry.objects.filter(action="mailbox.updated").first()
    assert entry.changes == {"name": ["Support", "Help"]}

    mailbox = mailbox_save(
        actor=administrator,
        mailbox=mailbox,
        values=imap_values(
            imap_password="new-pw",
            smtp_host="smtp.acme.test",
            smtp_username="u",
            smtp_password="",
            name="Help",
        ),
    )
    mailbox.refresh_from_db()
    assert (mailbox.imap_password, mailbox.smtp_password) == ("new-pw", "")
    entry = AuditEntry.objects.filter(action="mailbox.updated").first()
    assert entry.changes == {"imap_password": "set", "smtp_password": "removed"}


def test_one_default_mailbox_at_most(administrator):
    first = mailbox_save(actor=administrator, values=values(is_default=True))
    second = mailbox_save(
        actor=administrator, values=values(name="Sales", email_address="sales@acme.test", is_default=True)
    )
    assert list(Mailbox.objects.filter(is_default=True)) == [second]
    mailbox_save(actor=administrator, mailbox=first, values=values(is_default=True))
    assert list(Mailbox.objects.filter(is_default=True).values_list("pk", flat=True)) == [first.pk]


def test_changing_the_connection_makes_the_fetcher_retry_at_once(administrator):
    mailbox = mailbox_save(actor=administrator, values=imap_values())
    Mailbox.objects.filter(pk=mailbox.pk).update(
        next_poll_at=None, last_error="Authentication failed", consecutive_failures=7
    )
    mailbox = mailbox_save(actor=administrator, mailbox=mailbox, values=imap_values(name="Renamed"))
    assert (mailbox.last_error, mailbox.consecutive_failures) == ("Authentication failed", 7)
    mailbox = mailbox_save(actor=administrator, mailbox=mailbox, values=imap_values(imap_password="fixed"))
    mailbox.refresh_from_db()
    assert (mailbox.last_error, mailbox.consecutive_failures) == ("", 0)
    assert mailbox.next_poll_at is not None


# -- what is refused -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"email_address": "not an address"}, "email_address"),
        ({"email_address": "support@"}, "email_address"),
        ({"aliases": "ok@acme.test\nbroken@@acme"}, "aliases"),
        ({"display_name": "Acme\r\nBcc: victim@evil.test"}, "display_name"),
        ({"imap_port": 0}, "imap_port"),
        ({"imap_port": 65536}, "imap_port"),
        ({"smtp_port": -25}, "smtp_port"),
        ({"imap_host": "imaps://imap.acme.test"}, "imap_host"),
        ({"imap_host": "imap acme test"}, "imap_host"),
        ({"smtp_host": "smtp.acme.test/path"}, "smtp_host"),
        ({"imap_host": ""}, "imap_host"),
        ({"imap_username": ""}, "imap_username"),
        ({"imap_folder": "INBOX\r\nA1 DELETE INBOX"}, "imap_folder"),
        ({"imap_folder": ""}, "imap_folder"),
        ({"after_fetch": AfterFetch.MOVE, "move_to_folder": ""}, "move_to_folder"),
        ({"poll_interval": 1}, "poll_interval"),
        ({"poll_interval": 10**9}, "poll_interval"),
        ({"imap_security": "tls1.0"}, "imap_security"),
        ({"imap_auth": "kerberos"}, "imap_auth"),
        ({"oauth_token_url": "javascript:alert(1)"}, "oauth_token_url"),
        ({"imap_password": None}, "imap_password"),
        ({"imap_password": "line\nbreak"}, "imap_password"),
    ],
)
def test_bad_values_are_refused_on_their_field(administrator, overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        mailbox_save(actor=administrator, values=imap_values(**overrides))
    assert field in caught.value.details
    assert not Mailbox.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="mailbox.").exists()


def test_oauth_sign_in_needs_its_three_values(administrator):
    with pytest.raises(ValidationFailed) as caught:
        mailbox_save(actor=administrator, values=imap_values(imap_auth=ImapAuth.XOAUTH2, imap_password=None))
    assert "oauth_token_url" in caught.value.details
    mailbox = mailbox_save(
        actor=administrator,
        values=imap_values(
            imap_auth=ImapAuth.XOAUTH2,
            imap_password=None,
            oauth_token_url="https://login.example.test/token",
            oauth_client_id="client",
            oauth_refresh_token="refresh",
        ),
    )
    assert mailbox.oauth_refresh_token == "refresh"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email_address": "SUPPORT@acme.test"}, "email_address"),
        ({"email_address": "help@acme.test"}, "email_address"),  # the other's alias
        ({"email_address": "new@acme.test", "aliases": "support@acme.test"}, "aliases"),
    ],
)
def test_an_address_belongs_to_one_mailbox(administrator, overrides, field):
    mailbox_save(actor=administrator, values=values(aliases="help@acme.test"))
    with pytest.raises(Conflict) as caught:
        mailbox_save(actor=administrator, values=values(name="Other", **overrides))
    assert caught.value.code == "address_taken"
    assert field in caught.value.details
    assert "Support" in caught.value.message
    assert Mailbox.objects.count() == 1


def test_a_mailbox_may_keep_its_own_address(administrator):
    mailbox = mailbox_save(actor=administrator, values=values(aliases="help@acme.test"))
    mailbox_save(actor=administrator, mailbox=mailbox, values=values(aliases="help@acme.test", name="Same"))
    assert Mailbox.objects.get().name == "Same"


def test_candidate_applies_values_without_saving(administrator):
    mailbox = mailbox_save(actor=administrator, values=imap_values())
    candidate = mailbox_candidate(
        mailbox=mailbox, values=imap_values(imap_host="other.acme.test", imap_password=None)
    )
    assert (candidate.imap_host, candidate.imap_password, candidate.pk) == (
        "other.acme.test",
        "s3cret",
        mailbox.pk,
    )
    assert Mailbox.objects.get().imap_host == "imap.acme.test"
    with pytest.raises(ValidationFailed):
        mailbox_candidate(mailbox=None, values=imap_values(imap_port=70000))


# -- deleting ------------------------------------------------------------------------------------


def _inbound(mailbox: Mailbox | None, raw: bytes) -> InboundEmail:
    row = InboundEmail(
        mailbox=mailbox,
        source=InboundSource.IMPORT,
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
    )
    row.raw.save("x.eml", ContentFile(raw), save=False)
    row.save()
    return row


def test_deleting_keeps_the_received_mail_and_is_audited(administrator):
    mailbox = mailbox_save(actor=administrator, values=values())
    received = _inbound(mailbox, b"Subject: hello\r\n\r\nbody\r\n")
    mailbox_delete(actor=administrator, mailbox=mailbox)
    assert not Mailbox.objects.exists()
    received.refresh_from_db()
    assert received.mailbox_id is None and received.raw.read() == b"Subject: hello\r\n\r\nbody\r\n"
    assert AuditEntry.objects.filter(action="mailbox.deleted", target_id=str(mailbox.pk)).exists()


def test_deleting_is_refused_when_kept_mail_would_clash(administrator):
    """The same message kept from two deleted mailboxes would break the once-only rule for mail
    without a mailbox: the second delete is refused (deactivate instead) and nothing is lost."""
    raw = b"Subject: twice\r\n\r\nsame bytes\r\n"
    first = mailbox_save(actor=administrator, values=values())
    second = mailbox_save(actor=administrator, values=values(name="Sales", email_address="sales@acme.test"))
    _inbound(first, raw)
    _inbound(second, raw)
    mailbox_delete(actor=administrator, mailbox=first)
    with pytest.raises(Conflict) as caught:
        mailbox_delete(actor=administrator, mailbox=second)
    assert caught.value.code == "mailbox_in_use"
    assert Mailbox.objects.filter(pk=second.pk).exists()
    assert InboundEmail.objects.count() == 2
    assert not AuditEntry.objects.filter(action="mailbox.deleted", target_id=str(second.pk)).exists()


# -- notification settings -------------------------------------------------------------------------


def test_notification_switches_are_saved_and_audited(administrator):
    settings = notification_settings_update(
        actor=administrator, agent_new_reply=False, customer_ticket_solved=True
    )
    assert settings.agent_new_reply is False and NotificationSettings.current().agent_new_reply is False
    entry = AuditEntry.objects.get(action="notification_settings.updated")
    assert entry.changes == {"agent_new_reply": [True, False]}
    notification_settings_update(actor=administrator, agent_new_reply=False)
    assert AuditEntry.objects.filter(action="notification_settings.updated").count() == 1
    with pytest.raises(ValidationFailed):
        notification_settings_update(actor=administrator, is_evil=True)


def test_values_default_to_what_the_model_defaults_to():
    """MailboxValues and the model agree on the defaults, so a form left alone saves the model's."""
    mailbox = Mailbox()
    blank = values()
    for item in dataclasses.fields(blank):
        if item.name in {"name", "email_address", "group"} or item.name.endswith(
            ("password", "secret", "token")
        ):
            continue
        assert getattr(blank, item.name) == getattr(mailbox, item.name), item.name
    assert blank.imap_security == Security.SSL


def test_saving_leaves_the_fetchers_columns_alone(administrator, billing_group):
    """The fetcher writes its state while an administrator edits: a save must not put back what
    the form read earlier."""
    mailbox = mailbox_save(actor=administrator, values=imap_values())
    Mailbox.objects.filter(pk=mailbox.pk).update(fetch_state={"uidvalidity": 7, "last_uid": 42})
    mailbox_save(
        actor=administrator, mailbox=mailbox, values=imap_values(imap_password=None, group=billing_group)
    )
    mailbox.refresh_from_db()
    assert mailbox.fetch_state == {"uidvalidity": 7, "last_uid": 42}
    assert mailbox.group == billing_group
