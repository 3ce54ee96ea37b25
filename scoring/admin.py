"""Django admin for operators: each tenant's scoring settings, health scores, models and predictions,
read through the platform alias. Read-only: scores and predictions are computed, models trained, by the
worker; a fitted model's bytes are never shown."""

from django.contrib import admin

from ecosystem.tenancy.admin import ReadOnlyPlatformAdmin

from .models import ChurnPrediction, HealthScore, PredictionModel, ScoringSettings


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(ReadOnlyPlatformAdmin):
    list_display = ["tenant", "inactive_after_days", "at_risk_threshold", "partners_see_churn", "updated_at"]
    list_select_related = ["tenant"]


@admin.register(HealthScore)
class HealthScoreAdmin(ReadOnlyPlatformAdmin):
    list_display = ["partner", "as_of", "total", "engine_version", "tenant"]
    list_filter = ["tenant"]
    list_select_related = ["tenant", "partner"]
    raw_id_fields = ["partner"]


@admin.register(PredictionModel)
class PredictionModelAdmin(ReadOnlyPlatformAdmin):
    list_display = ["kind", "version", "is_active", "method", "trained_at", "window_start", "window_end", "tenant"]
    list_filter = ["tenant", "kind", "is_active"]
    list_select_related = ["tenant"]
    exclude = ["artefact"]
    raw_id_fields = ["job", "trained_by"]


@admin.register(ChurnPrediction)
class ChurnPredictionAdmin(ReadOnlyPlatformAdmin):
    list_display = ["partner", "as_of", "probability", "method", "tenant"]
    list_filter = ["tenant", "method"]
    list_select_related = ["tenant", "partner"]
    raw_id_fields = ["partner", "model"]
