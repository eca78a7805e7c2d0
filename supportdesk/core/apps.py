from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "supportdesk.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from supportdesk.core import audit

        audit.connect_sign_in_signals()
