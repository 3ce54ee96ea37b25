"""Django admin for operators: touchpoints and attribution runs of every tenant, read through the platform alias.

Runs are records of a calculation (inputs hash, engine version, outputs): read-only here, like
the touchpoints they were computed from; fixes go through the services so every run stays explainable.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import ReadOnlyPlatformAdmin

from .models import AttributionCredit, AttributionRun, Touchpoint


@admin.register(Touchpoint)
class TouchpointAdmin(ReadOnlyPlatformAdmin):
    list_display = ["touch_type", "partner", "account", "occurred_at", "source", "external_id", "tenant"]
    list_filter = ["tenant", "touch_type", "source"]
    search_fields = ["external_id"]
    list_select_related = ["tenant", "partner", "account"]
    raw_id_fields = ["partner", "account", "registration"]


@admin.register(AttributionRun)
class AttributionRunAdmin(ReadOnlyPlatformAdmin):
    list_display = ["public_id", "tenant", "period_start", "period_end", "dimension", "status", "code_version", "created_at"]
    list_filter = ["tenant", "status", "dimension"]
    list_select_related = ["tenant"]
    raw_id_fields = ["job", "created_by"]


@admin.register(AttributionCredit)
class AttributionCreditAdmin(ReadOnlyPlatformAdmin):
    list_display = ["run", "model", "channel_label", "conversions", "value", "tenant"]
    list_filter = ["tenant", "model"]
    list_select_related = ["tenant", "run"]
    raw_id_fields = ["run", "partner"]
