"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""

from .views import BusinessPlanViewSet, MyBusinessPlanViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    # joint business plans: staff (every plan) and partner users (their organisation's and its solutions')
    router.register("business-plans", BusinessPlanViewSet, basename="business-plan")
    router.register("my-business-plans", MyBusinessPlanViewSet, basename="my-business-plan")


urlpatterns: list = []  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
