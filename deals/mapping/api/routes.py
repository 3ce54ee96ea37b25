"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    from .views import MappingPartnershipViewSet, MyAccountListViewSet

    router.register("my-account-list", MyAccountListViewSet, basename="my-account-list")
    router.register("mapping-partnerships", MappingPartnershipViewSet, basename="mapping-partnership")


urlpatterns: list = []  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
