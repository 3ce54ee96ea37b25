"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""

from django.urls import path

from .views import CustomerRevenueViewSet, EconomicsMetricsViewSet, ProgramCostViewSet, WeeklySummarySettingsViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    router.register("customer-revenue", CustomerRevenueViewSet, basename="customer-revenue")
    router.register("program-costs", ProgramCostViewSet, basename="program-cost")


urlpatterns: list = [  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
    # the program's economics figures: one object, no id (staff)
    path("economics-metrics/", EconomicsMetricsViewSet.as_view({"get": "retrieve"}), name="economics-metrics"),
    # the weekly summary email's settings: one object, no id (staff read; owners and partner managers change)
    path(
        "weekly-summary-settings/",
        WeeklySummarySettingsViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="weekly-summary-settings",
    ),
]
