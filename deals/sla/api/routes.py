"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""

from django.urls import path

from .views import MySlaBreachViewSet, MySlaViewSet, SlaBreachViewSet, SlaDefinitionViewSet, SlaReportViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    router.register("sla-definitions", SlaDefinitionViewSet, basename="sla-definition")
    router.register("sla-breaches", SlaBreachViewSet, basename="sla-breach")
    router.register("my-sla-breaches", MySlaBreachViewSet, basename="my-sla-breach")


urlpatterns: list = [  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
    path("sla-report/", SlaReportViewSet.as_view({"get": "retrieve"}), name="sla-report"),
    path("my-slas/", MySlaViewSet.as_view({"get": "retrieve"}), name="my-slas"),
]
