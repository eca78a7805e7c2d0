"""Tickets, their messages and attachments, the timeline, and the desk's ticket taxonomy."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from supportdesk.tickets.choices import AuthorKind, Channel, EventKind, FieldType, Status, TicketType

OPEN_Q = Q(status__lt=Status.SOLVED)


def localized(name: str, translations: dict[str, str] | None, language: str | None = None) -> str:
    """`name` in `language` (the active one by default) where an administrator translated it."""
    language = (language or get_language() or "").lower()
    return str((translations or {}).get(language) or name)


class Translatable(models.Model):
    """A name that administrators may translate: `translations` maps language codes to names."""

    name = models.CharField(_("name"), max_length=100)
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.localized_name()

    def localized_name(self, language: str | None = None) -> str:
        return localized(self.name, self.translations, language)


class Category(Translatable):
    """A node of the category tree. The fallback ("Other") catches what fits nowhere else and
    can be neither deleted nor moved."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_fallback = models.BooleanField(default=False, editable=False)
    default_group = models.ForeignKey(
        "accounts.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default group"),
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["is_fallback"], condition=Q(is_fallback=True), name="category_one_fallback"
            ),
            models.UniqueConstraint(Lower("name"), "parent", name="category_unique_sibling_name"),
        ]


class StatusLabel(Translatable):
    """A custom name for a status category ("Waiting for parts" → on hold)."""

    status = models.PositiveSmallIntegerField(_("status category"), choices=Status.choices)
    is_default = models.BooleanField(
        _("default for its category"),
        default=False,
        help_text=_("Used when a ticket enters the category without a label being chosen."),
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["status", "position", "name"]
        verbose_name = _("status label")
        verbose_name_plural = _("status labels")
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(is_default=True), name="status_label_one_default"
            ),
        ]


class Priority(Translatable):
    """A priority level. Tickets point at `rank` (unique and never changed), so sorting by
    priority is an index scan on the ticket table with no join."""

    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#6b7280")
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="priority_one_default"
            ),
            models.CheckConstraint(condition=Q(color__regex=r"^#[0-9a-fA-F]{6}$"), name="priority_color_hex"),
        ]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomField(Translatable):
    """A typed field that tickets carry in `Ticket.custom_fields` under `key`."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    field_type = models.CharField(_("type"), max_length=10, choices=FieldType.choices)
    options = models.JSONField(_("options"), default=list, blank=True, help_text=_("Choices of a dropdown."))
    required = models.BooleanField(_("required"), default=False)
    visible_to_customers = models.BooleanField(_("visible to customers"), default=False)
    editable_by_customers = models.BooleanField(_("customers fill it in"), default=False)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")


def _unsolved(name: str, *fields: str, extra: Q | None = None) -> models.Index:
    return models.Index(fields=list(fields), name=name, condition=OPEN_Q & extra if extra else OPEN_Q)


class Ticket(models.Model):
    subject = models.CharField(_("subject"), max_length=250)
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices, default=Status.NEW)
    status_label = models.ForeignKey(
        StatusLabel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    priority = models.ForeignKey(
        Priority, to_field="rank", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    ticket_type = models.PositiveSmallIntegerField(
        _("type"), choices=TicketType.choices, null=True, blank=True
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(_("language"), max_length=16, blank=True)
    requester = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    organization = models.ForeignKey(
        "customers.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    group = models.ForeignKey(
        "accounts.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )
    # A customer wrote again after the ticket this one follows up was closed.
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups", db_index=False
    )
    tags = models.ManyToManyField(Tag, through="TicketTag", related_name="tickets", blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_message_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    message_count = models.PositiveIntegerField(default=0)

    # Not a column: the id of the first message, set by ticket_create on the ticket it returns
    # (so a caller that records it, such as the mail intake, does not read it back).
    opening_message_id: int | None = None

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # The standard views, each a range scan that already yields the sort order.
            _unsolved("t_open_assignee_upd", "assignee", "-updated_at", "-id"),
            _unsolved("t_open_unassigned_upd", "group", "-updated_at", "-id", extra=Q(assignee__isnull=True)),
            _unsolved("t_open_group_upd", "group", "-updated_at", "-id"),
            _unsolved("t_open_upd", "-updated_at", "-id"),
            # Filters, each with the default sort.
            models.Index(fields=["status", "-updated_at", "-id"], name="t_status_upd"),
            # The sidebar's counts of a status in an agent's groups (pending): counted from the
            # index alone, visibility included. Without it SQLite walked every ticket of the
            # group, closed ones too (20 ms at 10^5 tickets, on every inbox page and every 30 s).
            # Not led by status: the pending list would then sort instead of walking t_status_upd.
            models.Index(fields=["group", "status", "assignee"], name="t_group_status_assignee"),
            models.Index(fields=["assignee", "-updated_at", "-id"], name="t_assignee_upd"),
            models.Index(fields=["group", "-updated_at", "-id"], name="t_group_upd"),
            models.Index(fields=["requester", "-updated_at", "-id"], name="t_requester_upd"),
            models.Index(fields=["organization", "-updated_at", "-id"], name="t_org_upd"),
            models.Index(fields=["category", "-updated_at", "-id"], name="t_category_upd"),
            models.Index(fields=["channel", "-updated_at", "-id"], name="t_channel_upd"),
            models.Index(fields=["language", "-updated_at", "-id"], name="t_language_upd"),
            models.Index(fields=["status_label"], name="t_status_label"),
            models.Index(fields=["created_by"], name="t_created_by"),
            # The other sorts.
            models.Index(fields=["-updated_at", "-id"], name="t_upd"),
            models.Index(fields=["-created_at", "-id"], name="t_created"),
            models.Index(fields=["-priority", "-updated_at", "-id"], name="t_prio_sort"),
            # Auto-close of solved tickets.
            models.Index(fields=["solved_at"], name="t_solved_at", condition=Q(status=Status.SOLVED)),
            # A closed ticket's open follow-up (mail threading); few tickets have one.
            models.Index(
                fields=["follow_up_of"], name="t_follow_up_of", condition=Q(follow_up_of__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="ticket_status_valid"),
            models.CheckConstraint(
                condition=Q(solved_at__isnull=True) | Q(status__gte=Status.SOLVED),
                name="ticket_solved_at_only_after_solving",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status < Status.SOLVED

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def status_display(self) -> str:
        if self.status_label_id and self.status_label:
            return self.status_label.localized_name()
        return str(Status(self.status).label)

    @property
    def channel_display(self) -> str:
        """get_channel_display(), without rebuilding the choices on every call (~40 µs)."""
        try:
            return str(Channel(self.channel).label)
        except ValueError:  # a value no longer offered: shown as stored, as Django does
            return str(self.channel)


class TicketTag(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "tag"], name="ticket_tag_unique")]
        indexes = [models.Index(fields=["tag", "ticket"], name="ticket_tag_by_tag")]

    def __str__(self) -> str:
        return f"tag {self.tag_id} on ticket {self.ticket_id}"


class TicketFollower(models.Model):
    """A customer who follows a ticket they did not open (copied on the email, say): they get
    its public replies and see it in the portal."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followers", db_index=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="followed_tickets"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "customer"], name="ticket_follower_unique")]

    def __str__(self) -> str:
        return f"customer {self.customer_id} follows ticket {self.ticket_id}"


