"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""

from django.urls import path

from .fit_views import FitProfileViewSet, FitScoreViewSet
from .settings_views import InterventionViewSet, ScoringSettingsViewSet
from .views import ChurnAlertViewSet, ChurnModelViewSet, ChurnPredictionViewSet, HealthScoreViewSet, MyHealthViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    router.register("health-scores", HealthScoreViewSet, basename="health-score")
    router.register("churn-predictions", ChurnPredictionViewSet, basename="churn-prediction")
    router.register("churn-alerts", ChurnAlertViewSet, basename="churn-alert")
    router.register("churn-models", ChurnModelViewSet, basename="churn-model")
    router.register("churn-interventions", InterventionViewSet, basename="churn-intervention")  # outcome only
    router.register("fit-scores", FitScoreViewSet, basename="fit-score")


urlpatterns: list = [  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
    path("my-health/", MyHealthViewSet.as_view({"get": "retrieve"}), name="my-health"),
    # one object per tenant, no id (staff read; owners and partner managers change or train)
    path(
        "scoring-settings/",
        ScoringSettingsViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="scoring-settings",
    ),
    path("fit-profile/", FitProfileViewSet.as_view({"get": "retrieve"}), name="fit-profile"),
    path("fit-profile/train/", FitProfileViewSet.as_view({"post": "train"}), name="fit-profile-train"),
]
