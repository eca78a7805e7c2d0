"""Template filters of the agent desk: badges, counts, message bodies and timeline sentences.

Timeline sentences are built from the names copied into each event when it was written, so the
history reads the same after an agent, group or category is renamed or deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from supportdesk.tickets import rendering
from supportdesk.tickets.choices import Channel, EventKind, Status, TicketType
from supportdesk.tickets.models import Attachment, Message, Ticket, TicketEvent

register = template.Library()


@register.filter
def status_class(status: int) -> str:
    """The CSS class of a status badge (status-open, status-solved, …)."""
    return rendering.status_class(status)


@register.filter
def view_count(counts: dict[str, tuple[int, bool]] | None, slug: str) -> str:
    """A standard view's count as shown in the sidebar: "10,000+" once the count hit its cap;
    empty for views that are not counted ("All tickets")."""
    value = (counts or {}).get(slug)
    if value is None:
        return ""
    count, capped = value
    return _("%(count)s+") % {"count": intcomma(count)} if capped else intcomma(count)


@register.simple_tag
def conversation(
    messages: list[Message], attachments: dict[int, list[Attachment]] | None = None
) -> SafeString:
    """The ticket page's messages (rendering.conversation_html)."""
    return rendering.conversation_html(messages, attachments)


@register.simple_tag
def time_tag(value: datetime) -> SafeString:
    """`<time>` with the ISO date, the long date as its tooltip and "3 hours ago" as its text."""
    return mark_safe(rendering.time_html(value))  # noqa: S308 - escaped by time_html


@register.simple_tag
def ticket_items(tickets: list[Ticket]) -> SafeString:
    """`<li>` links to tickets with their status badges (rendering.ticket_items_html)."""
    return rendering.ticket_items_html(tickets)


# -- timeline -------------------------------------------------------------------------------------
def _name(value: Any) -> str:
    """A {"id", "name"} dict written by the services, or nothing."""
    if isinstance(value, dict) and value.get("name"):
        return str(value["name"])
    return _("nobody")


def _status(value: Any, label: Any) -> str:
    if label:
        return str(label)
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value)


def _ticket_type(value: Any) -> str:
    if value is None:
        return _("none")
    try:
        return str(TicketType(value).label)
    except ValueError:
        return str(value)


def _channel(value: Any) -> str:
    try:
        return str(Channel(value).label)
    except ValueError:
        return str(value or "")


def _plain(value: Any) -> str:
    if value in (None, ""):
        return _("empty")
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


def _changed(actor: str, what: str, old: str, new: str) -> str:
    return _("%(actor)s changed the %(what)s from %(old)s to %(new)s") % {
        "actor": actor,
        "what": what,
        "old": old,
        "new": new,
    }


def _tags_text(actor: str, data: dict[str, Any]) -> str:
    added, removed = ", ".join(data.get("added") or []), ", ".join(data.get("removed") or [])
    if added and removed:
        return _("%(actor)s added the tags %(added)s and removed %(removed)s") % {
            "actor": actor,
            "added": added,
            "removed": removed,
        }
    if added:
        return _("%(actor)s added the tags %(added)s") % {"actor": actor, "added": added}
    return _("%(actor)s removed the tags %(removed)s") % {"actor": actor, "removed": removed}


def _assignee_text(actor: str, data: dict[str, Any]) -> str:
    old, new = data.get("old"), data.get("new")
    if new and not old:
        return _("%(actor)s assigned the ticket to %(agent)s") % {"actor": actor, "agent": _name(new)}
    if old and not new:
        return _("%(actor)s removed %(agent)s as assignee") % {"actor": actor, "agent": _name(old)}
    return _changed(actor, _("assignee"), _name(old), _name(new))


def _fields_text(actor: str, data: dict[str, Any]) -> str:
    changes = data.get("changes") or {}
    parts = [
        _("%(field)s: %(old)s → %(new)s") % {"field": key, "old": _plain(pair[0]), "new": _plain(pair[1])}
        for key, pair in sorted(changes.items())
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]
    return _("%(actor)s changed custom fields (%(changes)s)") % {"actor": actor, "changes": "; ".join(parts)}


