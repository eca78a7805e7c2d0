from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (unencrypted)")


class ImapAuth(models.TextChoices):
    PASSWORD = "password", _("Password")
    XOAUTH2 = "xoauth2", _("OAuth 2.0 (Microsoft 365, Gmail)")


class AfterFetch(models.TextChoices):
    SEEN = "seen", _("Mark as read")
    MOVE = "move", _("Move to a folder")
    DELETE = "delete", _("Delete")


class InboundSource(models.TextChoices):
    IMAP = "imap", _("IMAP")
    SMTP = "smtp", _("SMTP receiver")
    IMPORT = "import", _("Import")


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received, waiting to be processed")
    PROCESSED = "processed", _("Processed")
    DUPLICATE = "duplicate", _("Duplicate")
    QUARANTINED = "quarantined", _("Quarantined")
    DISCARDED = "discarded", _("Discarded")


class InboundOutcome(models.TextChoices):
    NEW_TICKET = "new_ticket", _("New ticket")
    REPLY = "reply", _("Reply added to a ticket")
    FOLLOW_UP = "follow_up", _("Follow-up to a closed ticket")
    BOUNCE = "bounce", _("Delivery failure report")
    IGNORED = "ignored", _("Ignored")


class Direction(models.TextChoices):
    INBOUND = "in", pgettext_lazy("email direction", "Received")
    OUTBOUND = "out", pgettext_lazy("email direction", "Sent")


class OutboundKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    NOTIFICATION = "notification", _("Notification")


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")
    BOUNCED = "bounced", _("Bounced")
