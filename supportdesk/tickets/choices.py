from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.IntegerChoices):
    """The fixed status categories. Rules (SLA clocks, views, transitions) use only these;
    custom status labels map onto one of them. Values are ordered so that "unsolved" is
    `status < SOLVED`, which partial indexes serve."""

    NEW = 10, _("New")
    OPEN = 20, _("Open")
    PENDING = 30, _("Pending")
    ON_HOLD = 40, _("On hold")
    SOLVED = 50, _("Solved")
    CLOSED = 60, _("Closed")


UNSOLVED = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]
STATUS_BY_SLUG = {s.name.lower(): s for s in Status}


def status_slug(status: int) -> str:
    return Status(status).name.lower()


class TicketType(models.IntegerChoices):
    QUESTION = 1, _("Question")
    INCIDENT = 2, _("Incident")
    PROBLEM = 3, _("Problem")
    TASK = 4, _("Task")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEB = "web", _("Web portal")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    SOCIAL = "social", _("Social")
    API = "api", _("API")
    AGENT = "agent", _("Agent")


class AuthorKind(models.TextChoices):
    AGENT = "agent", _("Agent")
    CUSTOMER = "customer", _("Customer")
    SYSTEM = "system", _("System")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    DROPDOWN = "dropdown", _("Dropdown")
    CHECKBOX = "checkbox", _("Checkbox")


class EventKind(models.TextChoices):
    CREATED = "created", _("created the ticket")
    STATUS = "status", _("changed the status")
    PRIORITY = "priority", _("changed the priority")
    TYPE = "type", _("changed the type")
    CATEGORY = "category", _("changed the category")
    ASSIGNEE = "assignee", _("changed the assignee")
    GROUP = "group", _("changed the group")
    SUBJECT = "subject", _("changed the subject")
    REQUESTER = "requester", _("changed the requester")
    TAGS = "tags", _("changed the tags")
    FIELDS = "fields", _("changed custom fields")
    REPLY = "reply", _("replied")
    NOTE = "note", _("added an internal note")
    MERGED_INTO = "merged_into", _("merged this ticket into another")
    MERGED_FROM = "merged_from", _("merged another ticket into this one")
    FOLLOWERS = "followers", _("changed the followers")
    SHARED = "shared", _("shared the ticket")
    UNSHARED = "unshared", _("stopped sharing the ticket")
