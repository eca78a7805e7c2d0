"""Reads for tickets: the inbox views, filters, search, the ticket page. Every list is filtered
by the viewer's visibility (permissions.py) and paginated by keyset or bounded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.core.compiled import CompiledQuery, padded
from supportdesk.core.conf import product_settings
from supportdesk.core.errors import NotFound
from supportdesk.core.pagination import Page, SortKey, paginate
from supportdesk.core.queries import keep_related
from supportdesk.tickets import permissions
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import (
    OPEN_Q,
    Attachment,
    Category,
    CustomField,
    Message,
    Tag,
    Ticket,
    TicketEvent,
    TicketFollower,
    TicketShare,
    TicketTag,
    localized,
)
from supportdesk.tickets.services.common import ticket_search_index

if TYPE_CHECKING:
    from supportdesk.accounts.models import User
    from supportdesk.customers.models import Customer

RECENTLY_SOLVED = timedelta(days=7)
CONVERSATION_LIMIT = 300
TIMELINE_LIMIT = 300

SORTS: dict[str, tuple[SortKey, ...]] = {
    "updated": (SortKey("updated_at"), SortKey("id")),
    "updated_asc": (SortKey("updated_at", descending=False), SortKey("id", descending=False)),
    "created": (SortKey("created_at"), SortKey("id")),
    "created_asc": (SortKey("created_at", descending=False), SortKey("id", descending=False)),
    "priority": (SortKey("priority"), SortKey("updated_at"), SortKey("id")),
}
SORT_LABELS: dict[str, Promise] = {
    "updated": _("Recently updated"),
    "updated_asc": _("Least recently updated"),
    "created": _("Newest"),
    "created_asc": _("Oldest"),
    "priority": _("Highest priority"),
}
# With a text query the newest matches come first; the index yields them in id order.
SEARCH_SORT = (SortKey("id"),)


@dataclass(frozen=True)
class TicketFilters:
    """What an inbox or API list may be narrowed by. Empty means "any"."""

    statuses: tuple[int, ...] = ()
    priorities: tuple[int, ...] = ()
    assignee_ids: tuple[int, ...] = ()
    unassigned: bool = False
    group_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    ticket_types: tuple[int, ...] = ()
    requester_id: int | None = None
    organization_id: int | None = None
    text: str = ""
    extra: Q = field(default_factory=Q)

    def as_q(self) -> Q:
        q = Q()
        if self.statuses:
            q &= Q(status__in=self.statuses)
        if self.priorities:
            q &= Q(priority_id__in=self.priorities)
        if self.assignee_ids and self.unassigned:
            q &= Q(assignee_id__in=self.assignee_ids) | Q(assignee__isnull=True)
        elif self.assignee_ids:
            q &= Q(assignee_id__in=self.assignee_ids)
        elif self.unassigned:
            q &= Q(assignee__isnull=True)
        if self.group_ids:
            q &= Q(group_id__in=self.group_ids)
        if self.category_ids:
            q &= Q(category_id__in=self.category_ids)
        if self.channels:
            q &= Q(channel__in=self.channels)
        if self.languages:
            q &= Q(language__in=self.languages)
        if self.ticket_types:
            q &= Q(ticket_type__in=self.ticket_types)
        if self.requester_id:
            q &= Q(requester_id=self.requester_id)
        if self.organization_id:
            q &= Q(organization_id=self.organization_id)
        for tag in self.tags:
            q &= Q(pk__in=Tag.objects.filter(name=tag).values("tickets"))
        return q & self.extra


@dataclass(frozen=True)
class StandardView:
    slug: str
    title: Promise
    condition: Callable[[User], Q]
    for_collaborators: bool = False


def _my_groups(user: User) -> Q:
    # Managers and administrators who belong to no group work the whole desk.
    if user.sees_all_tickets and not user.group_ids:
        return Q()
    return Q(group_id__in=sorted(user.group_ids))


STANDARD_VIEWS: tuple[StandardView, ...] = (
    StandardView("mine", _("My open tickets"), lambda u: OPEN_Q & Q(assignee_id=u.pk)),
    StandardView(
        "unassigned",
        _("Unassigned in my groups"),
        lambda u: OPEN_Q & Q(assignee__isnull=True) & _my_groups(u),
    ),
    StandardView("open", _("All open in my groups"), lambda u: OPEN_Q & _my_groups(u)),
    StandardView("pending", _("Pending"), lambda u: Q(status=Status.PENDING) & _my_groups(u)),
    StandardView(
        "solved",
        _("Recently solved"),
        lambda u: Q(status=Status.SOLVED, solved_at__gte=timezone.now() - RECENTLY_SOLVED) & _my_groups(u),
    ),
    StandardView("shared", _("Shared with me"), lambda u: Q(shares__user_id=u.pk), for_collaborators=True),
    StandardView("all", _("All tickets"), lambda u: Q()),
)


def views_for(user: User) -> list[StandardView]:
    if user.is_agent:
        return [v for v in STANDARD_VIEWS if v.slug != "shared"]
    if user.is_staff_member:
        return [v for v in STANDARD_VIEWS if v.for_collaborators]
    return []


def view_by_slug(user: User, slug: str) -> StandardView:
    for view in views_for(user):
        if view.slug == slug:
            return view
    raise NotFound(gettext("Unknown view."), code="view_not_found")


def visible_tickets(user: User) -> QuerySet[Ticket]:
    return Ticket.objects.filter(permissions.staff_visibility(user))


# A page of the API's list, by the page's ids (padded: core/compiled.py): the tickets with what
# they show of the rows around them, and their tags.
_LISTED_TICKETS: CompiledQuery[Ticket] = CompiledQuery(
    lambda ids: Ticket.objects.filter(pk__in=ids).select_related(
        "requester", "organization", "assignee", "group", "priority", "status_label", "category"
    )
)
_TAGS_OF_TICKETS: CompiledQuery[TicketTag] = CompiledQuery(
    lambda ids: TicketTag.objects.filter(ticket_id__in=ids).select_related("tag").order_by("tag__name")
)


def _with_list_joins(ids: list[int]) -> list[Ticket]:
    ids = padded(ids)
    tickets = _LISTED_TICKETS(ids=ids)
    tags: dict[int, list[Tag]] = {}
    for link in _TAGS_OF_TICKETS(ids=ids):
        tags.setdefault(link.ticket_id, []).append(link.tag)
    for ticket in tickets:
        keep_related(ticket, "tags", tags.get(ticket.pk, []))
    return tickets


@dataclass(frozen=True, slots=True)
class TicketRow:
    """What a row of the inbox shows, as plain values: a page of rows is read in two queries
    without building the eight model instances per ticket a joined Ticket would need."""

    pk: int
    subject: str
    status: int
    status_label: str  # the label's name in the active language, "" without a label
    requester: str
    organization: str
    priority: str
    priority_color: str
    assignee: str
    group: str
    updated_at: datetime
    tags: tuple[str, ...]


_ROW_COLUMNS = (
    "id",
    "subject",
    "status",
    "status_label__name",
    "status_label__translations",
    "requester__name",
    "requester__primary_email",
    "organization__name",
    "priority__name",
    "priority__translations",
    "priority__color",
    "assignee__name",
    "assignee__email",
    "group__name",
    "updated_at",
)


# The inbox's second and third reads, by the page's ids (padded: core/compiled.py), compiled once.
_ROWS: CompiledQuery[tuple[Any, ...]] = CompiledQuery(
    lambda ids: Ticket.objects.filter(pk__in=ids).values_list(*_ROW_COLUMNS)
)
_TAG_NAMES: CompiledQuery[tuple[int, str]] = CompiledQuery(
    lambda ids: (
        TicketTag.objects.filter(ticket_id__in=ids)
        .order_by("tag__name")
        .values_list("ticket_id", "tag__name")
    )
)


def _ticket_rows(ids: list[int]) -> list[TicketRow]:
    language = get_language()
    ids = padded(ids)
    rows = _ROWS(ids=ids)
    tags: dict[int, list[str]] = {}
    for ticket_id, name in _TAG_NAMES(ids=ids):
        tags.setdefault(ticket_id, []).append(name)
    return [
        TicketRow(
            pk=pk,
            subject=subject,
            status=status,
            status_label=localized(label, label_names, language) if label else "",
            requester=requester_name or requester_email or "",
            organization=organization or "",
            priority=localized(priority, priority_names, language) if priority else "",
            priority_color=color or "",
            assignee=assignee_name or assignee_email or "",
            group=group or "",
            updated_at=updated_at,
            tags=tuple(tags.get(pk, ())),
        )
        for (
            pk,
            subject,
            status,
            label,
            label_names,
            requester_name,
            requester_email,
            organization,
            priority,
            priority_names,
            color,
            assignee_name,
            assignee_email,
            group,
            updated_at,
        ) in rows
    ]


def _listed(
    user: User, view: StandardView | None, filters: TicketFilters | None, sort: str
) -> tuple[QuerySet[Ticket], Sequence[SortKey]]:
    """The tickets of a list and their order: what ticket_list and ticket_rows page through."""
    tickets = visible_tickets(user)
    if view is not None:
        tickets = tickets.filter(view.condition(user))
    filters = filters or TicketFilters()
    tickets = tickets.filter(filters.as_q())
    keys = SORTS.get(sort, SORTS["updated"])
    if filters.text.strip():
        tickets = _text_filter(tickets, filters.text)
        keys = SEARCH_SORT
    return tickets, keys


def ticket_list(
    user: User,
    *,
    view: StandardView | None = None,
    filters: TicketFilters | None = None,
    sort: str = "updated",
    cursor: str | None = None,
    size: int | None = None,
) -> Page[Ticket]:
    """One page of the tickets `user` may see, in `view`, narrowed by `filters`, in `sort` order
    (or newest first for a text search). Query count is constant: ids, rows, tags."""
    tickets, keys = _listed(user, view, filters, sort)
    size = size or product_settings().inbox_page_size
    return paginate(tickets, keys, cursor, size, hydrate=_with_list_joins)


def ticket_rows(
    user: User,
    *,
    view: StandardView | None = None,
    filters: TicketFilters | None = None,
    sort: str = "updated",
    cursor: str | None = None,
    size: int | None = None,
) -> Page[TicketRow]:
    """The same page as ticket_list, as the inbox's plain rows (three queries)."""
    tickets, keys = _listed(user, view, filters, sort)
    size = size or product_settings().inbox_page_size
    return paginate(tickets, keys, cursor, size, hydrate=_ticket_rows)


