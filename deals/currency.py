"""Converting deal amounts into the program currency at the rate of a date (the close date), vectorised.

The rule, exactly:

* The program currency is ``EngagementRules.currency`` (``USD`` until a manager sets it). An amount
  in the program currency, or with no currency at all (``""``, ``None``, NaN), converts at rate 1.
* Any other currency converts with the tenant's :class:`~deals.models.CurrencyRate` table, where a
  row means "1 unit of ``currency`` = ``rate`` units of the program currency, from ``valid_from``
  until the next row of that currency". The rate used for an amount dated *d* is the rate of the
  row of that currency with the **largest ``valid_from`` <= d**: a row dated exactly *d* applies on
  *d*; nothing is interpolated, and the latest row applies for ever after.
* An amount whose date is before the currency's first row, whose date is missing (NaT), or whose
  currency has no rows at all has **no rate**: its rate and value are NaN and ``missing`` is True.
  The converter never guesses (no "today's rate", no nearest later rate).
* Currency codes are compared after stripping blanks and upper-casing (``" eur"`` is ``EUR``).
* Rows of the program currency itself (possible only if the program currency changed after they
  were entered) are ignored: the program currency is always 1.

:func:`rate_table` reads every rate of the tenant in scope with one query;
:meth:`RateTable.convert` then needs no database and no Python loop per amount (one
``np.searchsorted`` over a key that combines currency and day), so it is cheap on millions of
amounts; :meth:`RateTable.rate_on` answers one lookup for a page.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from .models import CurrencyRate, EngagementRules

_DAY_OFFSET = np.int64(1 << 31)  # days since 1970 shifted to be non-negative in 32 bits
_DAY_SPAN = np.int64(1 << 32)


@dataclass(frozen=True)
class Conversion:
    """The result of :meth:`RateTable.convert`, aligned with its inputs.

    ``values``: amounts in the program currency (float64; NaN where no rate). ``rates``: the rate
    used (float64; 1.0 for the program currency; NaN when missing). ``missing``: True where no rate applied.
    """

    values: np.ndarray
    rates: np.ndarray
    missing: np.ndarray

    @property
    def missing_count(self) -> int:
        return int(self.missing.sum())


def normalise_currency(code: object) -> str:
    """``" eur"`` → ``"EUR"``; ``None``/NaN/blank → ``""`` (no currency: the program's)."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    return str(code).strip().upper()


class RateTable:
    """The tenant's currency rates, held in memory, sorted by (currency, valid_from). See the module docstring."""

    def __init__(self, *, program_currency: str, rows: Iterable[tuple[str, datetime.date, Decimal]]) -> None:
        self.program_currency = normalise_currency(program_currency)
        by_currency: dict[str, list[tuple[datetime.date, Decimal]]] = {}
        for currency, valid_from, rate in rows:
            code = normalise_currency(currency)
            if not code or code == self.program_currency:
                continue
            by_currency.setdefault(code, []).append((valid_from, Decimal(rate)))
        self.currencies: tuple[str, ...] = tuple(sorted(by_currency))
        self._dates: dict[str, list[datetime.date]] = {}
        self._decimals: dict[str, list[Decimal]] = {}
        keys: list[np.ndarray] = []
        rates: list[np.ndarray] = []
        for index, code in enumerate(self.currencies):
            entries = sorted(by_currency[code])
            self._dates[code] = [day for day, _ in entries]
            self._decimals[code] = [rate for _, rate in entries]
            days = np.array(self._dates[code], dtype="datetime64[D]").astype(np.int64)
            keys.append(np.int64(index) * _DAY_SPAN + (days + _DAY_OFFSET))
            rates.append(np.array([float(rate) for rate in self._decimals[code]], dtype=np.float64))
        # One sorted key per row: currency index in the high bits, the day in the low 32 bits.
        self._keys = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
        self._rates = np.concatenate(rates) if rates else np.empty(0, dtype=np.float64)
        self._row_currency = (self._keys // _DAY_SPAN) if keys else np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._keys)

    def _currency_codes(self, currencies: np.ndarray) -> np.ndarray:
        """Per amount: -1 for the program currency (or none), -2 for a currency without rows, else its index."""
        codes, uniques = pd.factorize(np.asarray(currencies, dtype=object), use_na_sentinel=True)
        lookup = {code: index for index, code in enumerate(self.currencies)}
        per_unique = np.empty(len(uniques) + 1, dtype=np.int64)
        for position, raw in enumerate(uniques):  # a handful of distinct codes, not one per amount
            code = normalise_currency(raw)
            per_unique[position] = -1 if code in ("", self.program_currency) else lookup.get(code, -2)
        per_unique[-1] = -1  # factorize's sentinel (-1) for None/NaN: no currency, the program's
        return per_unique[codes]

    def convert(self, amounts: np.ndarray, currencies: np.ndarray, dates: np.ndarray) -> Conversion:
        """Convert ``amounts`` (float64) in ``currencies`` (str or object array) dated ``dates``
        (datetime64[D]) into the program currency. All three are aligned, of one length.

        Rate = the row of the amount's currency with the largest ``valid_from`` <= its date; 1.0 for the
        program currency or no currency; NaN (and ``missing``) when there is no such row or no date.
        """
        amounts = np.asarray(amounts, dtype=np.float64)
        dates = np.asarray(dates, dtype="datetime64[D]")
        if not (len(amounts) == len(currencies) == len(dates)):
            raise ValueError("amounts, currencies and dates must have the same length")
        codes = self._currency_codes(currencies)
        rates = np.full(len(amounts), np.nan, dtype=np.float64)
        rates[codes == -1] = 1.0
        wanted = np.flatnonzero((codes >= 0) & ~np.isnat(dates))
        if len(wanted) and len(self._keys):
            days = np.clip(dates[wanted].astype(np.int64), -_DAY_OFFSET, _DAY_OFFSET - 1) + _DAY_OFFSET
            query = codes[wanted] * _DAY_SPAN + days
            row = np.searchsorted(self._keys, query, side="right") - 1
            found = row >= 0
            found[found] = self._row_currency[row[found]] == codes[wanted][found]  # not a row of the currency before
            rates[wanted[found]] = self._rates[row[found]]
        missing = np.isnan(rates)
        return Conversion(values=amounts * rates, rates=rates, missing=missing)

    def rate_on(self, currency: str | None, date: datetime.date) -> Decimal | None:
        """The rate for one amount (same rule as :meth:`convert`), exact: ``Decimal(1)`` for the program
        currency or no currency; ``None`` when no row of ``currency`` starts on or before ``date``."""
        code = normalise_currency(currency)
        if code in ("", self.program_currency):
            return Decimal(1)
        dates = self._dates.get(code)
        if not dates or date is None:
            return None
        position = bisect.bisect_right(dates, date) - 1
        return self._decimals[code][position] if position >= 0 else None


def program_currency_in_scope() -> str:
    """The program currency of the tenant in scope (``USD`` while the rules are unsaved). One query."""
    currency = EngagementRules.objects.values_list("currency", flat=True).first()
    return normalise_currency(currency or EngagementRules._meta.get_field("currency").default)


def rate_table(program_currency: str | None = None) -> RateTable:
    """Every currency rate of the tenant in scope, in one query (plus one for the program currency
    when ``program_currency`` is None). Call inside ``tenant_context``."""
    if program_currency is None:
        program_currency = program_currency_in_scope()
    rows = CurrencyRate.objects.order_by("currency", "valid_from").values_list("currency", "valid_from", "rate")
    return RateTable(program_currency=program_currency, rows=list(rows))
