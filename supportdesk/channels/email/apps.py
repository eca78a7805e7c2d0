from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    name = "supportdesk.channels.email"
    label = "channel_email"
    verbose_name = "Email channel"

    def ready(self) -> None:
        # Replies and notifications go out after ticket changes commit; the ticket page shows
        # how each emailed message fared (sent, waiting, failed, bounced).
        from supportdesk.channels.email.services import notifications, outbound
        from supportdesk.tickets.extensions import register_message_notes

        notifications.subscribe()
        register_message_notes(outbound.message_notes_for)
