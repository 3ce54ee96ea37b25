from rest_framework import serializers

from onboarding.models import OnboardingPlan, OnboardingStep, PartnerApplication


class ApplicationOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    country = serializers.CharField(source="country.code", read_only=True, allow_blank=True)
    partner = serializers.UUIDField(source="partner.public_id", read_only=True, allow_null=True, default=None)

    class Meta:
        model = PartnerApplication
        fields = [
            "id",
            "company_name",
            "website_domain",
            "partner_type",
            "capabilities",
            "regions",
            "country",
            "expected_deal_volume",
            "contact_name",
            "contact_email",
            "message",
            "status",
            "submissions",
            "fit_score",
            "decision_reason",
            "decided_at",
            "partner",
            "submitted_at",
        ]
        read_only_fields = fields


class DecisionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReviewDecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "Approve"), ("return", "Send back")])
    reason = serializers.CharField(max_length=500, help_text="Kept in the record; the partner reads it when sent back.")


class StepOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = OnboardingStep
        fields = ["id", "position", "kind", "title", "due_on", "depends_on", "status", "completed_at"]
        read_only_fields = fields


class PlanOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    partner = serializers.UUIDField(source="partner.public_id", read_only=True)
    steps = StepOutputSerializer(many=True, read_only=True)

    class Meta:
        model = OnboardingPlan
        fields = ["id", "partner", "status", "created_at", "completed_at", "steps"]
        read_only_fields = fields
