"""Shapes of ``partner-contacts/`` and of the partner and contact CSV imports (``partners/import/``,
``partner-contacts/import/``)."""

from __future__ import annotations

from rest_framework import serializers

from ecosystem.api.import_serializers import ImportInvalidSerializer, ImportRowErrorSerializer
from partners.models import ContactRole


class PartnerContactOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    partner = serializers.UUIDField(source="partner.public_id", help_text="The partner's public id.")
    partner_name = serializers.CharField(source="partner.name")
    name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    job_title = serializers.CharField()
    role = serializers.ChoiceField(choices=ContactRole.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PartnerContactInputSerializer(serializers.Serializer):
    """Shapes only; the rules (one contact per partner and email, any case) live in partners.contacts."""

    partner = serializers.UUIDField(help_text="The partner's public id. Set when the contact is created; not changed later.")
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    job_title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=ContactRole.choices, required=False, default=ContactRole.OTHER)


class CsvImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file (UTF-8; comma or semicolon), at most 2,000 rows.")


class CsvImportOutputSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Records in the file (the header not counted).")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Rows that matched a stored record and changed nothing.")
    ignored_columns = serializers.ListField(child=serializers.CharField(), help_text="The file's columns not read.")


class CsvImportRowErrorSerializer(ImportRowErrorSerializer):
    code = serializers.CharField(
        help_text="Stable: `required`, `max_length`, `invalid_choice`, `invalid_country`, `invalid_domain`, "
        "`invalid_email`, `invalid_id`, `partner_not_found`, `ambiguous_partner`, `duplicate_in_file`, "
        "`duplicate_domain`, `duplicate_email`, `unknown_capability`, `unknown_tier`, `use_offboarding`, "
        "`partner_type_missing`."
    )


class CsvImportInvalidSerializer(ImportInvalidSerializer):
    rows = CsvImportRowErrorSerializer(many=True, required=False)
