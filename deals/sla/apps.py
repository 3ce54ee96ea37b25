from django.apps import AppConfig


class SlaConfig(AppConfig):
    """Operational SLAs on both sides of the program, measured from event timestamps."""

    name = "deals.sla"
    label = "sla"