class TicketShare(models.Model):
    """A ticket shared with a collaborator (a light agent from another department)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="shares", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_tickets"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="ticket_share_unique")]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} shared with {self.user_id}"


class Message(models.Model):
    """A public reply or an internal note on a ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False)
    is_public = models.BooleanField(_("public"), default=True)
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    body_text = models.TextField(_("message"))
    # Sanitized HTML, when the message arrived as HTML (email); the text is always present too.
    body_html = models.TextField(blank=True)
    # The quoted history and signature of an email reply: kept, shown folded away.
    quoted_text = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_public=True) | Q(author_kind__in=[AuthorKind.AGENT, AuthorKind.SYSTEM]),
                name="message_notes_by_staff",
            )
        ]

    def __str__(self) -> str:
        return f"message {self.pk} on ticket {self.ticket_id}"

    @property
    def author_name(self) -> str:
        if self.author_user is not None:
            return str(self.author_user)
        if self.author_customer is not None:
            return self.author_customer.display_name
        return str(_("System"))


def attachment_path(instance: Attachment, filename: str) -> str:
    """Stored under a random name: the original filename never reaches the file system."""
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # An image the message's HTML shows in place (<img src="cid:...">), not a file to download.
    content_id = models.CharField(max_length=255, blank=True)
    is_inline = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """One entry of a ticket's timeline: who changed what, when. Append-only."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Names are copied in, so the history reads the same after things are renamed or deleted.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="event_ticket_time")]

    def __str__(self) -> str:
        return f"{self.kind} on ticket {self.ticket_id}"

    @property
    def actor_name(self) -> str:
        if self.actor is not None:
            return str(self.actor)
        if self.actor_customer is not None:
            return self.actor_customer.display_name
        return str(_("System"))

    def value(self, key: str) -> Any:
        return self.data.get(key)