def _text_filter(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    text = text.strip()
    number = text.lstrip("#")
    if number.isdigit() and len(number) < 19:
        return tickets.filter(pk=int(number))
    match = ticket_search_index.matching_ids(text)
    return tickets if match is None else tickets.filter(pk__in=RawSQL(*match))


def capped_count(tickets: QuerySet[Ticket], cap: int | None = None) -> tuple[int, bool]:
    """How many rows match, counting at most `cap` of them: (count, whether it hit the cap).

    The cost is bounded by the cap whatever the table size; views show "10,000+" beyond it."""
    cap = cap or product_settings().view_count_cap
    count = tickets.order_by().values("pk")[: cap + 1].count()
    return min(count, cap), count > cap


def view_counts(user: User) -> dict[str, tuple[int, bool]]:
    base = visible_tickets(user)
    return {
        view.slug: capped_count(base.filter(view.condition(user)))
        for view in views_for(user)
        if view.slug != "all"
    }


# -- one ticket -----------------------------------------------------------------------------------
def ticket_for_staff(user: User, ticket_id: int) -> Ticket:
    """A ticket with everything its page shows in the side panel; NotFound if not visible."""
    # A slice rather than .first(): ordering by pk makes Django match the ORDER BY against the
    # hundred-odd selected columns, which cost more than the whole query.
    found = list(
        visible_tickets(user)
        .select_related(
            "requester",
            "requester__organization",
            "organization",
            "assignee",
            "group",
            "priority",
            "status_label",
            "category",
            "merged_into",
            "created_by",
        )
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")), "shares__user")
        .filter(pk=ticket_id)[:1]
    )
    if not found:
        raise NotFound(gettext("Ticket not found."), code="ticket_not_found")
    return found[0]


def _page_ticket(ticket_id: int, **reach: Any) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(permissions.reach_filter(**reach))
        .select_related(
            "requester__organization",
            "assignee",
            "group",
            "priority",
            "status_label",
            "category",
            "merged_into",
        )
        .only(
            *(f.name for f in Ticket._meta.concrete_fields),
            "requester__name",
            "requester__primary_email",
            "requester__organization__name",
            "assignee__name",
            "assignee__email",
            "group__name",
            "merged_into__subject",
            # priority, status_label and category: every column (a relation named here by
            # no field is read whole).
        )
        .filter(pk=ticket_id)[:1]
    )


