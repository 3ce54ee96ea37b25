from django.apps import AppConfig


class MdfConfig(AppConfig):
    """Market development funds"""

    name = "partners.mdf"
    label = "mdf"
    verbose_name = " budgets, requests, claims and their return (issue 8).:Market development funds"
