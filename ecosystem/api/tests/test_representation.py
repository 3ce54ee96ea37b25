"""The hand-written row helpers write exactly what DRF's fields write (ecosystem/api/representation.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from ecosystem.api.representation import date_text, datetime_text, decimal_text

MOMENTS = [
    datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 6, 1, 23, 59, 59, 123456, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30))),
    datetime.datetime(2026, 1, 1, 12, 0),  # naive: the field makes it aware in the current zone
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Sao_Paulo"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_timestamp_reads_as_the_datetime_field_writes_it_in_the_current_zone(zone, moment):
    with timezone.override(zone):
        expected = serializers.DateTimeField().to_representation(moment)
        assert datetime_text(moment) == expected
        assert datetime_text(moment, timezone.get_current_timezone()) == expected
    assert datetime_text(None) is None


@pytest.mark.parametrize("amount", [Decimal("1000.00"), Decimal("1234.5"), Decimal("0"), Decimal("999999999999.99")])
def test_an_amount_reads_as_the_decimal_field_writes_it(amount):
    assert decimal_text(amount, max_digits=14, decimal_places=2) == serializers.DecimalField(
        max_digits=14, decimal_places=2
    ).to_representation(amount)
    assert decimal_text(None, max_digits=14, decimal_places=2) is None


def test_a_day_reads_as_the_date_field_writes_it():
    day = datetime.date(2027, 3, 31)
    assert date_text(day) == serializers.DateField().to_representation(day) == "2027-03-31"
    assert date_text(None) is None
