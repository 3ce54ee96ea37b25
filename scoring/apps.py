from django.apps import AppConfig


class ScoringConfig(AppConfig):
    """Health scores, churn prediction and partner fit (the scoring issue)."""

    name = "scoring"