@register.filter
def event_text(event: TicketEvent) -> str:
    """One human-readable sentence for a timeline event, e.g. "Alex Agent changed the status
    from Open to Solved". Plain text: the template escapes it."""
    actor, data, kind = event.actor_name, event.data or {}, event.kind
    if kind == EventKind.CREATED and data.get("follow_up_of"):
        return _("%(actor)s created the ticket as a follow-up of #%(id)s (channel: %(channel)s)") % {
            "actor": actor,
            "id": data["follow_up_of"],
            "channel": _channel(data.get("channel")),
        }
    if kind == EventKind.CREATED:
        return _("%(actor)s created the ticket (channel: %(channel)s)") % {
            "actor": actor,
            "channel": _channel(data.get("channel")),
        }
    if kind == EventKind.STATUS:
        return _changed(
            actor,
            _("status"),
            _status(data.get("old"), data.get("old_label")),
            _status(data.get("new"), data.get("new_label")),
        )
    if kind == EventKind.PRIORITY:
        return _changed(actor, _("priority"), _name(data.get("old")), _name(data.get("new")))
    if kind == EventKind.TYPE:
        return _changed(actor, _("type"), _ticket_type(data.get("old")), _ticket_type(data.get("new")))
    if kind == EventKind.CATEGORY:
        return _changed(actor, _("category"), _name(data.get("old")), _name(data.get("new")))
    if kind == EventKind.GROUP:
        return _changed(actor, _("group"), _name(data.get("old")), _name(data.get("new")))
    if kind == EventKind.ASSIGNEE:
        return _assignee_text(actor, data)
    if kind == EventKind.SUBJECT:
        return _changed(actor, _("subject"), _plain(data.get("old")), _plain(data.get("new")))
    if kind == EventKind.REQUESTER:
        return _changed(actor, _("requester"), _name(data.get("old")), _name(data.get("new")))
    if kind == EventKind.TAGS:
        return _tags_text(actor, data)
    if kind == EventKind.FIELDS:
        return _fields_text(actor, data)
    if kind == EventKind.REPLY:
        return _("%(actor)s replied") % {"actor": actor}
    if kind == EventKind.NOTE:
        return _("%(actor)s added an internal note") % {"actor": actor}
    ticket = data.get("ticket") or {}
    if kind == EventKind.MERGED_INTO:
        return _("%(actor)s merged this ticket into #%(id)s “%(subject)s”") % {
            "actor": actor,
            "id": ticket.get("id", "?"),
            "subject": ticket.get("subject", ""),
        }
    if kind == EventKind.MERGED_FROM:
        count = int(data.get("messages") or 0)
        return ngettext(
            "%(actor)s merged #%(id)s “%(subject)s” into this ticket (%(count)d message moved)",
            "%(actor)s merged #%(id)s “%(subject)s” into this ticket (%(count)d messages moved)",
            count,
        ) % {
            "actor": actor,
            "id": ticket.get("id", "?"),
            "subject": ticket.get("subject", ""),
            "count": count,
        }
    if kind == EventKind.FOLLOWERS:
        names = ", ".join(_name(person) for person in data.get("added") or [])
        return _("%(actor)s copied %(people)s on the ticket") % {"actor": actor, "people": names}
    if kind == EventKind.SHARED:
        return _("%(actor)s shared the ticket with %(person)s") % {
            "actor": actor,
            "person": _name(data.get("user")),
        }
    if kind == EventKind.UNSHARED:
        return _("%(actor)s stopped sharing the ticket with %(person)s") % {
            "actor": actor,
            "person": _name(data.get("user")),
        }
    # An event kind added later still reads sensibly with its generic label.
    return _("%(actor)s %(action)s") % {"actor": actor, "action": event.get_kind_display()}
