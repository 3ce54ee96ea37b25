"""Build the engine's :class:`~attribution.engine.journeys.Journeys` for a run from the database.

The exact rule (dates are calendar days in the server's time zone):

1. **Outcomes.** One journey per deal registration with an outcome in the period
   [``period_start``, ``period_end``]:

   - *won*: stage ``closed_won`` and ``closed_on`` in the period → conv 1, value ``closed_amount``
     (the registration's ``value`` when no amount was recorded), outcome date ``closed_on``;
   - *lost*: stage ``closed_lost`` and ``closed_on`` in the period → conv 0, outcome date ``closed_on``;
   - *expired*: status ``expired`` (still in an open stage) and ``protected_until`` in the period →
     conv 0, outcome date ``protected_until``;
   - *open at the period's end*: submitted on or before ``period_end``, not rejected or withdrawn,
     not closed and not expired by then (an open stage, or closed only after ``period_end``) →
     conv 0, outcome date ``period_end``. So a past period counts the deals that were open at its
     end, even if they closed later.

2. **Currency.** A won amount in another currency than the program's is converted at the rate in
   force on the close date in the tenant's rate table (:mod:`deals.currency`), never today's rate.
   A won deal with no rate for its currency on that date is left out, and counted.
3. **Touches.** A journey's touches are the touchpoints on the registration's *customer account*
   (any partner, any deal of that account) dated on or before the outcome date and no more than
   ``lookback_days`` (default 365) before it, oldest first (ties by touchpoint id). So a touch on the
   day of the close counts; a touch the day after does not. Touchpoint ``weight`` is not used.
4. **Journeys without a touch** (nothing a partner did reached the account) are left out: the engine
   attributes partner credit, and every journey needs at least one touch. Their count is reported.
5. **Channels**, by the run's dimension: the partner (key: its public id), its partner type, its
   tier *at the time of the touch* (from the partner's tier changes; key: the tier's public id,
   ``none`` without one), or the touchpoint type. Channel codes 0 … n − 1 follow the sorted keys of
   the channels that occur, so the same data always gives the same arrays.
6. ``days`` per touch: whole days from the touch's date to the outcome date (for time decay).
7. Journeys are ordered by outcome date, then registration id.

Reads registrations and touchpoints with binary COPY into numpy (:mod:`attribution.copyio`) and
assembles journeys with sorts and searches over whole arrays: no Python loop per row. Partners,
tiers and tier changes (small tables) come through the ORM.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from deals.currency import rate_table
from deals.models import DealRegistration
from deals.models.registrations import OPEN_STAGES, DealStage, RegistrationStatus
from ecosystem.tenancy.context import current_scope
from partners.models import PartnerOrganization, PartnerType, Tier, TierChange

from .copyio import copy_out
from .engine.journeys import Journeys
from .models import ChannelDimension, OutcomeKind, Touchpoint, TouchpointType

DEFAULT_LOOKBACK_DAYS = 365
NO_TIER = "none"
TOUCH_TYPES = tuple(TouchpointType.values)  # the code of a type is its index + 1 (array_position)
_DAY_BITS = 32  # composite sort key: account rank in the high bits, day (+2³¹) in the low ones


@dataclass(frozen=True)
class LoadedJourneys:
    journeys: Journeys
    registration_ids: np.ndarray  # int64, per journey
    outcomes: np.ndarray  # int16 OutcomeKind, per journey
    outcome_days: np.ndarray  # datetime64[D], per journey
    rates: np.ndarray  # float64, per journey: program currency per unit of the deal's currency (1 when the same)
    touchpoint_ids: np.ndarray  # int64, per touch (aligned with journeys.channels)
    touch_partner_ids: np.ndarray  # int64, per touch
    touch_days: np.ndarray  # datetime64[D], per touch
    channel_keys: tuple[str, ...]  # per channel code
    channel_partner_ids: tuple[int | None, ...]  # per channel code: the partner when the dimension is partner
    skipped_without_touch: int
    skipped_won_value: float  # won value of the outcomes left out for want of a touch
    skipped_without_rate: int = 0
    missing_rates: tuple[str, ...] = ()  # "EUR on 2026-03-01", the first few

    @property
    def labels(self) -> tuple[str, ...]:
        return self.journeys.labels


def _tenant_id() -> int:
    scope = current_scope()
    if scope is None:
        raise RuntimeError("load_journeys() needs a tenant scope")
    return scope.tenant_id


OUTCOMES_SQL = f"""
SELECT r.id, r.account_id, kind.outcome, kind.outcome_on, kind.amount, left(rpad(r.currency, 3), 3)
FROM {DealRegistration._meta.db_table} r
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN r.stage = %(won)s AND r.closed_on BETWEEN %(start)s AND %(end)s THEN %(k_won)s
        WHEN r.stage = %(lost)s AND r.closed_on BETWEEN %(start)s AND %(end)s THEN %(k_lost)s
        WHEN r.status = %(expired)s AND r.stage = ANY(%(open_stages)s) AND r.protected_until BETWEEN %(start)s AND %(end)s
            THEN %(k_expired)s
        WHEN r.submitted_at < %(end_at)s
             AND r.status <> ALL(%(no_outcome)s)
             AND NOT (r.status = %(expired)s AND r.protected_until <= %(end)s)
             AND (r.stage = ANY(%(open_stages)s) OR r.closed_on > %(end)s)
            THEN %(k_open)s
    END::int2 AS outcome
) AS chosen
CROSS JOIN LATERAL (
    SELECT chosen.outcome,
           (CASE chosen.outcome
               WHEN %(k_won)s THEN r.closed_on WHEN %(k_lost)s THEN r.closed_on
               WHEN %(k_expired)s THEN r.protected_until ELSE %(end)s::date END) AS outcome_on,
           (CASE WHEN chosen.outcome = %(k_won)s THEN COALESCE(r.closed_amount, r.value) ELSE 0 END)::float8 AS amount
) AS kind
WHERE r.tenant_id = %(tenant)s AND chosen.outcome IS NOT NULL
"""

TOUCHES_SQL = f"""
SELECT t.id, t.account_id, t.partner_id, t.occurred_at{{extra}}
FROM {Touchpoint._meta.db_table} t
WHERE t.tenant_id = %(tenant)s AND t.occurred_at >= %(start_at)s AND t.occurred_at < %(end_at)s
"""
TOUCH_TYPE_SQL = ", array_position(%(types)s::text[], t.touch_type::text)::int2"
LOCAL_DATE_SQL = ", (t.occurred_at AT TIME ZONE %(tz)s)::date"


def _read_outcomes(tenant_id: int, period_start, period_end, end_at) -> dict[str, np.ndarray]:
    params = {
        "tenant": tenant_id,
        "won": DealStage.CLOSED_WON,
        "lost": DealStage.CLOSED_LOST,
        "expired": RegistrationStatus.EXPIRED,
        "open_stages": list(OPEN_STAGES),
        "no_outcome": [RegistrationStatus.REJECTED, RegistrationStatus.WITHDRAWN],
        "start": period_start,
        "end": period_end,
        "end_at": end_at,
        "k_won": int(OutcomeKind.WON),
        "k_lost": int(OutcomeKind.LOST),
        "k_expired": int(OutcomeKind.EXPIRED),
        "k_open": int(OutcomeKind.OPEN),
    }
    columns = [
        ("id", "int8"),
        ("account", "int8"),
        ("outcome", "int2"),
        ("day", "date"),
        ("amount", "float8"),
        ("currency", "char3"),
    ]
    with connection.cursor() as cursor:
        return copy_out(cursor, OUTCOMES_SQL, params, columns)


def _read_touches(tenant_id: int, start_at, end_at, *, with_type: bool, with_epoch: bool) -> dict[str, np.ndarray]:
    """Touchpoints in [start_at, end_at): id, account, partner, moment (UTC), local day, and the type
    code (index + 1 in :data:`TOUCH_TYPES`) when ``with_type``. Days are computed here when the
    server's zone is UTC, else by PostgreSQL in that zone."""
    tz = timezone.get_current_timezone_name()
    in_utc = tz == "UTC"
    extra = (TOUCH_TYPE_SQL if with_type else "") + ("" if in_utc else LOCAL_DATE_SQL)
    params = {"tenant": tenant_id, "types": list(TOUCH_TYPES), "tz": tz, "start_at": start_at, "end_at": end_at}
    columns = [("id", "int8"), ("account", "int8"), ("partner", "int8"), ("at", "timestamptz")]
    columns += [("type", "int2")] if with_type else []
    columns += [] if in_utc else [("day", "date")]
    with connection.cursor() as cursor:
        touches = copy_out(cursor, TOUCHES_SQL.format(extra=extra), params, columns)
    moment = touches.pop("at")
    if in_utc:
        touches["day"] = moment.astype("datetime64[D]")
    if with_epoch:  # seconds since 1970, for the tier in force at the touch
        touches["epoch"] = moment.astype("datetime64[s]").astype(np.int64)
    return touches


