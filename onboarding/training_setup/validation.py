"""Checks on what staff type into the training set-up forms; each refusal names its field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError
from onboarding.models import Track
from onboarding.models.training import https_only


def _required(value: str | None, field: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, code="required", field=field)
    if len(value) > limit:
        raise ApplicationError(_("Use at most %(limit)d characters.") % {"limit": limit}, code="too_long", field=field)
    return value


def _optional(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ApplicationError(_("Use at most %(limit)d characters.") % {"limit": limit}, code="too_long", field=field)
    return value


def _https(value: str | None, field: str) -> str:
    value = _optional(value, field, 500)
    if value:
        try:
            https_only(value)
        except ValidationError:
            raise ApplicationError(_("Enter an https:// address."), code="not_https", field=field) from None
    return value


def _track(track: str) -> str:
    if track not in Track.values:
        raise ApplicationError(_("Choose a track from the list."), code="invalid_choice", field="track")
    return track


def _in_range(value: int, low: int, high: int, field: str) -> int:
    if not low <= value <= high:
        raise ApplicationError(
            _("Use a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}, code="out_of_range", field=field
        )
    return value
