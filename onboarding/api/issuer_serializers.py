"""Credential issuers in the API. The signing secret is write-only: answers carry its last four characters."""

from __future__ import annotations

from rest_framework import serializers

from onboarding.models import CredentialIssuer


class CredentialIssuerSerializer(serializers.ModelSerializer):
    """An outside service that verifies certifications partners hold. ``secret_tail``: the signing secret's
    last four characters (the secret itself never leaves the database through the API)."""

    secret_tail = serializers.SerializerMethodField()

    class Meta:
        model = CredentialIssuer
        fields = ["slug", "name", "endpoint_url", "is_active", "secret_tail", "created_at", "updated_at"]
        read_only_fields = fields

    def get_secret_tail(self, issuer: CredentialIssuer) -> str:
        tail = getattr(issuer, "secret_tail", None)  # annotated by the viewset's queryset: no query per row
        return f"…{tail}" if tail else ""


class CredentialIssuerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True, help_text="For example AWS Certification.")
    slug = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text="Blank: made from the name."
    )
    endpoint_url = serializers.CharField(max_length=500, allow_blank=True, help_text="The issuer's https:// address.")
    secret = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="The signing secret. Required on create; on a change, blank keeps it and a new one rotates it.",
    )
    is_active = serializers.BooleanField(required=False, default=True, help_text="Partners can choose it.")