# The ticket page's reads, compiled once per process (core/compiled.py): building and compiling
# them cost ten times what running them did.
_PAGE_TICKET: CompiledQuery[Ticket] = CompiledQuery(_page_ticket)
_TAGS_OF: CompiledQuery[Tag] = CompiledQuery(
    lambda ticket_id: Tag.objects.filter(tickets=ticket_id).order_by("name")
)
_SHARES: CompiledQuery[TicketShare] = CompiledQuery(
    lambda ticket_id: (
        TicketShare.objects.filter(ticket_id=ticket_id)
        .select_related("user")
        .only("id", "ticket_id", "user_id", "created_at", "user__name", "user__email")
        .order_by("created_at", "id")
    )
)


def ticket_for_page(user: User, ticket_id: int) -> Ticket:
    """ticket_for_staff for the ticket page: the same ticket and tags (its shares are read by
    ticket_shares), with only the columns the page shows of the people and the group around
    it; NotFound if not visible."""
    ticket = _PAGE_TICKET.first(ticket_id=ticket_id, **permissions.staff_reach(user))
    if ticket is None:
        raise NotFound(gettext("Ticket not found."), code="ticket_not_found")
    keep_related(ticket, "tags", _TAGS_OF(ticket_id=ticket_id))
    return ticket


