"""This area's part of ``/api/v1/t/<tenant>/``: two one-object endpoints, read-only."""

from django.urls import path

from .views import MyScorecardViewSet, PartnerScorecardViewSet


def register(router) -> None:
    """Nothing on the shared router: both endpoints are one object each (ecosystem/api/urls.py calls it)."""


urlpatterns: list = [  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
    path("scorecard/", MyScorecardViewSet.as_view({"get": "retrieve"}), name="my-scorecard"),
    path("partners/<uuid:public_id>/scorecard/", PartnerScorecardViewSet.as_view({"get": "retrieve"}), name="partner-scorecard"),
]
