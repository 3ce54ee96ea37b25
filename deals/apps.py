from django.apps import AppConfig


class DealsConfig(AppConfig):
    """Customer accounts, deal registrations, conflicts, leads and co-selling (the deals issue)."""

    name = "deals"
