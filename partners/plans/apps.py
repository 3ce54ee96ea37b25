from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Joint business plans between the vendor and a partner, or the partners of a solution (issue 5)."""

    name = "partners.plans"
    label = "plans"
    verbose_name = "Joint business plans"
