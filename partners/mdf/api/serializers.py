"""MDF in the API: separate input and output serializers. The services check every business rule."""

from __future__ import annotations

from rest_framework import serializers

from ..models import ActivityType, MdfBudget, MdfClaim, MdfEvidence, MdfRequest


class MdfPartnerRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


# --- input -----------------------------------------------------------------------------------------


class MdfBudgetInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


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


class MdfStaffRequestOutputSerializer(MdfRequestOutputSerializer):
    partner = MdfPartnerRefSerializer(read_only=True)
    partner_remaining = serializers.DecimalField(
        max_digits=18, decimal_places=2, read_only=True, required=False, help_text="The partner's funds left in that quarter."
    )
    budget_left = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, required=False)

    class Meta(MdfRequestOutputSerializer.Meta):
        fields = [*MdfRequestOutputSerializer.Meta.fields, "partner", "partner_remaining", "budget_left"]


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
