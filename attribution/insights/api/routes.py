"""This area's part of ``/api/v1/t/<tenant>/``: the dashboard's figures as one object (staff)."""

from django.urls import path

from .views import InsightsMetricsViewSet


def register(router) -> None:
    """No viewset on the shared router: the figures are one object without an id."""


urlpatterns: list = [  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
    path("insights-metrics/", InsightsMetricsViewSet.as_view({"get": "retrieve"}), name="insights-metrics"),
]
