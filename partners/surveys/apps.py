from django.apps import AppConfig


class SurveysConfig(AppConfig):
    """Partner satisfaction (PSAT) surveys"""

    name = "partners.surveys"
    label = "surveys"
    verbose_name = " scheduling, answers in the partner portal, results (issue 8).:Partner surveys"
