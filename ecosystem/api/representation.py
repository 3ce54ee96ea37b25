"""Values written as the API writes them, for output serializers that build a row's JSON by hand.

A list serializer on a hot path (a page of 50 rows) may write ``to_representation`` out as one dict
instead of DRF's walk over its fields: the walk builds every field per request (model introspection)
and then, per row and field, resolves the source, checks for None and converts, which costs more
than the page's query (bench/api_load.py). The conversions stay DRF's own: these helpers call
unbound DRF fields, so a date, a timestamp or an amount reads exactly as the declared field would
write it. A serializer that does this keeps its declared fields (the OpenAPI document reads them)
and a test that compares its output with ``ModelSerializer.to_representation``.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


def datetime_text(value: datetime.datetime | None, tz: datetime.tzinfo | None = None) -> str | None:
    """As ``DateTimeField``: ISO 8601 in the current time zone (or ``tz``, when the caller looked it up once
    for a row), ``Z`` for UTC; None stays None. An aware value (any the database returns) is converted here;
    anything else goes through the field itself."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return _DATETIME.to_representation(value)


def date_text(value: datetime.date | None) -> str | None:
    return None if value is None else _DATE.to_representation(value)


@functools.cache
def _decimal_field(max_digits: int, decimal_places: int) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=max_digits, decimal_places=decimal_places)


def decimal_text(value: Decimal | None, *, max_digits: int, decimal_places: int) -> str | None:
    """As ``DecimalField(max_digits, decimal_places)``: a string with exactly ``decimal_places`` places."""
    return None if value is None else _decimal_field(max_digits, decimal_places).to_representation(value)