def ticket_shares(ticket: Ticket) -> list[TicketShare]:
    """Who the ticket is shared with, oldest share first, with each person's name."""
    return _SHARES(ticket_id=ticket.pk)


def tickets_of_customer(customer: Customer) -> QuerySet[Ticket]:
    return Ticket.objects.filter(permissions.customer_visibility(customer))


def ticket_for_customer(customer: Customer, ticket_id: int) -> Ticket:
    ticket = (
        tickets_of_customer(customer)
        .select_related("requester", "priority", "status_label", "category", "merged_into")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(gettext("Ticket not found."), code="ticket_not_found")
    return ticket


def customer_ticket_list(
    customer: Customer,
    *,
    scope: str = "mine",
    open_only: bool = False,
    cursor: str | None = None,
    size: int = 20,
) -> Page[Ticket]:
    """A customer's requests (scope "mine") or their organization's (scope "organization")."""
    tickets = tickets_of_customer(customer)
    if scope == "mine":
        tickets = tickets.filter(requester_id=customer.pk)
    if open_only:
        tickets = tickets.filter(OPEN_Q)
    return paginate(
        tickets.select_related("requester", "status_label", "category"), SORTS["updated"], cursor, size
    )


def conversation(ticket: Ticket, *, include_notes: bool) -> list[Message]:
    """The ticket's messages in order (the latest CONVERSATION_LIMIT), with authors and
    attachments; customers never get internal notes."""
    messages = Message.objects.filter(ticket=ticket)
    if not include_notes:
        messages = messages.filter(is_public=True)
    latest = (
        messages.select_related("author_user", "author_customer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("-created_at", "-id")[:CONVERSATION_LIMIT]
    )
    return list(reversed(latest))


_LATEST_MESSAGES: CompiledQuery[Message] = CompiledQuery(
    lambda ticket_id: (
        Message.objects.filter(ticket_id=ticket_id)
        .select_related("author_user", "author_customer")
        .only(
            *(f.name for f in Message._meta.concrete_fields),
            "author_user__name",
            "author_user__email",
            "author_customer__name",
            "author_customer__primary_email",
        )
        .order_by("-created_at", "-id")[:CONVERSATION_LIMIT]
    )
)
_ATTACHMENTS_OF: CompiledQuery[Attachment] = CompiledQuery(
    lambda message_ids: Attachment.objects.filter(message_id__in=message_ids).order_by("id")
)


def staff_conversation(ticket: Ticket) -> tuple[list[Message], dict[int, list[Attachment]]]:
    """The staff ticket page's conversation: conversation(ticket, include_notes=True) reading
    only the authors' names, and the messages' attachments by message id (two queries)."""
    latest = _LATEST_MESSAGES(ticket_id=ticket.pk)
    latest.reverse()
    attachments: dict[int, list[Attachment]] = {}
    if latest:
        for attachment in _ATTACHMENTS_OF(message_ids=padded([m.pk for m in latest])):
            attachments.setdefault(attachment.message_id, []).append(attachment)
    return latest, attachments


OLDEST_FIRST = (SortKey("created_at", descending=False), SortKey("id", descending=False))


def message_page(ticket_id: int, *, cursor: str | None, size: int) -> Page[Message]:
    """One page of a ticket's messages, oldest first, internal notes included (staff only: the
    caller has checked that the ticket is visible). Served by the (ticket, created_at, id) index."""
    messages = (
        Message.objects.filter(ticket_id=ticket_id)
        .select_related("author_user", "author_customer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    return paginate(messages, OLDEST_FIRST, cursor, size)


def timeline(ticket: Ticket) -> list[TicketEvent]:
    events = (
        TicketEvent.objects.filter(ticket=ticket)
        .select_related("actor", "actor_customer")
        .order_by("-created_at", "-id")[:TIMELINE_LIMIT]
    )
    return list(reversed(events))


OTHER_TICKETS_SHOWN = 10
_OTHER_TICKETS: CompiledQuery[Ticket] = CompiledQuery(
    lambda requester_id, ticket_id, **reach: (
        Ticket.objects.filter(permissions.reach_filter(**reach), requester_id=requester_id)
        .exclude(pk=ticket_id)
        .select_related("status_label")
        # What the side panel shows (number, subject, status): a narrow select is cheaper to
        # build and to order than whole rows.
        .only("id", "subject", "status", "status_label", "status_label__name", "status_label__translations")
        .order_by("-updated_at", "-id")[:OTHER_TICKETS_SHOWN]
    )
)


def other_tickets_of_requester(user: User, ticket: Ticket) -> list[Ticket]:
    """The requester's other tickets the viewer may see, the most recently active first."""
    return _OTHER_TICKETS(
        requester_id=ticket.requester_id, ticket_id=ticket.pk, **permissions.staff_reach(user)
    )


# The side panel lists this many follow-ups and followers at most; a ticket rarely has more.
RELATED_LIMIT = 20
_FOLLOW_UP_OF: CompiledQuery[Ticket] = CompiledQuery(
    lambda ticket_id, **reach: Ticket.objects.filter(permissions.reach_filter(**reach), pk=ticket_id).only(
        "id", "subject"
    )[:1]
)
# A follow-up is always created after its ticket: the date bound keeps this a range scan of
# the creation-date index.
_FOLLOW_UPS: CompiledQuery[Ticket] = CompiledQuery(
    lambda ticket_id, since, **reach: (
        Ticket.objects.filter(
            permissions.reach_filter(**reach), follow_up_of_id=ticket_id, created_at__gte=since
        )
        .only("id", "subject")
        .order_by("created_at", "id")[:RELATED_LIMIT]
    )
)
_FOLLOWERS: CompiledQuery[TicketFollower] = CompiledQuery(
    lambda ticket_id: (
        TicketFollower.objects.filter(ticket_id=ticket_id)
        .select_related("customer")
        .only("id", "ticket_id", "customer_id", "created_at", "customer__name", "customer__primary_email")
        .order_by("created_at", "id")[:RELATED_LIMIT]
    )
)


def related_to(user: User, ticket: Ticket) -> dict[str, Any]:
    """The ticket this one follows up, the tickets that follow it up (both only when the viewer
    may see them; RELATED_LIMIT at most) and the customers copied on it: three small queries."""
    reach = permissions.staff_reach(user)
    follow_up_of = None
    if ticket.follow_up_of_id:
        follow_up_of = _FOLLOW_UP_OF.first(ticket_id=ticket.follow_up_of_id, **reach)
    return {
        "follow_up_of": follow_up_of,
        "follow_ups": _FOLLOW_UPS(ticket_id=ticket.pk, since=ticket.created_at, **reach),
        "followers": _FOLLOWERS(ticket_id=ticket.pk),
    }


def attachment_for_staff(user: User, token: str) -> Attachment:
    """An attachment on a ticket `user` may see (notes included); NotFound otherwise."""
    attachment = (
        Attachment.objects.select_related("message")
        .filter(token=token, ticket__in=visible_tickets(user).values("pk"))
        .first()
    )
    if attachment is None:
        raise NotFound(gettext("File not found."), code="attachment_not_found")
    return attachment


def attachment_for_customer(customer: Customer, token: str) -> Attachment:
    """An attachment on a public message of a ticket the customer may see; NotFound otherwise."""
    attachment = (
        Attachment.objects.select_related("message")
        .filter(token=token, message__is_public=True, ticket__in=tickets_of_customer(customer).values("pk"))
        .first()
    )
    if attachment is None:
        raise NotFound(gettext("File not found."), code="attachment_not_found")
    return attachment


def tickets_by_ids(user: User, ids: Sequence[int]) -> QuerySet[Ticket]:
    return visible_tickets(user).filter(pk__in=list(ids))


# -- the taxonomy, read by forms and the API (short lists by nature) -----------------------------
def category_list() -> QuerySet[Category]:
    return Category.objects.order_by("position", "name", "id")


def custom_field_list() -> QuerySet[CustomField]:
    return CustomField.objects.order_by("position", "id")


def tag_search(prefix: str, limit: int) -> QuerySet[Tag]:
    """Tags whose name starts with `prefix` (folded as tags are), by name, at most `limit`."""
    tags = Tag.objects.order_by("name")
    prefix = prefix.strip().casefold().replace("\x00", "")
    if prefix:
        tags = tags.filter(name__startswith=prefix)
    return tags[:limit]
