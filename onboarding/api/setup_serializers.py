"""Program setup in the API: agreement versions and the security questionnaire.

Input serializers only check shapes; every rule (required text, a version used twice, risk points
from 0 to 100) is ``onboarding.setup``'s, the same functions as the portal's setup page.
"""

from __future__ import annotations

from rest_framework import serializers

from onboarding.models import AgreementVersion, OnboardingTemplate, OnboardingTemplateStep, SecurityQuestion, StepKind


class SetupAgreementVersionSerializer(serializers.ModelSerializer):
    """One exact text of an agreement. Never edited: a change is a new version."""

    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = AgreementVersion
        fields = ["id", "title", "version", "body", "created_at"]
        read_only_fields = fields


class SetupAgreementVersionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, help_text="The agreement's name, for example Partner agreement.")
    version = serializers.CharField(max_length=40, help_text="Unique per title, for example 2027.1.")
    body = serializers.CharField(max_length=100_000, help_text="The agreement's full text, as partners sign it.")


class SetupSecurityQuestionSerializer(serializers.ModelSerializer):
    """A yes/no question of the third-party-risk questionnaire; a "no" adds ``risk_points``."""

    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = SecurityQuestion
        fields = ["id", "position", "text", "risk_points", "is_active"]
        read_only_fields = fields


class SetupSecurityQuestionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300, help_text="The question, answered yes or no.")
    risk_points = serializers.IntegerField(
        required=False, default=10, help_text="Risk points a no adds (0-100; the portal's default is 10)."
    )


class SetupTemplateStepSerializer(serializers.ModelSerializer):
    """One step of a template, at its 1-based ``position``; ``depends_on`` names earlier positions."""

    agreement = serializers.UUIDField(source="agreement.public_id", read_only=True, allow_null=True, default=None)

    class Meta:
        model = OnboardingTemplateStep
        fields = ["position", "kind", "title", "due_days", "valid_months", "depends_on", "agreement"]
        read_only_fields = fields


class SetupTemplateSerializer(serializers.ModelSerializer):
    """An onboarding template: the steps every new plan for its partner type starts with (blank type: any)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    steps = SetupTemplateStepSerializer(many=True, read_only=True)

    class Meta:
        model = OnboardingTemplate
        fields = ["id", "name", "partner_type", "is_active", "steps"]
        read_only_fields = fields


class SetupTemplateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, allow_blank=True, help_text="The template's name.")
    partner_type = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="The partner type it is for; blank: any type without its own."
    )


class SetupTemplateStepInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=StepKind.choices)
    title = serializers.CharField(max_length=200, allow_blank=True)
    due_days = serializers.IntegerField(required=False, default=14, min_value=0, max_value=32767)
    depends_on = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, help_text="Positions of earlier steps."
    )
    agreement = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="Agreement steps: the version to sign."
    )
    valid_months = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=32767,
        help_text="Security reviews: months before it lapses.",
    )
