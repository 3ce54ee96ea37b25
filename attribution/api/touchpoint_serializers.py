"""Shapes of ``touchpoints/``: a touchpoint, the list's filters, one posted touchpoint, an imported file and its answer."""

from __future__ import annotations

from rest_framework import serializers

from ecosystem.api.import_serializers import ImportInvalidSerializer, ImportRowErrorSerializer

from ..models import TouchpointSource, TouchpointType


class TouchpointOutputSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    partner = serializers.UUIDField(source="partner.public_id")
    partner_name = serializers.CharField(source="partner.name")
    account = serializers.UUIDField(source="account.public_id")
    account_name = serializers.CharField(source="account.name")
    registration = serializers.UUIDField(
        source="registration.public_id", allow_null=True, default=None, help_text="The deal registration, if any."
    )
    touch_type = serializers.ChoiceField(choices=TouchpointType.choices)
    occurred_at = serializers.DateTimeField()
    weight = serializers.DecimalField(
        max_digits=8, decimal_places=4, allow_null=True, help_text="Null counts as 1 in the attribution models."
    )
    source = serializers.ChoiceField(choices=TouchpointSource.choices, help_text="derived, imported or api.")
    external_id = serializers.CharField(help_text="The id in the system it came from; empty when none was given.")
    created_at = serializers.DateTimeField()


class TouchpointQuerySerializer(serializers.Serializer):
    partner = serializers.UUIDField(required=False, help_text="A partner's public id.")
    touch_type = serializers.ChoiceField(choices=TouchpointType.choices, required=False)
    source = serializers.ChoiceField(choices=TouchpointSource.choices, required=False)
    occurred_after = serializers.DateTimeField(required=False, help_text="Touches at or after this moment.")
    occurred_before = serializers.DateTimeField(required=False, help_text="Touches before this moment.")

    def validate(self, attrs):
        after, before = attrs.get("occurred_after"), attrs.get("occurred_before")
        if after and before and before <= after:
            raise serializers.ValidationError({"occurred_before": "Must be after occurred_after."}, code="invalid_range")
        return attrs


class TouchpointCreateInputSerializer(serializers.Serializer):
    partner = serializers.UUIDField(help_text="The partner's public id.")
    account = serializers.UUIDField(help_text="The customer account's public id.")
    registration = serializers.UUIDField(
        required=False, allow_null=True, help_text="A deal registration's public id; it must be on the account."
    )
    touch_type = serializers.ChoiceField(choices=TouchpointType.choices)
    occurred_at = serializers.DateTimeField(help_text="ISO 8601 with an offset, e.g. 2026-03-05T14:30:00Z.")
    weight = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text="From 0 to 9999.9999, at most four decimals; null or absent counts as 1.",
    )
    external_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=120,
        help_text="Your id for this touch. Posting an id that exists returns the stored touchpoint (200) unchanged.",
    )


class TouchpointImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A CSV file (UTF-8; comma or semicolon) with the columns external_id, partner, account, type, "
        "occurred_at and optionally deal and weight; at most 50 MB and 200,000 rows."
    )


class TouchpointImportOutputSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Records in the file (the header not counted).")
    created = serializers.IntegerField(help_text="Touchpoints written.")
    already_imported = serializers.IntegerField(help_text="Rows whose external_id existed: skipped, not updated.")
    ignored_columns = serializers.ListField(child=serializers.CharField(), help_text="The file's columns not read.")


class TouchpointImportRowErrorSerializer(ImportRowErrorSerializer):
    code = serializers.CharField(
        help_text="Stable: `required`, `too_long`, `reserved_external_id`, `duplicate_in_file`, `partner_not_found`, "
        "`ambiguous_partner`, `account_not_found`, `ambiguous_account`, `deal_not_found`, `deal_account_mismatch`, "
        "`invalid_type`, `invalid_date`, `invalid_datetime`, `invalid_weight`, `negative_weight`, `weight_too_large`, "
        "`weight_too_precise`."
    )


class TouchpointImportInvalidSerializer(ImportInvalidSerializer):
    rows = TouchpointImportRowErrorSerializer(many=True, required=False)
