"""Build the engine's :class:`~attribution.engine.journeys.Journeys` for a run from the database.

The exact rule (dates are calendar days in the server's time zone, UTC):

1. **Outcomes.** One journey per deal registration with an outcome in the period
   [``period_start``, ``period_end``]:

   - *won*: stage ``closed_won`` and ``closed_on`` in the period → conv 1, value ``closed_amount``
     (the registration's ``value`` when no amount was recorded), outcome date ``closed_on``;
   - *lost*: stage ``closed_lost`` and ``closed_on`` in the period → conv 0, outcome date ``closed_on``;
   - *expired*: status ``expired`` (still in an open stage) and ``protected_until`` in the period →
     conv 0, outcome date ``protected_until``;
   - *open*: an open stage, an active status (pending, info requested, approved) and submitted on or
     before ``period_end`` → conv 0, outcome date ``period_end``.

   Rejected and withdrawn registrations are no outcome. Amounts are taken as recorded, in the
   program currency (there is no rate table yet, so no conversion is applied).
2. **Touches.** A journey's touches are the touchpoints on the registration's *customer account*
   (any partner, any deal of that account) dated on or before the outcome date and no more than
   ``lookback_days`` (default 365) before it, oldest first (ties by touchpoint id). So a touch on the
   day of the close counts; a touch the day after does not. Touchpoint ``weight`` is not used yet.
3. **Journeys without a touch** (nothing a partner did reached the account) are left out: the engine
   attributes partner credit, and every journey needs at least one touch. Their count is reported.
4. **Channels**, by the run's dimension: the partner (key: its public id), its partner type, its
   *current* tier (key: the tier's public id, ``none`` without one), or the touchpoint type. Channel
   codes 0 … n − 1 follow the sorted keys of the channels that occur, so the same data always gives
   the same arrays.
5. ``days`` per touch: whole days from the touch's date to the outcome date (for time decay).
6. Journeys are ordered by outcome date, then registration id.

Reads one query per table (registrations, touchpoints, partners), with ``values_list``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils import timezone

from deals.models import DealRegistration
from deals.models.registrations import ACTIVE_STATUSES, OPEN_STAGES, DealStage, RegistrationStatus
from partners.models import PartnerOrganization, PartnerType

from .engine.journeys import Journeys
from .models import ChannelDimension, Touchpoint, TouchpointType

DEFAULT_LOOKBACK_DAYS = 365
NO_TIER = "none"


@dataclass(frozen=True)
class LoadedJourneys:
    journeys: Journeys
    registration_ids: np.ndarray  # int64, per journey
    touchpoint_ids: np.ndarray  # int64, per touch (aligned with journeys.channels)
    channel_keys: tuple[str, ...]  # per channel code
    channel_partner_ids: tuple[int | None, ...]  # per channel code: the partner when the dimension is partner
    skipped_without_touch: int
    skipped_won_value: float  # won value of the outcomes left out for want of a touch

    @property
    def labels(self) -> tuple[str, ...]:
        return self.journeys.labels


def _outcomes(period_start: datetime.date, period_end: datetime.date) -> list[tuple[datetime.date, int, int, float, float]]:
    """(outcome date, registration id, account id, conv, value), ordered."""
    in_period = (period_start, period_end)
    rows = DealRegistration.objects.filter(
        Q(stage__in=(DealStage.CLOSED_WON, DealStage.CLOSED_LOST), closed_on__range=in_period)
        | Q(status=RegistrationStatus.EXPIRED, stage__in=OPEN_STAGES, protected_until__range=in_period)
        | Q(stage__in=OPEN_STAGES, status__in=ACTIVE_STATUSES, submitted_at__date__lte=period_end)
    ).values_list("id", "account_id", "stage", "status", "closed_on", "protected_until", "closed_amount", "value")
    out = []
    for reg_id, account_id, stage, status, closed_on, protected_until, closed_amount, value in rows:
        if stage == DealStage.CLOSED_WON:
            amount = closed_amount if closed_amount is not None else value
            out.append((closed_on, reg_id, account_id, 1.0, float(amount)))
        elif stage == DealStage.CLOSED_LOST:
            out.append((closed_on, reg_id, account_id, 0.0, 0.0))
        elif status == RegistrationStatus.EXPIRED:
            out.append((protected_until, reg_id, account_id, 0.0, 0.0))
        else:
            out.append((period_end, reg_id, account_id, 0.0, 0.0))
    out.sort(key=lambda row: (row[0], row[1]))
    return out


def _channel_of(dimension: str, partners: dict[int, tuple]) -> Any:
    """A function (partner id, touch type) → (key, label, partner id or None)."""
    if dimension == ChannelDimension.PARTNER:
        return lambda partner_id, touch_type: (str(partners[partner_id][0]), partners[partner_id][1], partner_id)
    if dimension == ChannelDimension.PARTNER_TYPE:
        labels = dict(PartnerType.choices)
        return lambda partner_id, touch_type: (
            partners[partner_id][2],
            str(labels.get(partners[partner_id][2], partners[partner_id][2])),
            None,
        )
    if dimension == ChannelDimension.TIER:

        def tier(partner_id, touch_type):
            _, _, _, tier_public_id, tier_name = partners[partner_id]
            return (str(tier_public_id), tier_name, None) if tier_public_id else (NO_TIER, "No tier", None)

        return tier
    if dimension == ChannelDimension.TOUCHPOINT_TYPE:
        labels = dict(TouchpointType.choices)
        return lambda partner_id, touch_type: (touch_type, str(labels.get(touch_type, touch_type)), None)
    raise ValueError(f"unknown channel dimension {dimension!r}")


def load_journeys(
    *, period_start: datetime.date, period_end: datetime.date, dimension: str, lookback_days: int = DEFAULT_LOOKBACK_DAYS
) -> LoadedJourneys:
    """The run's journeys, per the rule in the module docstring. Call inside the tenant's staff scope."""
    outcomes = _outcomes(period_start, period_end)
    earliest = (outcomes[0][0] if outcomes else period_start) - datetime.timedelta(days=lookback_days)
    tz = timezone.get_current_timezone()
    start_at = datetime.datetime.combine(earliest, datetime.time.min, tzinfo=tz)
    end_at = datetime.datetime.combine(period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    touches = Touchpoint.objects.filter(occurred_at__gte=start_at, occurred_at__lt=end_at).values_list(
        "id", "account_id", "partner_id", "touch_type", "occurred_at"
    )
    partners = {
        row[0]: row[1:]
        for row in PartnerOrganization.objects.values_list(
            "id", "public_id", "name", "partner_type", "tier__public_id", "tier__name"
        )
    }
    channel_of = _channel_of(dimension, partners)

    by_account: dict[int, list[tuple[datetime.date, int, tuple]]] = {}
    for tp_id, account_id, partner_id, touch_type, occurred_at in sorted(touches, key=lambda row: (row[4], row[0])):
        by_account.setdefault(account_id, []).append(
            (timezone.localtime(occurred_at, tz).date(), tp_id, channel_of(partner_id, touch_type))
        )

    kept: list[tuple[int, float, float, list[tuple[int, tuple, int]]]] = []
    skipped, skipped_value = 0, 0.0
    lookback = datetime.timedelta(days=lookback_days)
    for outcome_date, reg_id, account_id, conv, value in outcomes:
        path = [
            (tp_id, channel, (outcome_date - touch_date).days)
            for touch_date, tp_id, channel in by_account.get(account_id, ())
            if outcome_date - lookback <= touch_date <= outcome_date
        ]
        if not path:
            skipped += 1
            skipped_value += value
            continue
        kept.append((reg_id, conv, value, path))

    channels_seen = {channel for _, _, _, path in kept for _, channel, _ in path}
    ordered = sorted(channels_seen)
    code = {channel: i for i, channel in enumerate(ordered)}
    lengths = np.array([len(path) for _, _, _, path in kept], dtype=np.int64)
    journeys = Journeys(
        channels=np.array([code[channel] for _, _, _, path in kept for _, channel, _ in path], dtype=np.int32),
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        conv=np.array([row[1] for row in kept], dtype=np.float64),
        value=np.array([row[2] for row in kept], dtype=np.float64),
        n_channels=len(ordered),
        days=np.array([days for _, _, _, path in kept for _, _, days in path], dtype=np.float64),
        labels=tuple(label for _, label, _ in ordered),
    )
    return LoadedJourneys(
        journeys=journeys,
        registration_ids=np.array([row[0] for row in kept], dtype=np.int64),
        touchpoint_ids=np.array([tp_id for _, _, _, path in kept for tp_id, _, _ in path], dtype=np.int64),
        channel_keys=tuple(key for key, _, _ in ordered),
        channel_partner_ids=tuple(partner_id for _, _, partner_id in ordered),
        skipped_without_touch=skipped,
        skipped_won_value=skipped_value,
    )


def inputs_sha256(loaded: LoadedJourneys, parameters: dict[str, Any]) -> str:
    """SHA-256 over the canonical journeys arrays (fixed little-endian dtypes), the channel keys and
    the run's parameters (canonical JSON, sorted keys). Same data and parameters → same hash."""
    digest = hashlib.sha256()
    j = loaded.journeys
    arrays = (
        ("channels", j.channels, "<i4"),
        ("offsets", j.offsets, "<i8"),
        ("conv", j.conv, "<f8"),
        ("value", j.value, "<f8"),
        ("days", j.days if j.days is not None else np.zeros(0), "<f8"),
        ("registrations", loaded.registration_ids, "<i8"),
    )
    for name, array, dtype in arrays:
        data = np.ascontiguousarray(array, dtype=np.dtype(dtype)).tobytes()
        digest.update(f"{name}:{len(data)}:".encode())
        digest.update(data)
    canonical = json.dumps(
        {"channel_keys": list(loaded.channel_keys), "parameters": parameters}, sort_keys=True, separators=(",", ":"), default=str
    )
    digest.update(canonical.encode())
    return digest.hexdigest()
