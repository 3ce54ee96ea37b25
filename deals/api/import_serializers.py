"""CRM imports and pipeline figures in the API: the bodies of ``deal-imports/``, ``pipeline/`` and ``my-pipeline/``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deals.models import ImportBatch, ImportKind
from ecosystem.api.import_serializers import ImportInvalidSerializer, ImportRowErrorSerializer
from partners.models import PartnerType

# --- imports ---------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "example": {"Company": "name", "Web": "domain", "CRM key": "external_id"},
    }
)
class MappingField(serializers.JSONField):
    """``{"<column as in the file>": "<our field>"}``; sent as a JSON string in the multipart body."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise serializers.ValidationError(
                'Send an object of the file\'s column names to our field names, e.g. {"Company": "name"}.', code="invalid"
            )
        return value


class DealImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A CSV export (UTF-8, with or without a byte-order mark; comma or semicolon), at most 50 MB and "
        "200,000 rows. The standard Salesforce (Account, Opportunity) and HubSpot (companies, deals) exports are "
        "recognised by their headers."
    )
    kind = serializers.ChoiceField(
        choices=ImportKind.choices,
        required=False,
        help_text="What the file holds. Required with `mapping`; with a recognised file it must match what was recognised.",
    )
    mapping = MappingField(
        required=False,
        help_text="Only for files whose headers are not recognised: the file's columns to our fields. Accounts: "
        "`external_id`, `name` (required), `domain`, `industry`, `owner_name`. Opportunities: `external_id`, `name` "
        "(required), `account_external_id`, `account_name`, `account_domain` (one of the three required), `stage`, "
        "`amount`, `currency`, `close_date`, `owner_name`, `product_lines`. Columns left out are ignored. The "
        "mapping is saved and proposed for the next file with the same headers.",
    )


class ImportSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Records in the file (the header not counted).")
    accounts = serializers.IntegerField(help_text="Accounts the import writes (new and updated).")
    accounts_new = serializers.IntegerField()
    opportunities = serializers.IntegerField(help_text="Opportunities the import writes (new and updated).")
    opportunities_new = serializers.IntegerField()


