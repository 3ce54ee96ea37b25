"""Date-time query filters are compared in UTC: any offset the caller may write works, none is a 500.

Found by the API fuzz: ``?created_after=…+18:47`` is a valid ISO 8601 date-time that PostgreSQL
refuses ("time zone displacement out of range"), which answered 500.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from ecosystem.api.datetime_filters import UtcIsoDateTimeField

RUNS = "/api/v1/t/alpha/attribution-runs/"


def test_an_offset_postgresql_does_not_know_is_turned_into_utc():
    value = UtcIsoDateTimeField().clean("2026-03-02T09:30:00+18:47")
    assert value == datetime.datetime(2026, 3, 1, 14, 43, tzinfo=datetime.UTC)


def test_a_moment_outside_the_years_1_to_9999_in_utc_is_a_validation_error():
    with pytest.raises(ValidationError) as raised:
        UtcIsoDateTimeField().clean("9999-12-31T23:00:00-05:00")
    assert raised.value.code == "overflow"


def test_the_api_answers_a_far_offset_and_refuses_an_overflow_with_the_envelope(client, world):
    client.force_login(world.a.manager)

    far_offset = client.get(RUNS, {"created_after": "2026-03-02T09:30:00+18:47"})
    overflow = client.get(RUNS, {"created_before": "9999-12-31T23:00:00-05:00"})

    assert far_offset.status_code == 200
    assert overflow.status_code == 400
    assert (overflow.json()["type"], overflow.json()["attr"]) == ("validation_error", "created_before")
