"""API schemas for tickets, messages and the timeline: separate inputs and outputs.

Statuses and ticket types travel as slugs ("on_hold", "incident"), priorities as their rank,
related objects as ids in inputs and as small {id, name} objects in outputs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from ninja import Schema
from pydantic import Field

from supportdesk.core.api import ID_MAX, Id, Input, PatchInput
from supportdesk.tickets.choices import Status, TicketType
from supportdesk.tickets.services.common import MAX_BODY, MAX_SUBJECT
from supportdesk.tickets.tags import MAX_TAG_LENGTH

__all__ = ["ID_MAX", "Id"]

StatusSlug = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
StatusFilter = Literal["new", "open", "pending", "on_hold", "solved", "closed", "unsolved"]
TypeSlug = Literal["question", "incident", "problem", "task"]
ChannelSlug = Literal["email", "web", "phone", "chat", "social", "api", "agent"]
SortSlug = Literal["updated", "updated_asc", "created", "created_asc", "priority"]
Rank = Annotated[int, Field(ge=0, le=32767)]
TagName = Annotated[str, Field(max_length=MAX_TAG_LENGTH * 2)]
TagList = Annotated[list[TagName], Field(max_length=100)]
CustomFields = Annotated[dict[str, Any], Field(max_length=200)]

TICKET_TYPE_BY_SLUG: dict[str, int] = {t.name.lower(): t.value for t in TicketType}
SLUG_BY_TICKET_TYPE: dict[int, str] = {v: k for k, v in TICKET_TYPE_BY_SLUG.items()}
assert set(TICKET_TYPE_BY_SLUG) == set(TypeSlug.__args__)  # type: ignore[attr-defined]
assert {s.name.lower() for s in Status} == set(StatusSlug.__args__)  # type: ignore[attr-defined]


# -- output -------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class PersonRef(Schema):
    id: int
    name: str
    email: str


class PriorityRef(Schema):
    rank: int
    name: str


class TicketOut(Schema):
    id: int
    subject: str
    status: StatusSlug
    status_label: Ref | None
    priority: PriorityRef
    ticket_type: TypeSlug | None
    category: Ref | None
    channel: str
    language: str
    requester: PersonRef
    organization: Ref | None
    assignee: PersonRef | None
    group: Ref | None
    tags: list[str]
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    merged_into_id: int | None
    message_count: int
    url: str = Field(description="The ticket's page in the agent interface.")


class TicketListOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class BulkOut(Schema):
    results: dict[str, str | None] = Field(
        description="Ticket id → null when the change was applied, else the reason it was not."
    )


class Author(Schema):
    type: Literal["agent", "customer", "system"]
    id: int | None
    name: str
    email: str | None


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str = Field(description="Download link; needs the same authentication as the API.")


class MessageOut(Schema):
    id: int
    ticket_id: int
    is_public: bool
    author: Author
    channel: str
    body: str
    body_html: str
    created_at: datetime
    attachments: list[AttachmentOut]


class MessageListOut(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class EventOut(Schema):
    id: int
    kind: str
    actor: Author
    data: dict[str, Any]
    created_at: datetime


class EventListOut(Schema):
    items: list[EventOut]


# -- input --------------------------------------------------------------------------------------


class TicketListQuery(Schema):
    """Filters of GET /tickets. Repeat a parameter to allow several values (?status=new&status=open)."""

    status: list[StatusFilter] = Field(default_factory=list, max_length=10)
    priority: list[Rank] = Field(default_factory=list, max_length=20)
    assignee: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=list, max_length=50, description="An agent id, `me`, or `none` for unassigned."
    )
    group: list[Id] = Field(default_factory=list, max_length=50)
    category: list[Id] = Field(default_factory=list, max_length=50)
    tag: list[TagName] = Field(default_factory=list, max_length=10)
    channel: list[ChannelSlug] = Field(default_factory=list, max_length=10)
    language: list[Annotated[str, Field(max_length=16)]] = Field(default_factory=list, max_length=20)
    type: list[TypeSlug] = Field(default_factory=list, max_length=4)
    requester: Id | None = None
    organization: Id | None = None
    q: str = Field(default="", max_length=200, description="Words to search for, or a ticket number.")
    view: str | None = Field(default=None, max_length=40, description="A standard view: mine, unassigned, …")
    sort: SortSlug = "updated"
    cursor: str | None = Field(default=None, max_length=512)
    limit: int = Field(default=25, ge=1, le=100)


class RequesterIn(Input):
    email: str = Field(max_length=254)
    name: str = Field(default="", max_length=200)


class TicketCreateIn(Input):
    subject: str = Field(max_length=MAX_SUBJECT)
    body: str = Field(max_length=MAX_BODY, description="The customer's request, as plain text.")
    requester_id: Id | None = Field(default=None, description="An existing customer; or give `requester`.")
    requester: RequesterIn | None = Field(
        default=None, description="Found by email address, or created when nobody has it."
    )
    channel: ChannelSlug = "api"
    priority: Rank | None = None
    ticket_type: TypeSlug | None = None
    category_id: Id | None = None
    group_id: Id | None = None
    assignee_id: Id | None = None
    tags: TagList = Field(default_factory=list)
    custom_fields: CustomFields = Field(default_factory=dict)
    language: str = Field(default="", max_length=16)


class _TicketChanges(PatchInput):
    """Fields that a PATCH of one ticket and a bulk change share."""

    nullable: ClassVar[frozenset[str]] = frozenset({"ticket_type", "category_id", "group_id", "assignee_id"})

    status: StatusSlug | None = None
    status_label_id: Id | None = None
    priority: Rank | None = None
    ticket_type: TypeSlug | None = None
    category_id: Id | None = None
    group_id: Id | None = None
    assignee_id: Id | None = Field(default=None, description="null unassigns the ticket.")
    tags: TagList | None = Field(default=None, description="Replaces all tags.")
    add_tags: TagList | None = None
    remove_tags: TagList | None = None

    def service_changes(self) -> dict[str, Any]:
        """The sent fields as ticket_update keyword arguments (slugs turned into numbers)."""
        changes = self.changes()
        if "status" in changes:
            changes["status"] = Status[changes["status"].upper()].value
        if "ticket_type" in changes:
            value = changes["ticket_type"]
            changes["ticket_type"] = TICKET_TYPE_BY_SLUG[value] if value is not None else None
        return changes


class TicketPatchIn(_TicketChanges):
    subject: str | None = Field(default=None, max_length=MAX_SUBJECT)
    requester_id: Id | None = None
    custom_fields: CustomFields | None = Field(default=None, description="Merged into the current values.")


class BulkChangesIn(_TicketChanges):
    pass


class BulkIn(Input):
    ids: list[Id] = Field(min_length=1, max_length=100)
    changes: BulkChangesIn


class MergeIn(Input):
    target_id: Id = Field(description="The ticket that remains; this one is closed into it.")


class MessageIn(Input):
    body: str = Field(max_length=MAX_BODY)
    is_public: bool = Field(default=True, description="false for an internal note.")
    status: StatusSlug | None = Field(default=None, description="Change the status in the same step.")


# -- taxonomy: categories, tags, custom fields, priorities, status labels ------------------------

Position = Annotated[int, Field(ge=0, le=2**31 - 1)]
Translations = Annotated[
    dict[str, Annotated[str, Field(max_length=100)]],
    Field(max_length=10, description='Language code → name, e.g. {"pl": "Rozliczenia"}.'),
]
FieldTypeSlug = Literal["text", "number", "date", "dropdown", "checkbox"]


class CategoryOut(Schema):
    id: int
    name: str
    translations: dict[str, str]
    parent_id: int | None
    default_group_id: int | None
    position: int
    is_active: bool
    is_fallback: bool


class CategoryListOut(Schema):
    items: list[CategoryOut]


class CategoryIn(Input):
    name: str = Field(max_length=100)
    parent_id: Id | None = None
    default_group_id: Id | None = None
    position: Position = 0
    is_active: bool = True
    translations: Translations = Field(default_factory=dict)


class CategoryPatchIn(PatchInput):
    nullable: ClassVar[frozenset[str]] = frozenset({"parent_id", "default_group_id"})

    name: str | None = Field(default=None, max_length=100)
    parent_id: Id | None = None
    default_group_id: Id | None = None
    position: Position | None = None
    is_active: bool | None = None
    translations: Translations | None = None


class TagOut(Schema):
    id: int
    name: str


class TagListOut(Schema):
    items: list[TagOut]


class TagIn(Input):
    name: TagName


class CustomFieldOut(Schema):
    id: int
    key: str
    name: str
    translations: dict[str, str]
    field_type: FieldTypeSlug
    options: list[str]
    required: bool
    visible_to_customers: bool
    editable_by_customers: bool
    position: int
    is_active: bool


class CustomFieldListOut(Schema):
    items: list[CustomFieldOut]


Options = Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=200)]


class CustomFieldIn(Input):
    key: str = Field(max_length=50, description="Fixed once created: a-z, 0-9 and _.")
    field_type: FieldTypeSlug = Field(description="Fixed once created.")
    name: str = Field(max_length=100)
    options: Options = Field(default_factory=list, description="The choices of a dropdown.")
    required: bool = False
    visible_to_customers: bool = False
    editable_by_customers: bool = False
    position: Position = 0
    is_active: bool = True
    translations: Translations = Field(default_factory=dict)


class CustomFieldPatchIn(PatchInput):
    name: str | None = Field(default=None, max_length=100)
    options: Options | None = None
    required: bool | None = None
    visible_to_customers: bool | None = None
    editable_by_customers: bool | None = None
    position: Position | None = None
    is_active: bool | None = None
    translations: Translations | None = None


class PriorityOut(Schema):
    rank: int
    name: str
    translations: dict[str, str]
    color: str
    is_default: bool


class PriorityListOut(Schema):
    items: list[PriorityOut]


class StatusLabelOut(Schema):
    id: int
    name: str
    translations: dict[str, str]
    status: StatusSlug
    is_default: bool
    position: int
    is_active: bool


class StatusLabelListOut(Schema):
    items: list[StatusLabelOut]