def _convert(outcomes: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(value in the program currency, rate, missing mask, currency names) per outcome; only won amounts need a rate."""
    codes = outcomes["currency"]
    distinct, inverse = np.unique(codes, return_inverse=True)  # fixed 3-byte codes: a handful of values
    names = np.array([c.decode("ascii", "replace").strip() for c in distinct], dtype=object)[inverse]
    conversion = rate_table().convert(outcomes["amount"], names, outcomes["day"])
    won = outcomes["outcome"] == OutcomeKind.WON
    missing = conversion.missing & won
    values = np.where(won & ~missing, conversion.values, 0.0)
    rates = np.where(np.isnan(conversion.rates), 1.0, conversion.rates)
    return values, rates, missing, names


@dataclass(frozen=True)
class _Partners:
    ids: np.ndarray  # sorted partner ids
    public_ids: list[str]
    names: list[str]
    types: list[str]
    tier_ids: np.ndarray  # current tier id per partner, -1 without

    def index(self, partner_ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.ids, partner_ids)


def _partners() -> _Partners:
    rows = sorted(PartnerOrganization.objects.values_list("id", "public_id", "name", "partner_type", "tier_id"))
    return _Partners(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        public_ids=[str(r[1]) for r in rows],
        names=[r[2] for r in rows],
        types=[r[3] for r in rows],
        tier_ids=np.array([r[4] if r[4] is not None else -1 for r in rows], dtype=np.int64),
    )


def _tier_at_touch(partners: _Partners, partner_index: np.ndarray, epoch: np.ndarray) -> np.ndarray:
    """Per touch, the id of the partner's tier in force at the touch (-1: none).

    The tier after the last change at or before the touch; before a partner's first change, the tier
    that change left (``from_tier``); a partner that never changed tier is in its current tier.
    """
    changes = sorted(
        TierChange.objects.values_list("partner_id", "changed_at", "id", "from_tier_id", "to_tier_id"),
        key=lambda row: (row[0], row[1], row[2]),
    )
    tiers = partners.tier_ids[partner_index].copy()
    if not changes:
        return tiers
    change_partner = partners.index(np.array([c[0] for c in changes], dtype=np.int64))
    change_epoch = np.array([int(c[1].timestamp()) for c in changes], dtype=np.int64)
    to_tier = np.array([c[4] if c[4] is not None else -1 for c in changes], dtype=np.int64)
    first_from = np.full(len(partners.ids), -2, dtype=np.int64)  # -2: the partner has no change
    for i in range(len(changes) - 1, -1, -1):  # tier changes: a few per partner, not per touch
        first_from[change_partner[i]] = changes[i][3] if changes[i][3] is not None else -1
    keys = (change_partner.astype(np.int64) << 34) + change_epoch
    touch_keys = (partner_index.astype(np.int64) << 34) + epoch
    last = np.searchsorted(keys, touch_keys, side="right") - 1
    same_partner = (last >= 0) & (change_partner[np.maximum(last, 0)] == partner_index)
    before_first = ~same_partner & (first_from[partner_index] != -2)
    tiers[same_partner] = to_tier[last[same_partner]]
    tiers[before_first] = first_from[partner_index[before_first]]
    return tiers


def _channels(dimension: str, touches: dict[str, np.ndarray], partners: _Partners):
    """Per touch a raw channel number, and per raw number its (key, label, partner id or None)."""
    partner_index = partners.index(touches["partner"])
    if dimension == ChannelDimension.PARTNER:
        raw = partner_index
        describe = [(partners.public_ids[i], partners.names[i], int(partners.ids[i])) for i in range(len(partners.ids))]
    elif dimension == ChannelDimension.PARTNER_TYPE:
        labels = dict(PartnerType.choices)
        values = sorted({*PartnerType.values, *partners.types})
        type_code = np.array([values.index(t) for t in partners.types], dtype=np.int64)
        raw = type_code[partner_index] if len(partners.ids) else np.zeros(0, dtype=np.int64)
        describe = [(v, str(labels.get(v, v)), None) for v in values]
    elif dimension == ChannelDimension.TIER:
        tier_rows = sorted(Tier.objects.values_list("id", "public_id", "name"))
        tier_ids = np.array([t[0] for t in tier_rows], dtype=np.int64)
        at_touch = _tier_at_touch(partners, partner_index, touches["epoch"])
        known = np.isin(at_touch, tier_ids)
        raw = np.where(known, np.searchsorted(tier_ids, at_touch), len(tier_rows))
        describe = [(str(t[1]), t[2], None) for t in tier_rows] + [(NO_TIER, "No tier", None)]
    elif dimension == ChannelDimension.TOUCHPOINT_TYPE:
        labels = dict(TouchpointType.choices)
        raw = touches["type"].astype(np.int64) - 1
        describe = [(t, str(labels[t]), None) for t in TOUCH_TYPES]
    else:
        raise ValueError(f"unknown channel dimension {dimension!r}")
    return np.asarray(raw, dtype=np.int64), describe


def _empty(dimension: str, skipped: int, skipped_value: float, skipped_rate: int, missing: tuple[str, ...]) -> LoadedJourneys:
    return LoadedJourneys(
        journeys=Journeys(
            channels=np.zeros(0, dtype=np.int32),
            offsets=np.zeros(1, dtype=np.int64),
            conv=np.zeros(0),
            value=np.zeros(0),
            n_channels=0,
            days=np.zeros(0),
        ),
        registration_ids=np.zeros(0, dtype=np.int64),
        outcomes=np.zeros(0, dtype=np.int16),
        outcome_days=np.zeros(0, dtype="datetime64[D]"),
        rates=np.zeros(0),
        touchpoint_ids=np.zeros(0, dtype=np.int64),
        touch_partner_ids=np.zeros(0, dtype=np.int64),
        touch_days=np.zeros(0, dtype="datetime64[D]"),
        channel_keys=(),
        channel_partner_ids=(),
        skipped_without_touch=skipped,
        skipped_won_value=skipped_value,
        skipped_without_rate=skipped_rate,
        missing_rates=missing,
    )


def load_journeys(
    *, period_start: datetime.date, period_end: datetime.date, dimension: str, lookback_days: int = DEFAULT_LOOKBACK_DAYS
) -> LoadedJourneys:
    """The run's journeys, per the rule in the module docstring. Call inside the tenant's staff scope."""
    tenant_id = _tenant_id()
    tz = timezone.get_current_timezone()
    end_at = datetime.datetime.combine(period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    outcomes = _read_outcomes(tenant_id, period_start, period_end, end_at)

    # Order journeys by outcome date, then registration id; convert won amounts.
    order = np.lexsort((outcomes["id"], outcomes["day"]))
    outcomes = {name: values[order] for name, values in outcomes.items()}
    values, rates, no_rate, names = _convert(outcomes)
    missing_rates = tuple(
        sorted({f"{name} on {day}" for name, day in zip(names[no_rate], outcomes["day"][no_rate], strict=True)})
    )[:10]
    if no_rate.any():
        outcomes = {name: v[~no_rate] for name, v in outcomes.items()}
        values, rates = values[~no_rate], rates[~no_rate]
    skipped_rate = int(no_rate.sum())

    first_day = outcomes["day"].min() if len(outcomes["day"]) else np.datetime64(period_start, "D")
    earliest = first_day.astype(object) - datetime.timedelta(days=lookback_days)
    start_at = datetime.datetime.combine(earliest, datetime.time.min, tzinfo=tz)
    touches = _read_touches(
        tenant_id,
        start_at,
        end_at,
        with_type=dimension == ChannelDimension.TOUCHPOINT_TYPE,
        with_epoch=dimension == ChannelDimension.TIER,
    )

    # Touches sorted by (account, day, id); a composite key (account rank, day) finds each journey's
    # window with two binary searches.
    t_order = np.lexsort((touches["id"], touches["day"], touches["account"]))
    touches = {name: v[t_order] for name, v in touches.items()}
    t_account = touches["account"]
    new_block = np.ones(len(t_account), dtype=bool)
    new_block[1:] = t_account[1:] != t_account[:-1]
    accounts = t_account[new_block]
    t_rank = np.cumsum(new_block) - 1
    t_day = touches["day"].astype(np.int64)
    keys = (t_rank << _DAY_BITS) + (t_day + (1 << 31))

    o_rank = np.searchsorted(accounts, outcomes["account"])
    if len(accounts):
        has_account = (o_rank < len(accounts)) & (accounts[np.minimum(o_rank, len(accounts) - 1)] == outcomes["account"])
    else:
        has_account = np.zeros(len(o_rank), dtype=bool)
    o_day = outcomes["day"].astype(np.int64)
    hi_keys = (o_rank << _DAY_BITS) + (o_day + (1 << 31))
    lo = np.searchsorted(keys, hi_keys - lookback_days, side="left")
    hi = np.searchsorted(keys, hi_keys, side="right")
    lengths = np.where(has_account, hi - lo, 0)

    kept = lengths > 0
    skipped = int((~kept).sum())
    skipped_value = float(values[~kept].sum())
    if not kept.any():
        return _empty(dimension, skipped, skipped_value, skipped_rate, missing_rates)
    lo, lengths = lo[kept], lengths[kept]
    outcomes = {name: v[kept] for name, v in outcomes.items()}
    values, rates = values[kept], rates[kept]

    # Every journey's touch indices, concatenated: lo[j], lo[j] + 1, …, lo[j] + L_j − 1.
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    index = np.arange(offsets[-1], dtype=np.int64) + np.repeat(lo - offsets[:-1], lengths)

    partners = _partners()
    raw_of_touch, describe = _channels(dimension, touches, partners)
    raw = raw_of_touch[index]
    present = np.flatnonzero(np.bincount(raw, minlength=len(describe)))
    ordered = sorted(present.tolist(), key=lambda r: describe[r][0])
    code_of_raw = np.full(len(describe), -1, dtype=np.int32)
    code_of_raw[ordered] = np.arange(len(ordered), dtype=np.int32)

    touch_day = touches["day"][index]
    journeys = Journeys(
        channels=code_of_raw[raw],
        offsets=offsets,
        conv=(outcomes["outcome"] == OutcomeKind.WON).astype(np.float64),
        value=values.astype(np.float64),
        n_channels=len(ordered),
        days=(np.repeat(outcomes["day"], lengths) - touch_day).astype(np.float64),
        labels=tuple(describe[r][1] for r in ordered),
    )
    return LoadedJourneys(
        journeys=journeys,
        registration_ids=outcomes["id"],
        outcomes=outcomes["outcome"],
        outcome_days=outcomes["day"],
        rates=rates,
        touchpoint_ids=touches["id"][index],
        touch_partner_ids=touches["partner"][index],
        touch_days=touch_day,
        channel_keys=tuple(describe[r][0] for r in ordered),
        channel_partner_ids=tuple(describe[r][2] for r in ordered),
        skipped_without_touch=skipped,
        skipped_won_value=skipped_value,
        skipped_without_rate=skipped_rate,
        missing_rates=missing_rates,
    )


def inputs_sha256(loaded: LoadedJourneys, parameters: dict[str, Any]) -> str:
    """SHA-256 over the canonical journeys arrays (fixed little-endian dtypes: channels, offsets,
    conv, value, days, registration and touchpoint ids, close-date rates), the channel keys and the run's parameters
    (canonical JSON, sorted keys). Same data and parameters → same hash."""
    digest = hashlib.sha256()
    j = loaded.journeys
    arrays = (
        ("channels", j.channels, "<i4"),
        ("offsets", j.offsets, "<i8"),
        ("conv", j.conv, "<f8"),
        ("value", j.value, "<f8"),
        ("days", j.days if j.days is not None else np.zeros(0), "<f8"),
        ("registrations", loaded.registration_ids, "<i8"),
        ("touchpoints", loaded.touchpoint_ids, "<i8"),
        ("rates", loaded.rates, "<f8"),
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
