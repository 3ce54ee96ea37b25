from django.apps import AppConfig


class EconomicsConfig(AppConfig):
    """Program economics (issue 8): customer revenue over time, program and direct-sales costs, and the
    metrics that prove partner value (retention, NRR, CLTV contribution, partner vs direct CAC)."""

    name = "attribution.economics"
    label = "economics"
    verbose_name = "Program economics"
