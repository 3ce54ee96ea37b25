"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""

from .views import MySurveyViewSet, SurveyViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    router.register("surveys", SurveyViewSet, basename="survey")
    router.register("my-surveys", MySurveyViewSet, basename="my-survey")


urlpatterns: list = []  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
