"""Shapes of the partner side of onboarding in the API. Shapes only: every rule lives in the services."""

from __future__ import annotations

from rest_framework import serializers

from onboarding.models import CredentialCheck, OnboardingPlan, OnboardingStep, SecurityEvidence


class AgreementOutputSerializer(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    version = serializers.CharField(read_only=True)
    text = serializers.CharField(source="body", read_only=True)


class PartnerStepOutputSerializer(serializers.ModelSerializer):
    """A step as its partner sees it: what to do, where it stands, and the agreement to sign (if any)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    agreement = AgreementOutputSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OnboardingStep
        fields = [
            "id",
            "position",
            "kind",
            "title",
            "instructions",
            "due_on",
            "depends_on",
            "status",
            "completed_at",
            "expires_on",
            "result",
            "agreement",
        ]
        read_only_fields = fields


class SalesAccessOutputSerializer(serializers.Serializer):
    is_open = serializers.BooleanField(read_only=True, help_text="True once every agreement and security review is done.")
    missing = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Titles of the steps still to finish before sales access opens."
    )


class PartnerPlanOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    steps = PartnerStepOutputSerializer(many=True, read_only=True)

    class Meta:
        model = OnboardingPlan
        fields = ["id", "status", "created_at", "completed_at", "steps"]
        read_only_fields = fields


class MyOnboardingOutputSerializer(serializers.Serializer):
    """The caller's onboarding: the open plan (else the latest; null without one) and the sales-access gate."""

    plan = PartnerPlanOutputSerializer(read_only=True, allow_null=True)
    sales_access = SalesAccessOutputSerializer(read_only=True)


class SecurityQuestionOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    text = serializers.CharField(read_only=True)


class EvidenceOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = SecurityEvidence
        fields = ["id", "original_filename", "size", "uploaded_at"]
        read_only_fields = fields


class CredentialCheckOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = CredentialCheck
        fields = ["id", "issuer", "credential_number", "holder_name", "status", "checked_at"]
        read_only_fields = fields


class IssuerOutputSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class PartnerStepDetailOutputSerializer(PartnerStepOutputSerializer):
    """One step with what its form needs: the security questions, the documents attached, the
    outside issuers to choose from and the latest credential check."""

    questions = SecurityQuestionOutputSerializer(many=True, read_only=True)
    evidence = EvidenceOutputSerializer(many=True, read_only=True)
    issuers = IssuerOutputSerializer(many=True, read_only=True)
    credential_check = CredentialCheckOutputSerializer(read_only=True, allow_null=True)

    class Meta(PartnerStepOutputSerializer.Meta):
        fields = [*PartnerStepOutputSerializer.Meta.fields, "questions", "evidence", "issuers", "credential_check"]
        read_only_fields = fields


class SignatureInputSerializer(serializers.Serializer):
    typed_name = serializers.CharField(required=False, allow_blank=True, default="", help_text="The signer's full name.")
    accepted = serializers.BooleanField(required=False, default=False, help_text="Must be true: the signer accepts the text.")


class SecurityAnswersInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.BooleanField(), help_text="Every active question's id mapped to true (yes) or false (no)."
    )


class EvidenceInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, PNG, JPG, DOCX or XLSX, at most 10 MiB.")


class ProfileInputSerializer(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    regions = serializers.ListField(child=serializers.CharField(), required=False, default=list, help_text="Region codes.")
    capabilities = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="Capability keys of the program's list."
    )


class CredentialInputSerializer(serializers.Serializer):
    issuer = serializers.CharField(required=False, allow_blank=True, default="", help_text="The issuer's slug (see the step).")
    credential_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    holder_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
