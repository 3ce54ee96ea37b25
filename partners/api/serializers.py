from __future__ import annotations

from django.utils import timezone
from django_countries import countries
from rest_framework import serializers

from ecosystem.api.representation import datetime_text
from partners.models import ContentItem, PartnerOrganization, PartnerStatus, PartnerType


class PartnerOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    country = serializers.CharField(source="country.code", read_only=True, allow_blank=True)

    class Meta:
        model = PartnerOrganization
        fields = ["id", "name", "partner_type", "website_domain", "country", "status", "created_at", "updated_at"]
        read_only_fields = fields

    def to_representation(self, partner: PartnerOrganization) -> dict:
        """The declared fields, written out: the partner list's hot path (see ecosystem/api/representation.py;
        partners/tests/test_api_list_budget.py holds it to ModelSerializer's own output)."""
        tz = timezone.get_current_timezone()
        return {
            "id": str(partner.public_id),
            "name": partner.name,
            "partner_type": partner.partner_type,
            "website_domain": partner.website_domain,
            "country": partner.country.code,
            "status": partner.status,
            "created_at": datetime_text(partner.created_at, tz),
            "updated_at": datetime_text(partner.updated_at, tz),
        }


class PartnerInputSerializer(serializers.Serializer):
    """Shapes only; business rules (normalised domain, duplicates) live in partners.services."""

    name = serializers.CharField(max_length=200)
    partner_type = serializers.ChoiceField(choices=PartnerType.choices)
    website_domain = serializers.CharField(max_length=253, required=False, allow_blank=True, default="")
    country = serializers.ChoiceField(choices=list(countries), required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=PartnerStatus.choices, required=False, default=PartnerStatus.PROSPECT)


class LifecycleReasonInputSerializer(serializers.Serializer):
    """Why a partner is retired or reactivated; required (the service says so, as ``required`` on ``reason``)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the status history.")


class LogoInputSerializer(serializers.Serializer):
    logo = serializers.FileField(help_text="PNG or JPG, at most 1 MiB; the content must match the extension.")


class PartnerLogoOutputSerializer(serializers.ModelSerializer):
    """Whether the partner has a logo now. The image itself is shown in the portals, never at a public address."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    has_logo = serializers.SerializerMethodField()

    class Meta:
        model = PartnerOrganization
        fields = ["id", "name", "has_logo", "updated_at"]
        read_only_fields = fields

    def get_has_logo(self, partner: PartnerOrganization) -> bool:
        return bool(partner.logo)


class ContentItemOutputSerializer(serializers.ModelSerializer):
    """A library item as staff see it. No file address: files leave only through the partner portal's download."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    partner_types = serializers.ListField(child=serializers.ChoiceField(choices=PartnerType.choices), read_only=True)
    min_tier = serializers.SlugRelatedField(
        slug_field="name",
        read_only=True,
        allow_null=True,
        help_text="Only partners at this tier or above see the item; null: every partner.",
    )

    class Meta:
        model = ContentItem
        fields = [
            "id",
            "title",
            "description",
            "kind",
            "url",
            "original_filename",
            "file_size",
            "partner_types",
            "min_tier",
            "is_published",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
