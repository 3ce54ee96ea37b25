from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    """Partner scorecard"""

    name = "partners.scorecard"
    label = "scorecard"
    verbose_name = " one partner's figures for a period beside the period before (issue 8).:Partner scorecard"
