"""A date-time query filter PostgreSQL can always compare with.

django-filter's ``IsoDateTimeFilter`` keeps the UTC offset the caller wrote. Python accepts offsets up
to ±23:59, PostgreSQL only up to ±15:59: ``?created_after=2026-03-02T09:30:00+18:47`` reached the
database and came back as a 500 ("time zone displacement out of range"). Turned to UTC, every valid
offset compares; a moment that leaves the years 1–9999 in UTC is a 400 like any other bad value.
"""

from __future__ import annotations

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):
    default_error_messages = {"overflow": _("Enter a date and time between the years 1 and 9999.")}

    def to_python(self, value):
        result = super().to_python(value)
        if result is None or result.tzinfo is None:
            return result
        try:
            return result.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["overflow"], code="overflow") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """``django_filters.IsoDateTimeFilter``, compared in UTC. Use it for every date-time query parameter."""

    field_class = UtcIsoDateTimeField
