"""The rebate arithmetic, defined once: rate tiers and the two rate modes. No database.

A program's tiers are ``(threshold, rate)`` pairs sorted by threshold; the first starts at 0. A tier
applies **from** its threshold (inclusive) up to the next tier's threshold (exclusive). ``rate`` is a
percentage for money measures (``2`` = 2 %) and an amount per unit for usage.

* **Marginal** (like tax brackets): each tier's rate applies to the part of the measured total that
  falls within that tier. Tiers 0 → 2 %, 100,000 → 4 %, measured 150,000:
  100,000 × 2 % + 50,000 × 4 % = 2,000 + 2,000 = **4,000**.
* **Whole amount** ("retroactive"): the highest tier the total reaches sets the rate for the whole
  total. Same tiers, measured 150,000: 150,000 × 4 % = **6,000**; measured 99,999.99: 2 % → 2,000.00.

The rebate is rounded to the cent (half up) once, at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError

from .models import RateMode

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_TIERS = 10
MAX_THRESHOLD = Decimal("99999999999999.99")
MAX_PERCENT = Decimal(100)
MAX_UNIT_RATE = Decimal("99999999.9999")

Tier = tuple[Decimal, Decimal]


def _decimal(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).replace(",", "").replace("%", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def clean_tiers(raw: Iterable[Any], *, percent: bool, field: str = "rates") -> list[Tier]:
    """``[(threshold, rate), …]`` checked and sorted, or an :class:`ApplicationError` naming the row.

    Each item is a pair or a mapping with ``threshold`` and ``rate``; rows with both cells empty are
    skipped (blank form rows). Rules: at least one tier; one starts at 0; thresholds ≥ 0, different,
    at most two decimals; rates ≥ 0, at most four decimals, at most 100 when a percentage.
    """
    tiers: list[Tier] = []
    for index, item in enumerate(raw):
        threshold, rate = (item.get("threshold"), item.get("rate")) if isinstance(item, dict) else item
        if (threshold in (None, "")) and (rate in (None, "")):
            continue
        where = f"{field}.{index}"
        t, r = _decimal(threshold), _decimal(rate)
        if t is None:
            raise ApplicationError(
                _("Give the tier's threshold as a number."), code="invalid_threshold", field=f"{where}.threshold"
            )
        if r is None:
            raise ApplicationError(_("Give the tier's rate as a number."), code="invalid_rate", field=f"{where}.rate")
        if t < 0 or t > MAX_THRESHOLD or t != t.quantize(CENT):
            message = _("A threshold is 0 or more, with at most two decimals.")
            raise ApplicationError(message, code="invalid_threshold", field=f"{where}.threshold")
        ceiling = MAX_PERCENT if percent else MAX_UNIT_RATE
        if r < 0 or r > ceiling or r != r.quantize(Decimal("0.0001")):
            message = (
                _("A rate is a percentage from 0 to 100, with at most four decimals.")
                if percent
                else _("A rate is an amount per unit, 0 or more, with at most four decimals.")
            )
            raise ApplicationError(message, code="invalid_rate", field=f"{where}.rate")
        tiers.append((t, r))
    if not tiers:
        raise ApplicationError(_("Give at least one rate tier, starting at 0."), code="no_tiers", field=field)
    if len(tiers) > MAX_TIERS:
        raise ApplicationError(_("At most 10 rate tiers."), code="too_many_tiers", field=field)
    thresholds = [t for t, _r in tiers]
    if len(set(thresholds)) != len(thresholds):
        raise ApplicationError(_("Two tiers have the same threshold."), code="duplicate_threshold", field=field)
    tiers.sort()
    if tiers[0][0] != 0:
        raise ApplicationError(_("The first tier starts at 0."), code="first_tier_not_zero", field=field)
    return tiers


def rebate_for(measured: Decimal, tiers: Sequence[Tier], *, mode: str, percent: bool) -> Decimal:
    """The rebate of a measured total under ``tiers`` (sorted, the first at 0), rounded to the cent."""
    if measured <= 0 or not tiers:
        return Decimal("0.00")
    if mode == RateMode.WHOLE_AMOUNT:
        rate = next(r for t, r in reversed(tiers) if measured >= t)
        raw = measured * rate
    else:
        raw = Decimal(0)
        for index, (start, rate) in enumerate(tiers):
            end = tiers[index + 1][0] if index + 1 < len(tiers) else None
            if measured <= start:
                break
            portion = (min(measured, end) if end is not None else measured) - start
            raw += portion * rate
    if percent:
        raw = raw / HUNDRED
    return raw.quantize(CENT, rounding=ROUND_HALF_UP)


def tiers_as_json(tiers: Sequence[Tier]) -> list[list[str]]:
    return [[str(t), str(r)] for t, r in tiers]


def tiers_from_json(data: Sequence[Sequence[str]]) -> list[Tier]:
    return [(Decimal(t), Decimal(r)) for t, r in data]
