"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""

from django.urls import path

from .views import ChurnAlertViewSet, ChurnModelViewSet, ChurnPredictionViewSet, HealthScoreViewSet, MyHealthViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    router.register("health-scores", HealthScoreViewSet, basename="health-score")
    router.register("churn-predictions", ChurnPredictionViewSet, basename="churn-prediction")
    router.register("churn-alerts", ChurnAlertViewSet, basename="churn-alert")
    router.register("churn-models", ChurnModelViewSet, basename="churn-model")


urlpatterns: list = [  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
    path("my-health/", MyHealthViewSet.as_view({"get": "retrieve"}), name="my-health"),
]
