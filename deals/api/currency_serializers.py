"""Shapes of the currency rate API: one rate row, and the input that sets one."""

from __future__ import annotations

from rest_framework import serializers


class CurrencyRateOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    currency = serializers.CharField(help_text="ISO 4217 code.")
    valid_from = serializers.DateField(help_text="The rate applies from this day until the next row of the currency.")
    rate = serializers.CharField(source="rate_text", help_text="1 unit of the currency in the program currency (decimal).")
    updated_at = serializers.DateTimeField()


class CurrencyRateInputSerializer(serializers.Serializer):
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code, not the program currency.")
    valid_from = serializers.DateField()
    rate = serializers.DecimalField(
        max_digits=18, decimal_places=8, help_text="Units of the program currency one unit of the currency is worth; > 0."
    )
