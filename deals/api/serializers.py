"""Staff API shapes for deal registrations: output serializers shape what the selectors read; input
serializers only check shapes. Every rule is the service's (``deals.workflow``, ``deals.engagement``)."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from deals.engagement import RULE_FIELDS
from deals.models import (
    DealRegistration,
    DealStage,
    EngagementRules,
    ProductLine,
    RegistrationAppeal,
    RegistrationDecision,
    RegistrationExtension,
)
from ecosystem.api.representation import date_text, datetime_text, decimal_text


class SolutionRefSerializer(serializers.Serializer):
    """The joint solution a deal or lead references (``null`` when none, or when the caller may not read it)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


class ManagePartnerRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


class ManageRegistrationOutputSerializer(serializers.ModelSerializer):
    """One registration in the queue. ``sla_due``: when the approval SLA runs out (submitted + SLA hours)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    partner = ManagePartnerRefSerializer(read_only=True)
    sla_due = serializers.DateTimeField(read_only=True, allow_null=True)
    conflict_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = DealRegistration
        fields = [
            "id",
            "partner",
            "customer_name",
            "customer_domain",
            "contact_name",
            "contact_email",
            "product_lines",
            "solution",
            "value",
            "currency",
            "expected_close_date",
            "stage",
            "status",
            "submitted_at",
            "decided_at",
            "protected_until",
            "closed_amount",
            "closed_on",
            "sla_due",
            "conflict_count",
        ]
        read_only_fields = fields

    def to_representation(self, registration: DealRegistration) -> dict:
        """The declared fields, written out: the queue's hot path (see ecosystem/api/representation.py;
        deals/tests/test_api_list_budget.py holds it to ModelSerializer's own output)."""
        partner, tz = registration.partner, timezone.get_current_timezone()
        return {
            "id": str(registration.public_id),
            "partner": {"id": str(partner.public_id), "name": partner.name},
            "customer_name": registration.customer_name,
            "customer_domain": registration.customer_domain,
            "contact_name": registration.contact_name,
            "contact_email": registration.contact_email,
            "product_lines": [str(line) for line in registration.product_lines],
            "solution": registration.solution,
            "value": decimal_text(registration.value, max_digits=14, decimal_places=2),
            "currency": registration.currency,
            "expected_close_date": date_text(registration.expected_close_date),
            "stage": registration.stage,
            "status": registration.status,
            "submitted_at": datetime_text(registration.submitted_at, tz),
            "decided_at": datetime_text(registration.decided_at, tz),
            "protected_until": date_text(registration.protected_until),
            "closed_amount": decimal_text(registration.closed_amount, max_digits=14, decimal_places=2),
            "closed_on": date_text(registration.closed_on),
            "sla_due": datetime_text(getattr(registration, "sla_due", None), tz),  # annotated by the queue's selector
            "conflict_count": int(getattr(registration, "conflict_count", 0)),
        }


class ManageConflictOutputSerializer(serializers.Serializer):
    """One conflict: why, its score, and the other side (another registration, or a direct-sales opportunity)."""

    kind = serializers.CharField(source="conflict.kind")
    reason = serializers.CharField(source="kind_label")
    score = serializers.IntegerField(source="conflict.score")
    overlapping_product_lines = serializers.ListField(child=serializers.CharField(), source="conflict.product_lines")
    is_direct = serializers.BooleanField()
    other_registration = serializers.UUIDField(source="other_public_id", allow_null=True)
    other_partner = serializers.CharField()
    other_submitted_at = serializers.DateTimeField(allow_null=True)
    other_product_lines = serializers.ListField(child=serializers.CharField())
    other_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    other_currency = serializers.CharField()


class ManageDecisionOutputSerializer(serializers.ModelSerializer):
    decided_by = serializers.EmailField(source="decided_by.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = RegistrationDecision
        fields = ["action", "rule", "reason", "from_status", "to_status", "decided_by", "decided_at"]
        read_only_fields = fields


class ManageRegistrationDetailSerializer(ManageRegistrationOutputSerializer):
    joint_solution = SolutionRefSerializer(read_only=True, allow_null=True)
    conflicts = ManageConflictOutputSerializer(many=True, read_only=True, source="side_by_side")
    history = ManageDecisionOutputSerializer(many=True, read_only=True, source="history_rows")

    class Meta(ManageRegistrationOutputSerializer.Meta):
        fields = [*ManageRegistrationOutputSerializer.Meta.fields, "joint_solution", "notes", "conflicts", "history"]
        read_only_fields = fields

    # One registration, not a page: DRF's own walk over every declared field (the list's is written out).
    to_representation = serializers.ModelSerializer.to_representation


class ManageReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ManageQuestionInputSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=5000)


class ManageStageInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=DealStage.choices)
    closed_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    closed_on = serializers.DateField(required=False, allow_null=True)


class ManageAppealOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    registration = serializers.UUIDField(source="registration.public_id", read_only=True)
    assigned_to = serializers.EmailField(source="assigned_to.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = RegistrationAppeal
        fields = ["id", "registration", "reason", "submitted_at", "assigned_to", "status", "decided_at", "decision_reason"]
        read_only_fields = fields


class ManageAppealDecideInputSerializer(serializers.Serializer):
    overturn = serializers.BooleanField(help_text="true: approve the registration; false: the rejection stands.")
    reason = serializers.CharField(max_length=1000)


class ManageExtensionOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    registration = serializers.UUIDField(source="registration.public_id", read_only=True)
    protected_until = serializers.DateField(source="registration.protected_until", read_only=True)

    class Meta:
        model = RegistrationExtension
        fields = [
            "id",
            "registration",
            "protected_until",
            "reason",
            "requested_at",
            "status",
            "days",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class ManageExtensionDecideInputSerializer(serializers.Serializer):
    grant = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ManageEngagementRulesSerializer(serializers.ModelSerializer):
    """The program's rules of engagement (PUT sends every field)."""

    class Meta:
        model = EngagementRules
        fields = list(RULE_FIELDS)


class ManageProductLineSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = ProductLine
        fields = ["id", "name", "slug", "is_active"]
        read_only_fields = ["id", "slug", "is_active"]
