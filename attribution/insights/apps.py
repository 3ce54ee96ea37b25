from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """The program metrics dashboard (issue 8): partner value figures over every other app's records,
    drillable to their rows, cached per tenant and invalidated when those records change."""

    name = "attribution.insights"
    label = "insights"
    verbose_name = "Program insights"

    def ready(self) -> None:
        from . import cache

        cache.connect()
