"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""

from django.urls import path

from .partner import MyAttributionJourneyViewSet, MyAttributionViewSet
from .touchpoints import TouchpointViewSet
from .views import AttributionRunViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    router.register("attribution-runs", AttributionRunViewSet, basename="attribution-run")
    router.register("touchpoints", TouchpointViewSet, basename="touchpoint")
    router.register("my-attribution/journeys", MyAttributionJourneyViewSet, basename="my-attribution-journey")


urlpatterns: list = [  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
    path("my-attribution/", MyAttributionViewSet.as_view({"get": "retrieve"}), name="my-attribution"),
]
