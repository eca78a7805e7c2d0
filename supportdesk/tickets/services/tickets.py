"""Creating and changing tickets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from supportdesk.accounts.models import Group, User
from supportdesk.core import events
from supportdesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from supportdesk.core.inserts import insert
from supportdesk.core.queries import keep_related
from supportdesk.customers.models import Customer
from supportdesk.tickets import events as ticket_events
from supportdesk.tickets.choices import Channel, EventKind, Status, TicketType
from supportdesk.tickets.models import StatusLabel, Tag, Ticket, TicketFollower, TicketShare, TicketTag
from supportdesk.tickets.services.actors import Actor, lock_ticket
from supportdesk.tickets.services.attachments import Upload, check_uploads
from supportdesk.tickets.services.common import (
    clean_custom_fields,
    clean_subject,
    get_assignable,
    get_category,
    get_priority,
    index_new_ticket,
    named,
    person,
    record,
    taxonomy_default,
)
from supportdesk.tickets.services.messages import append_message
from supportdesk.tickets.services.reference import reference_peek, reference_store
from supportdesk.tickets.services.status import apply_status
from supportdesk.tickets.tags import MAX_TAGS_PER_TICKET, InvalidTag, clean_tags


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()
BULK_LIMIT = 100


def get_group(group_id: int) -> Group:
    group = taxonomy_default(("group", group_id), lambda: Group.objects.filter(pk=group_id).first())
    if group is None:
        raise ValidationFailed(_("Unknown group."), details={"group": _("Unknown group.")})
    return group


def default_group(category: Any) -> Group | None:
    if category is not None and category.default_group_id:
        return category.default_group  # read once per cached category
    return taxonomy_default("group", lambda: Group.objects.filter(is_default=True).first())


def _check_assignee_in_group(assignee: User | None, group: Group | None) -> None:
    """Agents take tickets of their own groups; managers and administrators take any."""
    if assignee is None or group is None or assignee.sees_all_tickets:
        return
    if group.pk not in assignee.group_ids:
        message = _("%(agent)s is not a member of the group %(group)s.") % {"agent": assignee, "group": group}
        raise ValidationFailed(message, details={"assignee": message})


def _clean_tag_list(raw: Iterable[str]) -> list[str]:
    try:
        tags = clean_tags(list(raw))
    except InvalidTag as error:
        message = _("“%(tag)s” is not a valid tag: use letters, digits and - _ . : / only.") % {
            "tag": str(error)[:60]
        }
        raise ValidationFailed(message, details={"tags": message}) from None
    if len(tags) > MAX_TAGS_PER_TICKET:
        message = _("A ticket can have at most %(n)d tags.") % {"n": MAX_TAGS_PER_TICKET}
        raise ValidationFailed(message, details={"tags": message})
    return tags


def _set_tags(ticket: Ticket, names: list[str]) -> tuple[list[str], list[str]]:
    current = dict(Tag.objects.filter(tickets=ticket).values_list("name", "pk"))
    added = [n for n in names if n not in current]
    removed = [n for n in current if n not in names]
    if added:
        existing = dict(Tag.objects.filter(name__in=added).values_list("name", "pk"))
        Tag.objects.bulk_create([Tag(name=n) for n in added if n not in existing], ignore_conflicts=True)
        ids = Tag.objects.filter(name__in=added).values_list("pk", flat=True)
        TicketTag.objects.bulk_create(
            [TicketTag(ticket=ticket, tag_id=pk) for pk in ids], ignore_conflicts=True
        )
    if removed:
        TicketTag.objects.filter(ticket=ticket, tag_id__in=[current[n] for n in removed]).delete()
    return added, sorted(removed)


def _tag_new_ticket(ticket: Ticket, names: list[str]) -> None:
    """Tag a ticket just created (it has no tags yet) and leave the tags on it, so that
    `ticket.tags.all()` reads nothing. Tags known to this process are linked in one statement
    that checks each one's id and name are still current; otherwise (a new tag, or one renamed or
    deleted meanwhile) the tags are read, the missing ones created, and the rest linked."""
    tags: list[Tag] = []
    if names:
        cached = [tag for tag in (reference_peek(("tag", n)) for n in names) if tag is not None]
        if len(cached) < len(names) or _link_known_tags(ticket, cached) < len(names):
            cached = list(Tag.objects.filter(name__in=names).order_by())
            if len(cached) < len(names):
                present = {tag.name for tag in cached}
                missing = [Tag(name=n) for n in names if n not in present]
                Tag.objects.bulk_create(missing, ignore_conflicts=True)
                cached = list(Tag.objects.filter(name__in=names).order_by())
            TicketTag.objects.bulk_create(
                [TicketTag(ticket=ticket, tag_id=tag.pk) for tag in cached], ignore_conflicts=True
            )
            for tag in cached:
                reference_store(("tag", tag.name), tag)
        tags = sorted(cached, key=lambda tag: tag.name)
    keep_related(ticket, "tags", tags)


def _link_known_tags(ticket: Ticket, tags: list[Tag]) -> int:
    """Link `tags` to a new ticket in one statement, only those whose id and name still match:
    the number linked."""
    # Only table names and placeholders are put into the text; the values are parameters.
    pairs = " OR ".join(["(id = %s AND name = %s)"] * len(tags))
    sql = (
        f"INSERT INTO {TicketTag._meta.db_table} (ticket_id, tag_id) "  # noqa: S608
        f"SELECT %s, id FROM {Tag._meta.db_table} WHERE {pairs}"
    )
    params: list[Any] = [ticket.pk]
    for tag in tags:
        params += [tag.pk, tag.name]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def ticket_create(
    *,
    actor: Actor,
    requester: Customer,
    subject: str,
    body: str,
    body_html: str = "",
    channel: str = Channel.WEB,
    priority: int | None = None,
    ticket_type: int | None = None,
    category_id: int | None = None,
    group_id: int | None = None,
    assignee_id: int | None = None,
    tags: Sequence[str] = (),
    custom_fields: dict[str, Any] | None = None,
    language: str = "",
    attachments: Sequence[Upload] = (),
    created_at: datetime | None = None,
    follow_up_of_id: int | None = None,
    follower_ids: Sequence[int] = (),
    quoted_text: str = "",
) -> Ticket:
    """Open a ticket with its first message (public, by the requester unless staff wrote it as
    a note on their behalf: a phone call is logged as the customer's words, written by the agent).

    Customers may only open tickets for themselves and set the category and the custom fields
    they are allowed to fill in. `follow_up_of_id` links the ticket to an earlier one the actor
    can see (a reply to a closed ticket); `follower_ids` are customers copied on the request.
    Emits TicketCreated and MessageAdded."""
    check_uploads(attachments)
    if actor.is_customer:
        if actor.customer is None or requester.pk != actor.customer.pk:
            raise PermissionDenied(_("Customers can only open requests for themselves."))
        if group_id or assignee_id or tags or priority is not None or ticket_type is not None:
            raise PermissionDenied(_("Customers cannot set these fields."))
    else:
        actor.require_worker()
    if ticket_type is not None and ticket_type not in TicketType.values:
        raise ValidationFailed(_("Unknown ticket type."), details={"ticket_type": _("Unknown ticket type.")})
    if channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel."), details={"channel": _("Unknown channel.")})
    subject = clean_subject(subject)
    category = get_category(category_id, use_fallback=True)
    group = get_group(group_id) if group_id else default_group(category)
    assignee = get_assignable(assignee_id) if assignee_id else None
    _check_assignee_in_group(assignee, group)
    fields = clean_custom_fields(
        custom_fields or {}, current={}, for_customer=actor.is_customer, enforce_required=not actor.is_system
    )
    tag_names = _clean_tag_list(tags)
    follow_up_of = None
    if follow_up_of_id is not None:
        follow_up_of = Ticket.objects.filter(actor.visibility(), pk=follow_up_of_id).first()
        if follow_up_of is None:
            raise ValidationFailed.on("follow_up_of", _("Ticket not found."))
    now = created_at or timezone.now()
    status = Status.OPEN if assignee is not None else Status.NEW
    ticket = Ticket(
        subject=subject,
        status=status,
        status_label=taxonomy_default(
            ("status_label", status),
            lambda: StatusLabel.objects.filter(status=status, is_default=True, is_active=True).first(),
        ),
        priority=get_priority(priority),
        ticket_type=ticket_type,
        category=category,
        channel=channel,
        language=(language or requester.language or "")[:16],
        requester=requester,
        organization_id=requester.organization_id,
        assignee=assignee,
        group=group,
        created_by=actor.user if actor.is_staff else None,
        custom_fields=fields,
        follow_up_of=follow_up_of,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
        # The counters of the first message (the requester's, appended below).
        message_count=1,
        last_customer_message_at=now,
        assigned_at=now if assignee else None,
    )
    insert(ticket)
    if Customer.organization.is_cached(requester):  # type: ignore[attr-defined]
        ticket.organization = requester.organization  # the same row: nothing to save
    _tag_new_ticket(ticket, tag_names)
    record(
        ticket,
        actor,
        EventKind.CREATED,
        at=now,
        channel=channel,
        subject=subject,
        follow_up_of=follow_up_of.pk if follow_up_of else None,
    )
    if follower_ids:
        _add_followers(ticket, actor, [pk for pk in follower_ids if pk != requester.pk], at=now)
    # The first message is the customer's request, even when an agent typed it in (a phone call).
    opener = actor if actor.is_customer else Actor.of_customer(requester)
    message = append_message(
        ticket,
        opener,
        body=body,
        body_html=body_html,
        is_public=True,
        attachments=attachments,
        channel=channel,
        created_at=now,
        quoted_text=quoted_text,
        opening=True,
    )
    ticket.opening_message_id = message.pk
    # The whole document in one write (the first message's text is not indexed on its own).
    index_new_ticket(ticket, message.body_text, subject, requester.display_name, requester.primary_email)
    publish_ticket_created(ticket)
    return ticket


def publish_ticket_created(ticket: Ticket) -> None:
    """TicketCreated for a new `ticket` (after commit), with who opened it and its assignee."""
    events.publish(
        ticket_events.TicketCreated(
            ticket_id=ticket.pk,
            channel=ticket.channel,
            created_by_id=ticket.created_by_id,
            assignee_id=ticket.assignee_id,
        )
    )


@transaction.atomic
def ticket_update(
    *,
    actor: Actor,
    ticket_id: int,
    subject: Any = UNSET,
    status: Any = UNSET,
    status_label_id: Any = UNSET,
    priority: Any = UNSET,
    ticket_type: Any = UNSET,
    category_id: Any = UNSET,
    group_id: Any = UNSET,
    assignee_id: Any = UNSET,
    requester_id: Any = UNSET,
    tags: Any = UNSET,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    custom_fields: Any = UNSET,
    at: datetime | None = None,
) -> Ticket:
    """Change any of a ticket's fields.

    Locks the ticket; writes one timeline event per changed field; rejects illegal status
    transitions (Conflict) and bad values (ValidationFailed), in which case nothing changes.
    Customers may only mark their request solved. `at` back-dates the change (imports, demo
    data). Emits TicketUpdated, and TicketStatusChanged / TicketAssigned where they apply."""
    ticket = lock_ticket(actor, ticket_id)
    if actor.is_customer:
        others = [
            subject,
            priority,
            ticket_type,
            category_id,
            group_id,
            assignee_id,
            requester_id,
            tags,
            custom_fields,
        ]
        if any(v is not UNSET for v in others) or add_tags or remove_tags or status_label_id is not UNSET:
            raise PermissionDenied(_("You cannot change this ticket."))
        if status is not UNSET and status != Status.SOLVED:
            raise PermissionDenied(_("You cannot change this ticket."))
    else:
        actor.require_worker()
    if ticket.is_closed:
        raise Conflict(_("Closed tickets cannot be changed."), code="ticket_closed")
    changes: dict[str, Any] = {}
    now = at or timezone.now()

    if subject is not UNSET:
        new_subject = clean_subject(subject)
        if new_subject != ticket.subject:
            record(ticket, actor, EventKind.SUBJECT, at=now, old=ticket.subject, new=new_subject)
            changes["subject"] = [ticket.subject, new_subject]
            ticket.subject = new_subject

    if priority is not UNSET and priority != ticket.priority_id:
        new_priority = get_priority(priority)
        record(ticket, actor, EventKind.PRIORITY, at=now, old=named(ticket.priority), new=named(new_priority))
        changes["priority"] = [ticket.priority_id, new_priority.rank]
        ticket.priority = new_priority

    if ticket_type is not UNSET and ticket_type != ticket.ticket_type:
        if ticket_type is not None and ticket_type not in TicketType.values:
            raise ValidationFailed(
                _("Unknown ticket type."), details={"ticket_type": _("Unknown ticket type.")}
            )
        record(ticket, actor, EventKind.TYPE, at=now, old=ticket.ticket_type, new=ticket_type)
        changes["ticket_type"] = [ticket.ticket_type, ticket_type]
        ticket.ticket_type = ticket_type

    if category_id is not UNSET and category_id != ticket.category_id:
        category = get_category(category_id, use_fallback=False)
        record(ticket, actor, EventKind.CATEGORY, at=now, old=named(ticket.category), new=named(category))
        changes["category"] = [ticket.category_id, category_id]
        ticket.category = category

    new_group = ticket.group
    if group_id is not UNSET and group_id != ticket.group_id:
        new_group = get_group(group_id) if group_id is not None else None
    new_assignee = ticket.assignee
    if assignee_id is not UNSET and assignee_id != ticket.assignee_id:
        new_assignee = get_assignable(assignee_id) if assignee_id is not None else None
    if new_group != ticket.group or new_assignee != ticket.assignee:
        _check_assignee_in_group(new_assignee, new_group)
    if new_group != ticket.group:
        record(ticket, actor, EventKind.GROUP, at=now, old=named(ticket.group), new=named(new_group))
        changes["group"] = [ticket.group_id, new_group.pk if new_group else None]
        ticket.group = new_group
    if new_assignee != ticket.assignee:
        previous = ticket.assignee
        record(ticket, actor, EventKind.ASSIGNEE, at=now, old=person(previous), new=person(new_assignee))
        changes["assignee"] = [previous.pk if previous else None, new_assignee.pk if new_assignee else None]
        ticket.assignee = new_assignee
        ticket.assigned_at = now if new_assignee else None
        events.publish(
            ticket_events.TicketAssigned(
                ticket_id=ticket.pk,
                assignee_id=new_assignee.pk if new_assignee else None,
                previous_assignee_id=previous.pk if previous else None,
            )
        )
        # Taking a new ticket means somebody is on it.
        if new_assignee is not None and ticket.status == Status.NEW and status is UNSET:
            status = Status.OPEN

    if requester_id is not UNSET and requester_id != ticket.requester_id:
        requester = Customer.objects.filter(pk=requester_id).first()
        if requester is None:
            raise ValidationFailed(_("Unknown customer."), details={"requester": _("Unknown customer.")})
        record(ticket, actor, EventKind.REQUESTER, at=now, old=named(ticket.requester), new=named(requester))
        changes["requester"] = [ticket.requester_id, requester.pk]
        ticket.requester, ticket.organization_id = requester, requester.organization_id

    if tags is not UNSET or add_tags or remove_tags:
        current = list(Tag.objects.filter(tickets=ticket).order_by("name").values_list("name", flat=True))
        wanted = _clean_tag_list(tags) if tags is not UNSET else current
        additions = _clean_tag_list(add_tags) if add_tags else []
        removals = set(_clean_tag_list(remove_tags)) if remove_tags else set()
        wanted = _clean_tag_list([t for t in [*wanted, *additions] if t not in removals])
        added, removed = _set_tags(ticket, wanted)
        if added or removed:
            record(ticket, actor, EventKind.TAGS, at=now, added=added, removed=removed)
            changes["tags"] = {"added": added, "removed": removed}

    if custom_fields is not UNSET:
        if not isinstance(custom_fields, dict):
            raise ValidationFailed.on("custom_fields", _("Custom fields must be an object."))
        new_fields = clean_custom_fields(
            custom_fields, current=ticket.custom_fields, for_customer=False, enforce_required=False
        )
        if new_fields != ticket.custom_fields:
            diff = {
                key: [ticket.custom_fields.get(key), new_fields.get(key)]
                for key in sorted(set(ticket.custom_fields) | set(new_fields))
                if ticket.custom_fields.get(key) != new_fields.get(key)
            }
            record(ticket, actor, EventKind.FIELDS, at=now, changes=diff)
            changes["custom_fields"] = diff
            ticket.custom_fields = new_fields

    if status is not UNSET or status_label_id is not UNSET:
        label_id = status_label_id if status_label_id is not UNSET else None
        apply_status(ticket, actor, status, label_id, changes, at=now)

    if changes:
        ticket.updated_at = now
        ticket.save()
        events.publish(
            ticket_events.TicketUpdated(ticket_id=ticket.pk, actor_id=actor.user_id, changes=changes)
        )
    return ticket


def tickets_bulk_update(*, actor: Actor, ticket_ids: Sequence[int], **changes: Any) -> dict[int, str | None]:
    """Apply the same change to up to BULK_LIMIT tickets, each in its own transaction.

    Returns ticket id → None on success or the error message; one ticket's failure (an illegal
    transition, say) does not stop the others."""
    actor.require_worker()
    ids = list(dict.fromkeys(int(i) for i in ticket_ids))
    if not ids:
        raise ValidationFailed(_("Select at least one ticket."), code="nothing_selected")
    if len(ids) > BULK_LIMIT:
        message = ngettext(
            "At most %(n)d ticket can be changed at once.",
            "At most %(n)d tickets can be changed at once.",
            BULK_LIMIT,
        )
        raise ValidationFailed(message % {"n": BULK_LIMIT}, code="too_many")
    results: dict[int, str | None] = {}
    for ticket_id in ids:
        try:
            ticket_update(actor=actor, ticket_id=ticket_id, **changes)
            results[ticket_id] = None
        except DomainError as error:
            results[ticket_id] = error.message
    return results


def _add_followers(
    ticket: Ticket, actor: Actor, customer_ids: Sequence[int], *, at: datetime
) -> list[Customer]:
    known = set(TicketFollower.objects.filter(ticket=ticket).values_list("customer_id", flat=True))
    new = list(Customer.objects.filter(pk__in=[pk for pk in customer_ids if pk not in known]).order_by("pk"))
    if new:
        TicketFollower.objects.bulk_create(
            [TicketFollower(ticket=ticket, customer=c, created_at=at) for c in new], ignore_conflicts=True
        )
        record(ticket, actor, EventKind.FOLLOWERS, at=at, added=[named(c) for c in new], removed=[])
    return new


@transaction.atomic
def ticket_add_followers(
    *, actor: Actor, ticket_id: int, customer_ids: Sequence[int], at: datetime | None = None
) -> list[Customer]:
    """Copy customers on a ticket (the CC of an email). Agents and the system may; returns the
    customers who were not following yet. Locks the ticket."""
    actor.require_worker()
    ticket = lock_ticket(actor, ticket_id)
    now = at or timezone.now()
    added = _add_followers(ticket, actor, [pk for pk in customer_ids if pk != ticket.requester_id], at=now)
    if added:
        ticket.updated_at = now
        ticket.save(update_fields=["updated_at"])
    return added


@transaction.atomic
def ticket_share(*, actor: Actor, ticket_id: int, user_id: int, at: datetime | None = None) -> TicketShare:
    """Share a ticket with a collaborator (or any staff member), who can then see it and add notes."""
    actor.require_worker()
    ticket = lock_ticket(actor, ticket_id)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.is_staff_member:
        raise ValidationFailed.on("user", _("Tickets can only be shared with staff members."))
    now = at or timezone.now()
    share, created = TicketShare.objects.get_or_create(
        ticket=ticket, user=user, defaults={"shared_by": actor.user, "created_at": now}
    )
    if created:
        record(ticket, actor, EventKind.SHARED, at=now, user=person(user))
        ticket.updated_at = now
        ticket.save(update_fields=["updated_at"])
    return share


@transaction.atomic
def ticket_unshare(*, actor: Actor, ticket_id: int, user_id: int) -> None:
    actor.require_worker()
    ticket = lock_ticket(actor, ticket_id)
    share = TicketShare.objects.select_related("user").filter(ticket=ticket, user_id=user_id).first()
    if share is None:
        raise NotFound(_("This ticket is not shared with that person."), code="share_not_found")
    record(ticket, actor, EventKind.UNSHARED, user=person(share.user))
    share.delete()


def tickets_close_solved(*, older_than: timedelta, batch: int = 500) -> int:
    """Close tickets solved longer ago than `older_than` (the auto-close rule). Each ticket is
    closed in its own transaction through ticket_update, so its timeline records it."""
    cutoff = timezone.now() - older_than
    ids = list(
        Ticket.objects.filter(status=Status.SOLVED, solved_at__lt=cutoff)
        .order_by("solved_at")
        .values_list("pk", flat=True)[:batch]
    )
    closed = 0
    for ticket_id in ids:
        try:
            ticket_update(actor=Actor.system(), ticket_id=ticket_id, status=Status.CLOSED)
            closed += 1
        except DomainError:
            continue  # reopened meanwhile: nothing to close
    return closed
