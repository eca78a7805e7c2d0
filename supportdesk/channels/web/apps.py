from django.apps import AppConfig


class WebChannelConfig(AppConfig):
    name = "supportdesk.channels.web"
    label = "channel_web"
    verbose_name = "Web portal"
