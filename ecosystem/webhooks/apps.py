from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Webhooks"""

    name = "ecosystem.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
