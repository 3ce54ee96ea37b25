"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""

from .views import MdfBudgetViewSet, MdfClaimViewSet, MdfRequestViewSet, MyMdfRequestViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    router.register("mdf-budgets", MdfBudgetViewSet, basename="mdf-budget")
    router.register("mdf-requests", MdfRequestViewSet, basename="mdf-request")
    router.register("mdf-claims", MdfClaimViewSet, basename="mdf-claim")
    router.register("my-mdf-requests", MyMdfRequestViewSet, basename="my-mdf-request")


urlpatterns: list = []  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
