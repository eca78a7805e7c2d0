"""Mailboxes, every email received (kept raw) and sent, and the Message-IDs that thread them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.channels.email.choices import (
    AfterFetch,
    Direction,
    ImapAuth,
    InboundOutcome,
    InboundSource,
    InboundStatus,
    OutboundKind,
    OutboundStatus,
    Security,
)
from supportdesk.core.crypto import EncryptedTextField
from supportdesk.core.models import TimeStampedModel


class Mailbox(TimeStampedModel):
    """An address customers write to. Mail arrives by IMAP polling, by the built-in SMTP
    receiver (for this address or its aliases) or by import; replies leave from this address."""

    name = models.CharField(_("name"), max_length=100)
    email_address = models.EmailField(_("email address"), unique=True)
    aliases = models.TextField(_("other addresses"), blank=True, help_text=_("One per line."))
    display_name = models.CharField(_("sender name"), max_length=100, blank=True)
    group = models.ForeignKey(
        "accounts.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("group for new tickets"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default mailbox"), default=False)

    imap_enabled = models.BooleanField(_("fetch by IMAP"), default=False)
    imap_host = models.CharField(_("IMAP server"), max_length=253, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    imap_username = models.CharField(_("IMAP user name"), max_length=254, blank=True)
    imap_password = EncryptedTextField(_("IMAP password"), blank=True)
    imap_auth = models.CharField(
        _("sign-in method"), max_length=10, choices=ImapAuth.choices, default=ImapAuth.PASSWORD
    )
    imap_folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    after_fetch = models.CharField(
        _("after fetching"), max_length=10, choices=AfterFetch.choices, default=AfterFetch.SEEN
    )
    move_to_folder = models.CharField(_("move to folder"), max_length=200, blank=True)
    poll_interval = models.PositiveIntegerField(_("fetch every (seconds)"), default=60)
    oauth_token_url = models.URLField(_("OAuth token URL"), blank=True)
    oauth_client_id = models.CharField(_("OAuth client ID"), max_length=200, blank=True)
    oauth_client_secret = EncryptedTextField(_("OAuth client secret"), blank=True)
    oauth_refresh_token = EncryptedTextField(_("OAuth refresh token"), blank=True)
    oauth_scope = models.CharField(_("OAuth scope"), max_length=500, blank=True)

    # Outgoing mail; with no host the site's SMTP settings (EMAIL_HOST …) are used.
    smtp_host = models.CharField(_("SMTP server"), max_length=253, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    smtp_username = models.CharField(_("SMTP user name"), max_length=254, blank=True)
    smtp_password = EncryptedTextField(_("SMTP password"), blank=True)

    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    # What the fetcher remembers between polls (UIDVALIDITY, the last UID seen, …).
    fetch_state = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="mailbox_one_default"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_poll_at"], name="mailbox_due", condition=Q(imap_enabled=True, is_active=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email_address}>"

    @property
    def addresses(self) -> list[str]:
        extra = [line.strip().lower() for line in self.aliases.splitlines() if line.strip()]
        return [self.email_address.lower(), *extra]


def raw_path(instance: InboundEmail, filename: str) -> str:
    """Content-addressed: the same bytes always land in the same file. One level of 256
    folders: a million messages are ~4,000 files a folder, and a new desk does not create a
    folder for almost every message it stores (two levels did, 65,536 of them). Rows keep the
    name they were stored under, so older two-level names stay valid."""
    digest = instance.sha256
    return f"mail/raw/{digest[:2]}/{digest}.eml"


class InboundEmail(models.Model):
    """One email as it arrived. Its raw bytes are stored before anything parses them, so a crash
    or a parser bug never loses a customer's message; processing then makes it a ticket, a reply,
    a bounce record, or a quarantine entry an administrator can retry or discard."""

    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )
    source = models.CharField(max_length=10, choices=InboundSource.choices)
    source_ref = models.CharField(
        max_length=500, blank=True, help_text="IMAP folder and UID, or the imported file."
    )
    raw = models.FileField(upload_to=raw_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    message_id_header = models.CharField(max_length=998, blank=True)
    status = models.CharField(max_length=12, choices=InboundStatus.choices, default=InboundStatus.RECEIVED)
    outcome = models.CharField(max_length=12, choices=InboundOutcome.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # Sent by a machine (Auto-Submitted, bulk, auto-reply, mailer-daemon): never answered automatically.
    is_automatic = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Notes from parsing and processing (repairs made, detected language, …), for administrators.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("received email")
        verbose_name_plural = _("received emails")
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "sha256"], name="inbound_once_per_mailbox"),
            models.UniqueConstraint(
                fields=["sha256"], condition=Q(mailbox__isnull=True), name="inbound_once_unboxed"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-received_at", "-id"], name="inbound_status_recent"),
            models.Index(fields=["message_id_header"], name="inbound_message_id"),
        ]

    def __str__(self) -> str:
        return f"inbound email {self.pk} ({self.status})"


class EmailLink(models.Model):
    """The Message-ID of every email received or sent for a ticket: In-Reply-To and References
    are looked up here (one indexed read), which keeps replies as fast as new tickets."""

    message_id_header = models.CharField(max_length=998)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message_id_header", "direction"], name="email_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_id_header} → ticket {self.ticket_id}"


class OutboundEmail(models.Model):
    """An email we send: a reply to a customer or a notification. Sent by the worker with retries;
    permanent failures and bounces are shown on the ticket message it carried."""

    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound"
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=OutboundKind.choices)
    template = models.CharField(max_length=50, blank=True)
    recipients = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998)
    message_id_header = models.CharField(max_length=998, unique=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=8, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["message"], name="outbound_by_message"),
            models.Index(fields=["next_attempt_at"], name="outbound_due", condition=Q(status="queued")),
        ]

    def __str__(self) -> str:
        return f"outbound {self.kind} {self.message_id_header} ({self.status})"


class AutoReplyRecord(models.Model):
    """When an automatic email went to an address: the per-sender rate limit reads this."""

    recipient = models.CharField(max_length=254)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["recipient", "sent_at"], name="auto_reply_recent")]

    def __str__(self) -> str:
        return f"auto reply to {self.recipient} at {self.sent_at:%Y-%m-%d %H:%M}"


class NotificationSettings(models.Model):
    """Which notification emails go out; one row, changed by administrators."""

    customer_request_received = models.BooleanField(
        _("tell customers their request was received"), default=True
    )
    customer_agent_replied = models.BooleanField(
        _("email customers the replies to their portal requests"), default=True
    )
    customer_ticket_solved = models.BooleanField(_("tell customers their request was solved"), default=True)
    agent_ticket_assigned = models.BooleanField(_("tell agents a ticket was assigned to them"), default=True)
    agent_new_reply = models.BooleanField(_("tell agents a customer replied on their ticket"), default=True)

    class Meta:
        verbose_name = _("notification settings")

    def __str__(self) -> str:
        return "notification settings"

    @classmethod
    def current(cls) -> NotificationSettings:
        return cls.objects.get_or_create(pk=1)[0]
