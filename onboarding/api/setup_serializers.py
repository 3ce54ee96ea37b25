"""Program setup in the API: agreement versions and the security questionnaire.

Input serializers only check shapes; every rule (required text, a version used twice, risk points
from 0 to 100) is ``onboarding.setup``'s, the same functions as the portal's setup page.
"""

from __future__ import annotations

from rest_framework import serializers

from onboarding.models import AgreementVersion, SecurityQuestion


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
