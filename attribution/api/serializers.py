"""Shapes of the attribution API: a run (with its job progress), its credits, and the input to start one."""

from __future__ import annotations

from rest_framework import serializers

from ..services import MODELS


class AttributionCreditOutputSerializer(serializers.Serializer):
    model = serializers.CharField()
    channel_key = serializers.CharField()
    channel_label = serializers.CharField()
    partner = serializers.UUIDField(source="partner.public_id", allow_null=True, default=None)
    conversions = serializers.FloatField(help_text="Credited conversions (unrounded).")
    value = serializers.FloatField(help_text="Credited won value in the program currency (unrounded).")


class AttributionRunOutputSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    dimension = serializers.CharField(help_text="partner_type, tier, touchpoint_type or partner.")
    model_names = serializers.ListField(child=serializers.CharField())
    parameters = serializers.DictField()
    status = serializers.CharField(help_text="queued, running, succeeded or failed.")
    progress = serializers.SerializerMethodField(help_text="The job's progress in percent.")
    inputs_sha256 = serializers.CharField()
    code_version = serializers.CharField()
    created_by = serializers.CharField(source="created_by.email", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_progress(self, run) -> int:
        if run.status == "succeeded":
            return 100
        return run.job.progress if run.job_id else 0


class AttributionRunDetailOutputSerializer(AttributionRunOutputSerializer):
    summary = serializers.DictField()
    credits = AttributionCreditOutputSerializer(many=True, source="credit_list")


class AttributionRunCreateInputSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    dimension = serializers.CharField(help_text="partner_type, tier, touchpoint_type or partner.")
    models = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Among: " + ", ".join(MODELS) + ". Default: all."
    )
    parameters = serializers.DictField(
        required=False, help_text="position [first, middle, last] adding up to 1, half_life_days, lookback_days…"
    )
