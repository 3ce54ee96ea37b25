"""MDF in the API: separate input and output serializers. The services check every business rule."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from rest_framework import serializers

from ..models import ActivityType, MdfAllocation, MdfBudget, MdfClaim, MdfEvidence, MdfRequest


class MdfPartnerRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


# --- input -----------------------------------------------------------------------------------------


class MdfBudgetInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MdfBudgetAmountInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Never below what approved requests hold.")


class MdfAllocationInputSerializer(serializers.Serializer):
    """One partner's allocation, or the per-partner allocation of every partner of one tier: one of the two."""

    partner = serializers.UUIDField(required=False, allow_null=True, help_text="A partner's id.")
    tier = serializers.UUIDField(required=False, allow_null=True, help_text="A tier's id.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class MdfAllocationOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    partner = serializers.UUIDField(source="partner.public_id", read_only=True, allow_null=True, default=None)
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True, default=None)
    tier = serializers.UUIDField(source="tier.public_id", read_only=True, allow_null=True, default=None)
    tier_name = serializers.CharField(source="tier.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = MdfAllocation
        fields = ["id", "partner", "partner_name", "tier", "tier_name", "amount", "updated_at"]


class MdfRequestInputSerializer(serializers.Serializer):
    activity_type = serializers.ChoiceField(choices=ActivityType.choices)
    title = serializers.CharField(max_length=150)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    planned_spend = serializers.DecimalField(max_digits=14, decimal_places=2)
    expected_leads = serializers.IntegerField(min_value=0, required=False, default=0)
    expected_pipeline = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, default=0)
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class MdfPartialInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Below the planned spend.")
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class MdfReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class MdfClaimInputSerializer(serializers.Serializer):
    """multipart/form-data: the fields, and one or more ``files``."""

    claimed_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    leads_generated = serializers.IntegerField(min_value=0, required=False, default=0)
    attendees = serializers.IntegerField(min_value=0, required=False, default=0)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="pdf, png, jpg, xlsx or docx; 10 MiB each."
    )


# --- output ----------------------------------------------------------------------------------------


class MdfBudgetOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    committed = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, help_text="Approved requests' amounts.")
    left = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)

    class Meta:
        model = MdfBudget
        fields = ["id", "year", "quarter", "period", "amount", "currency", "committed", "left", "notes", "created_at"]


class MdfRequestOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    # Plain text rather than an enum: the schema has many fields called "status" (see docs/mdf.md).
    status = serializers.CharField(read_only=True, help_text="submitted, approved, partially_approved, rejected or completed.")

    class Meta:
        model = MdfRequest
        fields = [
            "id",
            "activity_type",
            "title",
            "description",
            "planned_spend",
            "currency",
            "expected_leads",
            "expected_pipeline",
            "start_date",
            "end_date",
            "status",
            "approved_amount",
            "decision_reason",
            "decided_at",
            "submitted_at",
        ]


def _predicted(attribute: str, places: str):
    """A figure of the request's predicted return (``obj.predicted``, set by the view once per page), or None."""

    def read(self, obj) -> str | None:
        predicted = getattr(obj, "predicted", None)
        value = getattr(predicted, attribute, None)
        return None if value is None else str(Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP))

    return read


class MdfStaffRequestOutputSerializer(MdfRequestOutputSerializer):
    """A request as staff see it: the partner's funds left and, while it waits for a decision, its predicted return
    (scoring.mdf_return: medians and 80 % intervals of the similar past campaigns' ratios). Never shown to partners."""

    partner = MdfPartnerRefSerializer(read_only=True)
    partner_remaining = serializers.DecimalField(
        max_digits=18, decimal_places=2, read_only=True, required=False, help_text="The partner's funds left in that quarter."
    )
    budget_left = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, required=False)
    predicted_pipeline = serializers.SerializerMethodField(
        help_text="Waiting requests: planned spend × the median pipeline per unit of spend of the similar past campaigns."
    )
    predicted_pipeline_low = serializers.SerializerMethodField(help_text="10th percentile (80 % interval).")
    predicted_pipeline_high = serializers.SerializerMethodField(help_text="90th percentile (80 % interval).")
    predicted_ropi = serializers.SerializerMethodField(
        help_text="Waiting requests: the median won revenue per unit of spend of the similar past campaigns."
    )
    predicted_ropi_low = serializers.SerializerMethodField(help_text="10th percentile (80 % interval).")
    predicted_ropi_high = serializers.SerializerMethodField(help_text="90th percentile (80 % interval).")
    prediction_campaigns = serializers.SerializerMethodField(help_text="How many past campaigns the prediction uses.")
    prediction_group = serializers.SerializerMethodField(
        help_text="Which past campaigns: same activity and partner type, same activity, or all campaigns."
    )
    prediction_note = serializers.SerializerMethodField(help_text="Why there is no prediction (too few past campaigns).")

    get_predicted_pipeline = _predicted("pipeline", "0.01")
    get_predicted_pipeline_low = _predicted("pipeline_low", "0.01")
    get_predicted_pipeline_high = _predicted("pipeline_high", "0.01")
    get_predicted_ropi = _predicted("ropi", "0.0001")
    get_predicted_ropi_low = _predicted("ropi_low", "0.0001")
    get_predicted_ropi_high = _predicted("ropi_high", "0.0001")

    def get_prediction_campaigns(self, obj) -> int | None:
        return getattr(getattr(obj, "predicted", None), "campaigns", None)

    def get_prediction_group(self, obj) -> str | None:
        return getattr(getattr(obj, "predicted", None), "group", None)

    def get_prediction_note(self, obj) -> str | None:
        return getattr(getattr(obj, "predicted", None), "reason", None)

    class Meta(MdfRequestOutputSerializer.Meta):
        fields = [
            *MdfRequestOutputSerializer.Meta.fields,
            "partner",
            "partner_remaining",
            "budget_left",
            "predicted_pipeline",
            "predicted_pipeline_low",
            "predicted_pipeline_high",
            "predicted_ropi",
            "predicted_ropi_low",
            "predicted_ropi_high",
            "prediction_campaigns",
            "prediction_group",
            "prediction_note",
        ]


class MdfEvidenceOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = MdfEvidence
        fields = ["id", "original_filename", "size", "uploaded_at"]


class MdfClaimOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status = serializers.CharField(read_only=True, help_text="submitted, approved (payable), rejected or paid.")
    request = serializers.UUIDField(source="request.public_id", read_only=True)
    evidence = MdfEvidenceOutputSerializer(many=True, read_only=True)

    class Meta:
        model = MdfClaim
        fields = [
            "id",
            "request",
            "claimed_amount",
            "leads_generated",
            "attendees",
            "notes",
            "status",
            "approved_amount",
            "decision_reason",
            "decided_at",
            "paid_at",
            "submitted_at",
            "evidence",
        ]


class MdfStaffClaimOutputSerializer(MdfClaimOutputSerializer):
    partner = MdfPartnerRefSerializer(read_only=True)

    class Meta(MdfClaimOutputSerializer.Meta):
        fields = [*MdfClaimOutputSerializer.Meta.fields, "partner"]
