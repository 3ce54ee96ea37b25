"""Input and output shapes of the partner side of deal registration (``my-registrations/``).

What a partner reads is what it typed, the status, the protection and its own history; never the
customer account it was matched to, and never another partner's registration or name.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deals.models import (
    DealRegistration,
    DealStage,
    RegistrationAppeal,
    RegistrationDecision,
    RegistrationExtension,
    RegistrationStatus,
)
from deals.registrations import PrecheckOutcome

from .serializers import SolutionRefSerializer


def status_message(registration: DealRegistration) -> str:
    """One neutral sentence for the status, the same words the portal uses."""
    status = registration.status
    if status == RegistrationStatus.APPROVED and registration.protected_until:
        return _("Approved, protected until %(day)s.") % {"day": registration.protected_until.isoformat()}
    return {
        RegistrationStatus.PENDING: _("Pending review: a manager will decide it."),
        RegistrationStatus.UNDER_REVIEW: _(
            "Conflict, under review: this customer and product line may already be registered. A manager will review it."
        ),
        RegistrationStatus.INFO_REQUESTED: _("A manager asked for more information."),
    }.get(status, str(registration.get_status_display()))


# --- input -----------------------------------------------------------------------------------------


class MyRegistrationInputSerializer(serializers.Serializer):
    """A deal registration as the partner submits it. The service checks every business rule."""

    customer_name = serializers.CharField(max_length=200)
    customer_domain = serializers.CharField(max_length=253, help_text="The customer's website domain, e.g. acme.com.")
    contact_name = serializers.CharField(max_length=150)
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_title = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    product_lines = serializers.ListField(
        child=serializers.SlugField(max_length=80), allow_empty=False, help_text="Keys of the program's active product lines."
    )
    joint_solution = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A joint solution in market your organisation delivers (its id): its partners join the deal as co-sellers.",
    )
    mdf_request = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="One of your organisation's approved MDF campaigns (its id), when the deal came from it.",
    )
    solution = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, coerce_to_string=True)
    currency = serializers.CharField(min_length=3, max_length=3)
    expected_close_date = serializers.DateField()
    stage = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in DealStage if s not in (DealStage.CLOSED_WON, DealStage.CLOSED_LOST)],
        required=False,
        default=DealStage.PROSPECTING,
    )
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RegistrationPrecheckInputSerializer(serializers.Serializer):
    customer_name = serializers.CharField(max_length=200)
    customer_domain = serializers.CharField(max_length=253)
    product_lines = serializers.ListField(
        child=serializers.SlugField(max_length=80), required=False, default=list, help_text="Empty: every active line."
    )


class MyStageInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=DealStage.choices)
    closed_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, help_text="closed_won: required."
    )
    closed_on = serializers.DateField(required=False, allow_null=True, help_text="closed_won and closed_lost: required.")


class MyReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class MyInfoAnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=1000)


# --- output ----------------------------------------------------------------------------------------


class RegistrationPrecheckOutputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[PrecheckOutcome.CLEAR, PrecheckOutcome.LIKELY_CONFLICT, PrecheckOutcome.YOURS],
        help_text="clear: looks new; likely_conflict: may already be registered (you can still submit); yours: "
        "your organisation registered it. Never who.",
    )
    message = serializers.CharField()


class MyRegistrationOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    message = serializers.SerializerMethodField(help_text="A neutral sentence for the status (it names nobody).")
    joint_solution = SolutionRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = DealRegistration
        fields = [
            "id",
            "status",
            "message",
            "customer_name",
            "customer_domain",
            "contact_name",
            "contact_email",
            "contact_title",
            "product_lines",
            "joint_solution",
            "solution",
            "value",
            "currency",
            "expected_close_date",
            "stage",
            "notes",
            "submitted_at",
            "decided_at",
            "protected_until",
            "closed_amount",
            "closed_on",
        ]
        read_only_fields = fields

    def get_message(self, registration: DealRegistration) -> str:
        return status_message(registration)


class MyDecisionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegistrationDecision
        fields = ["action", "rule", "reason", "from_status", "to_status", "decided_at"]
        read_only_fields = fields


class PartnerEvidenceOutputSerializer(serializers.Serializer):
    rule = serializers.CharField()
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(help_text="When your registration was submitted.")
    first_submitted_at = serializers.DateTimeField(
        allow_null=True, help_text="When the registration that counted as first was submitted (never whose)."
    )
    reasons = serializers.ListField(child=serializers.CharField())


class MyAppealOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = RegistrationAppeal
        fields = ["id", "status", "reason", "submitted_at", "decided_at", "decision_reason"]
        read_only_fields = fields


class MyExtensionOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = RegistrationExtension
        fields = ["id", "status", "reason", "requested_at", "days", "decided_at", "decision_reason"]
        read_only_fields = fields


class MyRegistrationDetailOutputSerializer(MyRegistrationOutputSerializer):
    history = MyDecisionOutputSerializer(many=True, read_only=True, source="history_rows")
    evidence = serializers.SerializerMethodField()
    appeal = serializers.SerializerMethodField()
    extensions = MyExtensionOutputSerializer(many=True, read_only=True, source="extension_rows")

    class Meta(MyRegistrationOutputSerializer.Meta):
        fields = [*MyRegistrationOutputSerializer.Meta.fields, "history", "evidence", "appeal", "extensions"]
        read_only_fields = fields

    @extend_schema_field(PartnerEvidenceOutputSerializer(allow_null=True))
    def get_evidence(self, registration: DealRegistration):
        evidence = getattr(registration, "evidence", None)
        return PartnerEvidenceOutputSerializer(evidence).data if evidence is not None else None

    @extend_schema_field(MyAppealOutputSerializer(allow_null=True))
    def get_appeal(self, registration: DealRegistration):
        appeal = getattr(registration, "appeal_row", None)
        return MyAppealOutputSerializer(appeal).data if appeal is not None else None
