"""Shapes of the incentives API: programs with their tiers, statements with their lines, usage figures."""

from __future__ import annotations

from rest_framework import serializers

from ..models import LineKind, Measure, ProgramStatus, RateMode, StatementStatus, UsageSource


class RateSerializer(serializers.Serializer):
    threshold = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="The tier applies from this measured total.")
    rate = serializers.DecimalField(
        max_digits=12, decimal_places=4, help_text="A percentage for revenue measures; an amount per unit for usage."
    )


class RebateProgramOutputSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()
    measure = serializers.ChoiceField(choices=Measure.choices)
    usage_metric = serializers.CharField()
    rate_mode = serializers.ChoiceField(choices=RateMode.choices)
    currency = serializers.CharField()
    partner_types = serializers.ListField(child=serializers.CharField())
    tier_ids = serializers.ListField(child=serializers.UUIDField(), help_text="Eligible tiers' public ids; empty: every tier.")
    status = serializers.ChoiceField(choices=ProgramStatus.choices)
    rates = RateSerializer(many=True, source="rates.all")
    updated_at = serializers.DateTimeField()


class RebateProgramInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    measure = serializers.ChoiceField(choices=Measure.choices)
    usage_metric = serializers.CharField(max_length=60, required=False, allow_blank=True)
    rate_mode = serializers.ChoiceField(choices=RateMode.choices, default=RateMode.MARGINAL)
    status = serializers.ChoiceField(choices=ProgramStatus.choices, default=ProgramStatus.DRAFT)
    partner_types = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    tier_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    rates = serializers.ListField(
        child=serializers.DictField(), help_text='[{"threshold": "0", "rate": "2"}, {"threshold": "100000", "rate": "4"}]'
    )


class ComputeInputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()


class ComputeOutputSerializer(serializers.Serializer):
    period = serializers.CharField()
    created = serializers.IntegerField()
    replaced = serializers.IntegerField()
    removed = serializers.IntegerField()
    kept = serializers.IntegerField(help_text="Approved or paid statements left as they were.")
    unconverted = serializers.IntegerField(help_text="Won deals without a currency rate on their close date: not counted.")
    rebate_total = serializers.DecimalField(max_digits=16, decimal_places=2)


class StatementLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices)
    source_id = serializers.UUIDField()
    description = serializers.CharField()
    day = serializers.DateField()
    original_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    original_currency = serializers.CharField()
    exchange_rate = serializers.DecimalField(max_digits=18, decimal_places=8, allow_null=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="What the line adds to the measured total.")


class RebateStatementOutputSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    program = serializers.UUIDField(source="program.public_id")
    program_name = serializers.CharField(source="program.name")
    partner = serializers.UUIDField(source="partner.public_id")
    partner_name = serializers.CharField(source="partner.name")
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    measure = serializers.ChoiceField(choices=Measure.choices)
    rate_mode = serializers.ChoiceField(choices=RateMode.choices)
    tiers = serializers.JSONField(help_text="[[threshold, rate], …] as computed.")
    measured_total = serializers.DecimalField(max_digits=16, decimal_places=2)
    rebate_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    line_count = serializers.IntegerField()
    status = serializers.ChoiceField(choices=StatementStatus.choices)
    computed_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    payment_reference = serializers.CharField()


class RebateStatementDetailSerializer(RebateStatementOutputSerializer):
    lines = StatementLineSerializer(many=True, source="lines.all")


class PayInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class UsageFigureOutputSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    account = serializers.UUIDField(source="account.public_id")
    account_name = serializers.CharField(source="account.name")
    metric = serializers.CharField()
    month = serializers.DateField(format="%Y-%m")
    quantity = serializers.DecimalField(max_digits=16, decimal_places=2)
    source = serializers.ChoiceField(choices=UsageSource.choices)
    external_id = serializers.CharField()
    updated_at = serializers.DateTimeField()


class UsageFigureInputSerializer(serializers.Serializer):
    account = serializers.UUIDField(help_text="The customer account's public id.")
    metric = serializers.CharField(max_length=60)
    month = serializers.CharField(max_length=10, help_text="2026-03 (or a date in the month); not after the current month.")
    quantity = serializers.DecimalField(max_digits=None, decimal_places=None, help_text="≥ 0, at most two decimals.")
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=120)


class UsageFigureCreatedSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    replaced = serializers.IntegerField()
    results = UsageFigureOutputSerializer(many=True)
