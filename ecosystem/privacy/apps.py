from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data: export what a tenant holds about a person, erase it, keep engagement events only so long."""

    name = "ecosystem.privacy"
    label = "privacy"
    verbose_name = "Personal data"
