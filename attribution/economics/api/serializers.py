"""Shapes of the economics API: customer revenue rows, program costs, and the figures."""

from __future__ import annotations

from rest_framework import serializers

from ..models import CostCategory, RevenueSource


class CustomerRevenueOutputSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    account = serializers.UUIDField(source="account.public_id")
    account_name = serializers.CharField(source="account.name")
    month = serializers.DateField(format="%Y-%m", help_text="The month, as 2026-03.")
    mrr = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="In the program's currency.")
    managing_partner = serializers.UUIDField(
        source="managing_partner.public_id", allow_null=True, default=None, help_text="Null: a direct customer that month."
    )
    managing_partner_name = serializers.CharField(source="managing_partner.name", allow_null=True, default=None)
    source = serializers.ChoiceField(choices=RevenueSource.choices)
    external_id = serializers.CharField()
    updated_at = serializers.DateTimeField()


class CustomerRevenueQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, help_text="One month, as 2026-03.")
    partner = serializers.UUIDField(required=False, help_text="The managing partner's public id.")
    account = serializers.UUIDField(required=False, help_text="A customer account's public id.")


class CustomerRevenueInputSerializer(serializers.Serializer):
    account = serializers.UUIDField(help_text="The customer account's public id.")
    month = serializers.CharField(max_length=10, help_text="2026-03 (or a date in the month); not after the current month.")
    mrr = serializers.DecimalField(
        max_digits=None, decimal_places=None, help_text="Monthly recurring revenue, ≥ 0, at most two decimals, program currency."
    )
    managing_partner = serializers.UUIDField(
        required=False, allow_null=True, help_text="The partner that managed the account that month; null or absent: direct."
    )
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=120)


class CustomerRevenueCreatedSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Account-months that were new.")
    replaced = serializers.IntegerField(help_text="Account-months that were stored before and were replaced.")
    results = CustomerRevenueOutputSerializer(many=True)


class ProgramCostOutputSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    category = serializers.ChoiceField(choices=CostCategory.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ProgramCostInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="2000 to 2100.")
    quarter = serializers.IntegerField(help_text="1 to 4.")
    category = serializers.ChoiceField(choices=CostCategory.choices)
    amount = serializers.DecimalField(max_digits=None, decimal_places=None, help_text="≥ 0, at most two decimals.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ProgramCostQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1900, max_value=9998)  # a smallint column


class MetricsQuerySerializer(serializers.Serializer):
    quarter = serializers.RegexField(
        r"^\d{4}-[Qq][1-4]$", required=False, help_text="The quarter of CAC, as 2026-Q3 (default: the last complete one)."
    )
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$", required=False, help_text="The month retention ends in, as 2026-10 (default: the last complete one)."
    )

    # The figures look a year back and a quarter ahead: outside these years the calendar runs out (a 500 before).
    FIRST_YEAR, LAST_YEAR = 1900, 9998

    def _check_year(self, value: str) -> str:
        if not self.FIRST_YEAR <= int(value[:4]) <= self.LAST_YEAR:
            raise serializers.ValidationError(f"Use a year from {self.FIRST_YEAR} to {self.LAST_YEAR}.", code="out_of_range")
        return value

    def validate_quarter(self, value: str) -> str:
        return self._check_year(value)

    def validate_month(self, value: str) -> str:
        return self._check_year(value)


class CacSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    partner_cost = serializers.FloatField()
    partner_new_customers = serializers.IntegerField()
    partner_cac = serializers.FloatField(allow_null=True)
    direct_cost = serializers.FloatField()
    direct_new_customers = serializers.IntegerField()
    direct_cac = serializers.FloatField(allow_null=True)


class RetentionSerializer(serializers.Serializer):
    channel = serializers.CharField(help_text="partner, direct or all.")
    accounts = serializers.IntegerField(help_text="Accounts with MRR > 0 twelve months before.")
    mrr_start = serializers.FloatField()
    mrr_end = serializers.FloatField()
    nrr = serializers.FloatField(allow_null=True)
    grr = serializers.FloatField(allow_null=True)
    logo_retention = serializers.FloatField(allow_null=True)


class CltvSerializer(serializers.Serializer):
    partner = serializers.UUIDField(source="partner_public_id")
    partner_name = serializers.CharField()
    revenue = serializers.FloatField()
    accounts = serializers.IntegerField()
    months = serializers.IntegerField()
    average_months = serializers.FloatField()


class MetricsOutputSerializer(serializers.Serializer):
    currency = serializers.CharField()
    quarter = serializers.CharField(help_text="The quarter of CAC, as 2026-Q3.")
    month = serializers.CharField(help_text="The month retention ends in, as 2026-10.")
    cac = CacSerializer()
    retention = RetentionSerializer(many=True)
    cltv = CltvSerializer(many=True, help_text="The top 20 partners by CLTV contribution.")
    cltv_partners = serializers.IntegerField(help_text="Partners with any managed revenue.")
