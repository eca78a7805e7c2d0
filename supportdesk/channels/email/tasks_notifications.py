"""Background tasks for the notifications new tickets and messages cause. The event handlers in
`services.notifications` only enqueue these (by id) after commit, so the process that wrote the
ticket (a mail import, the SMTP receiver, a web request) never waits for templates to render.
Tasks are idempotent and re-check state: a notification already queued is not queued again."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from supportdesk.channels.email.services import notifications


@db_task()
def notify_ticket_created(ticket_id: int) -> None:
    """Queue `request_received` and `ticket_assigned` for a new ticket, where they apply."""
    notifications.ticket_created_notify(ticket_id)


@db_task()
def notify_message_added(message_id: int) -> None:
    """Queue the email a public message causes (the reply itself, `agent_replied`, `new_reply`)."""
    notifications.message_added_notify(message_id)
