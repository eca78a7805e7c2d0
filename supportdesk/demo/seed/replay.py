"""Carrying a planned ticket out the way the services would, as rows.

`stories` decides what happens to a ticket and when; `TicketReplay` applies those steps to a
small model of the ticket following the services' rules (ticket_create, ticket_update,
message_add, ticket_share, apply_status, the auto-close task): the same timeline events with the
same data, the same status transitions and per-status timestamps, the same counters, and the
search document the services would index. Event data is written as the JSON text json.dumps
gives for the services' dicts, directly: there are millions of events.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii as json_string
from typing import TYPE_CHECKING, Any

from supportdesk.demo.data.company import ESCALATED, WAITING_FOR_PARTS
from supportdesk.demo.data.scenarios import NORMAL
from supportdesk.demo.seed.files import sample_files
from supportdesk.demo.seed.people import CustomerRef
from supportdesk.demo.seed.plan import HOUR
from supportdesk.demo.seed.refs import CategoryRef, Named, StaffRef
from supportdesk.demo.seed.steps import MessageStep, ShareStep, UpdateStep
from supportdesk.tickets.choices import AuthorKind, Channel, EventKind, Status
from supportdesk.tickets.transitions import status_after_agent_reply, status_after_customer_reply

if TYPE_CHECKING:
    from supportdesk.demo.seed.stories import TicketBuilder

SYSTEM = None  # the actor of the auto-close task


class TicketReplay:
    """Carries a ticket's steps out the way the services would, writing rows as it goes."""

    def __init__(self, builder: TicketBuilder, times: list[int]):
        self.b, self.times = builder, times
        g = builder.g
        self.g, self.rows, self.ids, self.time = g, builder.rows, g.ids, g.time
        self.ticket_id = g.ids.ticket
        self.customer: CustomerRef = builder.customer
        self.document: list[str] = []
        self._last_public_at = builder.created

    def write(self) -> None:
        b, g = self.b, self.g
        create, created = b.create, b.created
        self.status: int = Status.OPEN if create.get("assignee") else Status.NEW
        self.label: Named | None = None
        self.priority = create.get("priority", NORMAL)
        self.ticket_type = create.get("ticket_type")
        self.category: CategoryRef = create["category"]
        self.group: Named = self.category.group or g.desk.default_group
        self.assignee: StaffRef | None = create.get("assignee")
        self.assigned_at = created if self.assignee else None
        self.tags: list[str] = list(create.get("tags", ()))
        self.fields: dict[str, Any] = dict(create.get("custom_fields", {}))
        self.updated = self.status_changed = created
        self.first_response: int | None = None
        self.last_agent: int | None = None
        self.solved: int | None = None
        self.closed: int | None = None
        self.last_customer = created
        self.reopens, self.message_count = 0, 1
        subject, subject_norm = b.subject_template.render(b.values, b.folded)
        self.subject = subject
        follow_up_of = None
        # A customer who writes to a closed ticket gets a new one that follows it up.
        last_closed = self.customer.last_closed_at
        if b.channel == Channel.EMAIL and 0 < last_closed < created and b.flow.random() < 0.3:
            follow_up_of = self.customer.last_ticket
        creator = b.creator
        self._event(
            created,
            EventKind.CREATED,
            creator,
            f'{{"channel": "{b.channel}", "subject": {json_string(subject)}, '
            f'"follow_up_of": {follow_up_of if follow_up_of is not None else "null"}}}',
        )
        opening = b.opening
        self._write_message(opening, created, opening=True)
        # The document as ticket_create indexes it: the request, the subject, the requester.
        self.document = [opening.document, subject_norm, self.customer.document]
        for at, (_gap, step) in zip(self.times, b.steps, strict=True):
            if isinstance(step, MessageStep):
                self._message_step(step, at)
            elif isinstance(step, UpdateStep):
                self._apply_update(step.actor, step.changes, at)
            else:
                self._share(step, at)
        if b.status == Status.CLOSED:
            solved = self.times[-1]
            due = solved + g.close_after
            close = min((due // HOUR + 1) * HOUR + int(b.flow.random() * 120), g.clock.now - 30)
            self._apply_update(SYSTEM, {"status": Status.CLOSED}, close)
        assert self.status == b.status, (self.ticket_id, self.status, b.status)
        self._write_ticket(follow_up_of)
        self.customer.last_ticket = self.ticket_id
        self.customer.last_closed_at = self.closed or 0

    # -- rows ------------------------------------------------------------------------------------
    def _event(
        self, at: int, kind: str, actor: StaffRef | None, data: str, *, customer: bool = False
    ) -> None:
        self.rows.events.append(
            (
                self.ids.event,
                self.ticket_id,
                kind,
                actor.id if actor is not None and not customer else None,
                self.customer.id if customer or (actor is None and kind == EventKind.CREATED) else None,
                data,
                self.time(at),
            )
        )
        self.ids.event += 1
        self.updated = max(self.updated, at)

    def _write_message(self, message: MessageStep, at: int, *, opening: bool = False) -> int:
        ids, b = self.ids, self.b
        message_id = ids.message
        ids.message += 1
        author = message.author
        quoted = ""
        if message.quote_of:
            header = b.book.quote_header.fill(
                {"date": self.time(self._last_public_at)[:16], "sender": "Brightleaf Support"}
            )
            quoted = (
                header
                + "\n"
                + "\n".join("> " + line if line else ">" for line in message.quote_of.split("\n"))
            )
        stamp = self.time(at)
        self.rows.messages.append(
            (
                message_id,
                self.ticket_id,
                message.public,
                AuthorKind.CUSTOMER.value if author is None else AuthorKind.AGENT.value,
                author.id if author is not None else None,
                self.customer.id if author is None else None,
                str(b.channel),
                message.text,
                message.html,
                quoted,
                b.customer.language,
                stamp,
            )
        )
        for index, key in enumerate(message.files):
            sample = sample_files()[key]
            name = sample.filename.format(n=message_id % 10_000 + index, invoice=b.values["invoice"])
            self.rows.attachments.append(
                (
                    ids.attachment,
                    self.ticket_id,
                    message_id,
                    uuid.UUID(int=b.flow.getrandbits(128), version=4).hex,
                    sample.path,
                    name,
                    sample.content_type,
                    sample.size,
                    sample.sha256,
                    "",
                    False,
                    stamp,
                )
            )
            ids.attachment += 1
        if message.public:
            self._last_public_at = at
        if not opening:
            self.message_count += 1
            self.updated = max(self.updated, at)
            if author is None:
                self.last_customer = at
            elif message.public:
                self.last_agent = at
                if self.first_response is None:
                    self.first_response = at
            self.document.append(message.document)
        return message_id

    def _message_step(self, message: MessageStep, at: int) -> None:
        message_id = self._write_message(message, at)
        author = message.author
        kind = EventKind.REPLY if message.public else EventKind.NOTE
        self._event(at, kind, author, f'{{"message_id": {message_id}}}', customer=author is None)
        if message.status is not None:
            target = message.status
        elif author is None:
            target = status_after_customer_reply(self.status)
        elif message.public:
            target = status_after_agent_reply(self.status)
        else:
            target = self.status
        if target != self.status:
            self._set_status(target, None, author, at, customer=author is None)

    def _set_status(
        self, status: int, label: Named | None, actor: StaffRef | None, at: int, *, customer: bool = False
    ) -> None:
        """apply_status: the transition, its timestamps and its timeline entry."""
        old_status, old_label = self.status, self.label
        if status != old_status:
            self.status_changed = at
            if status == Status.SOLVED:
                self.solved = at
            elif status == Status.CLOSED:
                self.closed = at
            elif old_status == Status.SOLVED:
                self.reopens += 1
                self.solved = None
        self.status, self.label = status, label
        # What json.dumps writes for the service's dict, without its cost on millions of events.
        old_name = json_string(old_label.name) if old_label else "null"
        new_name = json_string(label.name) if label else "null"
        data = (
            f'{{"old": {int(old_status)}, "new": {int(status)}, '
            f'"old_label": {old_name}, "new_label": {new_name}}}'
        )
        self._event(at, EventKind.STATUS, actor, data, customer=customer)

    def _apply_update(self, actor: StaffRef | None, changes: Mapping[str, Any], at: int) -> None:
        """ticket_update: one event per changed field, in the service's order."""
        # The event data is what json.dumps writes for the services' dicts, written directly:
        # there are millions of them.
        if "priority" in changes and changes["priority"] != self.priority:
            old_priority, new_priority = (
                self.g.desk.priorities[self.priority],
                self.g.desk.priorities[changes["priority"]],
            )
            data = f'{{"old": {_named(old_priority)}, "new": {_named(new_priority)}}}'
            self._event(at, EventKind.PRIORITY, actor, data)
            self.priority = changes["priority"]
        if "ticket_type" in changes and changes["ticket_type"] != self.ticket_type:
            old_type = int(self.ticket_type) if self.ticket_type is not None else "null"
            data = f'{{"old": {old_type}, "new": {int(changes["ticket_type"])}}}'
            self._event(at, EventKind.TYPE, actor, data)
            self.ticket_type = changes["ticket_type"]
        if "category" in changes and changes["category"].id != self.category.id:
            new = changes["category"]
            self._event(
                at, EventKind.CATEGORY, actor, f'{{"old": {_named(self.category)}, "new": {_named(new)}}}'
            )
            self.category = new
        status = changes.get("status")
        if "group" in changes and changes["group"].id != self.group.id:
            self._event(
                at,
                EventKind.GROUP,
                actor,
                f'{{"old": {_named(self.group)}, "new": {_named(changes["group"])}}}',
            )
            self.group = changes["group"]
        if "assignee" in changes and changes["assignee"] is not self.assignee:
            new_assignee: StaffRef = changes["assignee"]
            old = _named(self.assignee) if self.assignee else "null"
            self._event(at, EventKind.ASSIGNEE, actor, f'{{"old": {old}, "new": {_named(new_assignee)}}}')
            self.assignee, self.assigned_at = new_assignee, at
            # Taking a new ticket means somebody is on it.
            if self.status == Status.NEW and status is None:
                status = Status.OPEN
        if "tags" in changes:
            wanted = list(dict.fromkeys(changes["tags"]))
            added = [tag for tag in wanted if tag not in self.tags]
            removed = sorted(tag for tag in self.tags if tag not in wanted)
            if added or removed:
                listed = ", ".join(map(json_string, added)), ", ".join(map(json_string, removed))
                data = f'{{"added": [{listed[0]}], "removed": [{listed[1]}]}}'
                self._event(at, EventKind.TAGS, actor, data)
                self.tags = wanted
        if "custom_fields" in changes and changes["custom_fields"] != self.fields:
            new_fields = changes["custom_fields"]
            diff = {
                key: [self.fields.get(key), new_fields.get(key)]
                for key in sorted(set(self.fields) | set(new_fields))
                if self.fields.get(key) != new_fields.get(key)
            }
            self._event(at, EventKind.FIELDS, actor, json.dumps({"changes": diff}))
            self.fields = dict(new_fields)
        if "status_label" in changes:
            label = self.g.desk.labels[changes["status_label"]]
            label_status = _LABEL_STATUS[changes["status_label"]]
            if label_status != self.status or self.label is None or self.label.id != label.id:
                self._set_status(label_status, label, actor, at)
        elif status is not None and status != self.status:
            self._set_status(status, None, actor, at)
        self.updated = max(self.updated, at)

    def _share(self, step: ShareStep, at: int) -> None:
        self.rows.shares.append((self.ids.share, self.ticket_id, step.user.id, step.actor.id, self.time(at)))
        self.ids.share += 1
        self._event(
            at,
            EventKind.SHARED,
            step.actor,
            f'{{"user": {_named(step.user)}}}',
        )

    def _write_ticket(self, follow_up_of: int | None) -> None:
        rows, time, b = self.rows, self.time, self.b
        for tag in self.tags:
            rows.ticket_tags.append((self.ids.ticket_tag, self.ticket_id, self.g.desk.tags[tag]))
            self.ids.ticket_tag += 1

        def maybe(moment: int | None) -> str | None:
            return time(moment) if moment is not None else None

        rows.tickets.append(
            (
                self.ticket_id,
                self.subject,
                int(self.status),
                self.label.id if self.label else None,
                self.priority,
                int(self.ticket_type) if self.ticket_type is not None else None,
                self.category.id,
                str(b.channel),
                b.customer.language,
                self.customer.id,
                self.customer.organization_id,
                self.assignee.id if self.assignee else None,
                self.group.id,
                b.creator.id if b.creator else None,
                None,
                follow_up_of,
                json.dumps(self.fields),
                time(b.created),
                time(self.updated),
                time(self.status_changed),
                maybe(self.first_response),
                maybe(self.last_customer),
                maybe(self.last_agent),
                maybe(self.assigned_at),
                maybe(self.solved),
                maybe(self.closed),
                self.reopens,
                self.message_count,
            )
        )
        rows.ticket_documents.append((self.ticket_id, " ".join(part for part in self.document if part)))


_LABEL_STATUS = {WAITING_FOR_PARTS: Status.ON_HOLD, ESCALATED: Status.OPEN}
_NAMED: dict[tuple[int, str], str] = {}


def _named(row: Named | StaffRef | CategoryRef) -> str:
    """{"id": …, "name": …} as json.dumps writes it (what the services' named() and person() give)."""
    key = (row.id, row.name)
    found = _NAMED.get(key)
    if found is None:
        found = _NAMED[key] = f'{{"id": {row.id}, "name": {json_string(row.name)}}}'
    return found
