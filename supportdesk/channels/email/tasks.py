"""The email channel's background tasks, split by direction. huey finds tasks through each app's
`tasks` module, so this module imports both halves."""

from supportdesk.channels.email import tasks_inbound, tasks_notifications, tasks_outbound

__all__ = ["tasks_inbound", "tasks_notifications", "tasks_outbound"]
