from django.apps import AppConfig


class AttributionConfig(AppConfig):
    """Touchpoints and attribution runs (the attribution issue)."""

    name = "attribution"
