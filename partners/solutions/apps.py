from django.apps import AppConfig


class SolutionsConfig(AppConfig):
    """Joint solutions: the catalogue of multi-partner offerings and their orchestrators (issue 5)."""

    name = "partners.solutions"
    label = "solutions"
    verbose_name = "Joint solutions"
