from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "supportdesk.demo"
    label = "demo"
    verbose_name = "Demo data"
