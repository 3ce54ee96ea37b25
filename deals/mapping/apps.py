from django.apps import AppConfig


class MappingConfig(AppConfig):
    """Privacy-preserving account mapping between the vendor and a partner, or two partners."""

    name = "deals.mapping"
    label = "mapping"