class DealImportOutputSerializer(serializers.ModelSerializer):
    """One imported file."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=ImportKind.choices, read_only=True)
    created = serializers.IntegerField(read_only=True, help_text="Accounts and opportunities created.")
    updated = serializers.IntegerField(read_only=True, help_text="Accounts and opportunities updated.")
    sha256 = serializers.CharField(read_only=True, help_text="The file's SHA-256; the same file again is a replay.")
    job = serializers.UUIDField(source="job.public_id", read_only=True, allow_null=True, default=None)
    imported_by = serializers.SerializerMethodField(help_text="The person who imported it; null for an API key.")

    class Meta:
        model = ImportBatch
        fields = ["id", "kind", "file_name", "sha256", "rows", "created", "updated", "job", "imported_by", "imported_at"]
        read_only_fields = fields

    def get_imported_by(self, batch: ImportBatch) -> str | None:
        return batch.imported_by.email if batch.imported_by_id else None


class DealImportStartedSerializer(serializers.Serializer):
    """The answer to an upload: the job that imports it (202), or the earlier import of the same file (200)."""

    replay = serializers.BooleanField(help_text="`true`: this exact file was imported before; nothing runs again.")
    job = serializers.UUIDField(
        allow_null=True,
        help_text="The import job; poll `jobs/<id>/` for `status` and `progress`. On a replay: the earlier import's job.",
    )
    batch = serializers.UUIDField(
        help_text="The import's id (`deal-imports/<id>/`). It answers 404 until the job has succeeded; on a replay, "
        "the earlier import."
    )
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    source = serializers.CharField(
        allow_null=True,
        help_text="How the columns were read: `salesforce_account`, `salesforce_opportunity`, `hubspot_companies`, "
        "`hubspot_deals`, `saved` (a mapping saved earlier) or `mapping` (the one sent); null on a replay.",
    )
    summary = ImportSummarySerializer(allow_null=True, help_text="What the check found; null on a replay.")
    imported_at = serializers.DateTimeField(allow_null=True, help_text="On a replay: when the file was imported.")


class DealImportRowErrorSerializer(ImportRowErrorSerializer):
    column = serializers.CharField(help_text="The column as named in the file; empty for the row as a whole.")
    code = serializers.CharField(
        help_text="Stable, for example `required`, `invalid_date`, `invalid_amount`, `invalid_currency`, "
        "`currency_mismatch`, `invalid_domain`, `duplicate_in_file`, `domain_taken`, `account_not_found`, "
        "`ambiguous_account`, `unknown_product_line`, `max_length`."
    )


class DealImportInvalidSerializer(ImportInvalidSerializer):
    """The 400 answer: nothing was imported. ``rows`` names every bad row; ``columns`` the headers to map."""

    code = serializers.CharField(
        help_text="`rows_invalid`, `mapping_required`, `kind_mismatch`, a file problem (`not_utf8`, `not_csv`, "
        "`empty`, `no_header`, `duplicate_column`, `too_many_rows`, `file_too_large`) or a field code."
    )
    rows = DealImportRowErrorSerializer(many=True, required=False, help_text="`rows_invalid`: every problem, in file order.")
    columns = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="`mapping_required`: the file's headers, to map."
    )


# --- pipeline --------------------------------------------------------------------------------------


class PipelineQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day of the period (default: 89 days before `end`).")
    end = serializers.DateField(required=False, help_text="Last day of the period (default: today).")
    partner_type = serializers.ChoiceField(choices=PartnerType.choices, required=False, help_text="Only partners of this type.")
    tier = serializers.UUIDField(required=False, help_text="Only partners in this tier (its id).")
    partner = serializers.UUIDField(required=False, help_text="Only this partner (its id).")


class MyPipelineQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day of the period (default: 89 days before `end`).")
    end = serializers.DateField(required=False, help_text="Last day of the period (default: today).")


class PipelineFiltersSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    partner_type = serializers.CharField(help_text="Empty: every type.")
    tier = serializers.UUIDField(allow_null=True)
    partner = serializers.UUIDField(allow_null=True)


class PipelineStageSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="An open stage: `prospecting`, `qualification`, `proposal`, `negotiation`.")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Open registrations in this stage, in the program's currency.")
    total = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="Their estimated value.")
    avg_days = serializers.FloatField(
        allow_null=True, help_text="Velocity: average days in this stage over stays that ended in the period."
    )
    stays = serializers.IntegerField(help_text="How many stays the average is over.")


class PipelineOtherCurrencySerializer(serializers.Serializer):
    stage = serializers.CharField()
    currency = serializers.CharField()
    count = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)


class PipelineClosedSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="`won` or `lost`.")
    currency = serializers.CharField()
    count = serializers.IntegerField()
    total = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, help_text="Closed amounts (the estimated value when none)."
    )


class PipelineOutputSerializer(serializers.Serializer):
    """Partner-sourced pipeline: open by stage, won and lost in the period, velocity. Never converted between currencies."""

    currency = serializers.CharField(help_text="The program's currency; totals are in it.")
    filters = PipelineFiltersSerializer(help_text="The filters as understood.")
    stages = PipelineStageSerializer(many=True)
    other_currencies = PipelineOtherCurrencySerializer(many=True, help_text="Open pipeline in other currencies, apart.")
    open_count = serializers.IntegerField()
    open_total = serializers.DecimalField(max_digits=20, decimal_places=2)
    won_count = serializers.IntegerField(help_text="Closed won in the period (every currency).")
    won_total = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="In the program's currency.")
    lost_count = serializers.IntegerField()
    win_rate = serializers.FloatField(allow_null=True, help_text="Won / (won + lost), in percent; null when none closed.")
    closed = PipelineClosedSerializer(many=True, help_text="Won and lost in the period, per currency.")
