"""The metric definitions of program economics: the one place each figure is defined.

Everything here is pure pandas/numpy over small frames the selectors load with one query each; no
function reads the database or loops over rows in Python. The docstrings are the definitions (the
docs page, docs/economics.md, quotes them), and ``tests/test_metrics.py`` checks each one on a small
dataset computed by hand.

The frames:

* **revenue** — one row per account and month: ``account_id`` (int), ``month`` (the first day of the
  month, a date or a timestamp), ``mrr`` (float, ≥ 0, in the program's currency) and ``partner_id``
  (the managing partner's id, missing for a direct month). :func:`revenue_frame` builds it from
  tuples.
* **costs** — one row per quarter and category: ``year``, ``quarter`` (1–4), ``category`` (the values
  of :class:`~attribution.economics.models.CostCategory`) and ``amount`` (float, ≥ 0).

Channels are ``"partner"`` and ``"direct"``; retention figures add ``"all"`` (both together).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

PARTNER = "partner"
DIRECT = "direct"
CHANNELS = (PARTNER, DIRECT)
PARTNER_COSTS = ("partner_team", "mdf", "incentives", "tools")
DIRECT_COSTS = ("direct_sales",)
ACTIVITY_SIGNALS = ("login", "registration", "training")
DEFAULT_ACTIVE_DAYS = 90

REVENUE_COLUMNS = ("account_id", "month", "mrr", "partner_id")
COST_COLUMNS = ("year", "quarter", "category", "amount")


# --- frames ----------------------------------------------------------------------------------------


def revenue_frame(rows: Iterable[Sequence]) -> pd.DataFrame:
    """A revenue frame from ``(account_id, month, mrr, partner_id or None)`` tuples (Decimals welcome)."""
    frame = pd.DataFrame(list(rows), columns=list(REVENUE_COLUMNS))
    frame["account_id"] = frame["account_id"].astype("int64")
    frame["month"] = pd.to_datetime(frame["month"])
    frame["mrr"] = frame["mrr"].astype("float64")
    frame["partner_id"] = frame["partner_id"].astype("Int64")
    return frame


def cost_frame(rows: Iterable[Sequence]) -> pd.DataFrame:
    """A cost frame from ``(year, quarter, category, amount)`` tuples."""
    frame = pd.DataFrame(list(rows), columns=list(COST_COLUMNS))
    frame["year"] = frame["year"].astype("int64")
    frame["quarter"] = frame["quarter"].astype("int64")
    frame["amount"] = frame["amount"].astype("float64")
    return frame


def _month_index(months: pd.Series) -> pd.Series:
    """Months as one integer each (year × 12 + month − 1), so "twelve months earlier" is a subtraction."""
    months = pd.to_datetime(months)
    return months.dt.year * 12 + months.dt.month - 1


def _index_of(month: datetime.date) -> int:
    return month.year * 12 + month.month - 1


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_back(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month ``count`` months before ``month``'s."""
    index = _index_of(month) - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_months(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """The first and the last month (first days) of a quarter."""
    first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    return first, datetime.date(year, 3 * quarter, 1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


# --- new customers and CAC -------------------------------------------------------------------------


def first_months(revenue: pd.DataFrame) -> pd.DataFrame:
    """Each account's first month with MRR > 0 and its channel: one row per account that ever paid.

    Columns ``account_id``, ``month``, ``partner_id`` and ``channel``: ``"partner"`` when that first
    month has a managing partner, else ``"direct"``. Accounts that never had MRR > 0 are left out.
    """
    paying = revenue[revenue["mrr"] > 0]
    if paying.empty:
        return pd.DataFrame({"account_id": [], "month": [], "partner_id": [], "channel": []})
    first = paying.loc[paying.groupby("account_id")["month"].idxmin(), ["account_id", "month", "partner_id"]]
    first = first.reset_index(drop=True)
    first["channel"] = np.where(first["partner_id"].notna(), PARTNER, DIRECT)
    return first


def new_customers(revenue: pd.DataFrame, year: int, quarter: int) -> pd.DataFrame:
    """The *new customers* of a quarter: accounts whose first month with MRR > 0 is in that quarter.

    The rows of :func:`first_months` whose month falls in the quarter; ``channel`` says partner or direct.
    """
    first, last = quarter_months(year, quarter)
    months = first_months(revenue)
    if months.empty:
        return months
    in_quarter = (months["month"] >= pd.Timestamp(first)) & (months["month"] <= pd.Timestamp(last))
    return months[in_quarter].reset_index(drop=True)


@dataclass(frozen=True)
class CacFigures:
    """Partner and direct customer acquisition cost of one quarter (costs in the program's currency)."""

    year: int
    quarter: int
    partner_cost: float
    partner_new_customers: int
    partner_cac: float | None
    direct_cost: float
    direct_new_customers: int
    direct_cac: float | None


def cac(revenue: pd.DataFrame, costs: pd.DataFrame, year: int, quarter: int) -> CacFigures:
    """Partner CAC versus direct CAC for one quarter.

    * **partner CAC** = (partner_team + mdf + incentives + tools costs of the quarter) ÷ the quarter's
      new partner customers;
    * **direct CAC** = direct_sales cost of the quarter ÷ the quarter's new direct customers.

    Each is ``None`` when the quarter has no new customer in that channel (a cost with nobody acquired
    has no per-customer figure). A category with no cost entered counts as 0.
    """
    period = costs[(costs["year"] == year) & (costs["quarter"] == quarter)]
    partner_cost = float(period.loc[period["category"].isin(PARTNER_COSTS), "amount"].sum())
    direct_cost = float(period.loc[period["category"].isin(DIRECT_COSTS), "amount"].sum())
    new = new_customers(revenue, year, quarter)
    counts = new["channel"].value_counts() if not new.empty else pd.Series(dtype="int64")
    partner_new, direct_new = int(counts.get(PARTNER, 0)), int(counts.get(DIRECT, 0))
    return CacFigures(
        year=year,
        quarter=quarter,
        partner_cost=partner_cost,
        partner_new_customers=partner_new,
        partner_cac=_ratio(partner_cost, partner_new),
        direct_cost=direct_cost,
        direct_new_customers=direct_new,
        direct_cac=_ratio(direct_cost, direct_new),
    )


# --- retention -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    """Twelve-month retention of one channel's customers, ending in ``month``."""

    channel: str
    month: datetime.date
    accounts: int  # accounts with MRR > 0 twelve months before
    mrr_start: float  # Σ MRR(M − 12) over them
    mrr_end: float  # Σ MRR(M) over them
    nrr: float | None
    grr: float | None
    logo_retention: float | None


def retention(revenue: pd.DataFrame, month: datetime.date) -> dict[str, Retention]:
    """NRR, gross retention and logo retention over the 12 months ending ``month`` (M), by channel.

    The cohort: the accounts with MRR(M − 12) > 0. Each one's channel is the channel at M − 12:
    ``"partner"`` when it had a managing partner that month, else ``"direct"`` (``"all"``: both). A
    cohort account with no row at M counts as MRR(M) = 0 (churned).

    * **NRR** = Σ MRR(M) ÷ Σ MRR(M − 12) over the cohort (expansion counts; new accounts do not);
    * **GRR** (gross revenue retention) = Σ min(MRR(M), MRR(M − 12)) ÷ Σ MRR(M − 12) (expansion does
      not count, so GRR ≤ 1);
    * **logo retention** = the share of cohort accounts with MRR(M) > 0.

    Each is ``None`` for a channel with no cohort account.
    """
    month = month_start(month)
    index = _month_index(revenue["month"]) if not revenue.empty else pd.Series(dtype="int64")
    target = _index_of(month)
    start = revenue[(index == target - 12) & (revenue["mrr"] > 0)][["account_id", "mrr", "partner_id"]]
    end = revenue[index == target][["account_id", "mrr"]]
    cohort = start.merge(end, on="account_id", how="left", suffixes=("_start", "_end"))
    cohort["mrr_end"] = cohort["mrr_end"].fillna(0.0)
    cohort["channel"] = np.where(cohort["partner_id"].notna(), PARTNER, DIRECT)
    cohort["kept"] = np.minimum(cohort["mrr_start"], cohort["mrr_end"])
    cohort["alive"] = cohort["mrr_end"] > 0
    figures: dict[str, Retention] = {}
    for channel in (*CHANNELS, "all"):  # three fixed groups, not one per row
        group = cohort if channel == "all" else cohort[cohort["channel"] == channel]
        start_sum = float(group["mrr_start"].sum())
        figures[channel] = Retention(
            channel=channel,
            month=month,
            accounts=len(group),
            mrr_start=start_sum,
            mrr_end=float(group["mrr_end"].sum()),
            nrr=_ratio(group["mrr_end"].sum(), start_sum),
            grr=_ratio(group["kept"].sum(), start_sum),
            logo_retention=_ratio(group["alive"].sum(), len(group)),
        )
    return figures


# --- CLTV contribution -----------------------------------------------------------------------------


def cltv_contribution(revenue: pd.DataFrame) -> pd.DataFrame:
    """Each partner's **CLTV contribution**: the realised lifetime revenue of the accounts it managed.

    Over the account-months whose managing partner is the partner and whose MRR > 0 (a month at 0 is a
    churned month, not a managed one):

    * ``revenue`` = Σ MRR of those months;
    * ``accounts`` = the number of distinct accounts among them;
    * ``months`` = the number of those account-months;
    * ``average_months`` = ``months`` ÷ ``accounts`` (the average months managed per account).

    One row per partner (``partner_id``), the largest ``revenue`` first (ties: the smaller partner id).
    """
    managed = revenue[revenue["partner_id"].notna() & (revenue["mrr"] > 0)]
    if managed.empty:
        return pd.DataFrame({"partner_id": [], "revenue": [], "accounts": [], "months": [], "average_months": []})
    grouped = managed.groupby("partner_id").agg(
        revenue=("mrr", "sum"), accounts=("account_id", "nunique"), months=("month", "size")
    )
    grouped = grouped.reset_index()
    grouped["partner_id"] = grouped["partner_id"].astype("int64")
    grouped["average_months"] = grouped["months"] / grouped["accounts"]
    return grouped.sort_values(["revenue", "partner_id"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


# --- ROPI ------------------------------------------------------------------------------------------


def ropi(revenue: float | None, investment: float | None) -> float | None:
    """**ROPI** (return on partner investment) = revenue ÷ investment.

    ``3.5`` reads "3.50 of revenue for each 1 invested". ``None`` when either is unknown or when
    nothing was invested (no ratio to speak of).
    """
    if revenue is None or investment is None or float(investment) <= 0:
        return None
    return float(revenue) / float(investment)


# --- active partners -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveDefinition:
    """When a partner counts as active: it has *each* of ``signals`` in the last ``days`` days.

    ``signals`` is a non-empty subset of ``login`` (a partner user logged in), ``registration`` (it
    submitted a deal registration) and ``training`` (one of its people completed a training course).
    """

    signals: tuple[str, ...] = ACTIVITY_SIGNALS
    days: int = DEFAULT_ACTIVE_DAYS

    def __post_init__(self) -> None:
        signals = tuple(dict.fromkeys(self.signals))
        if not signals:
            raise ValueError("choose at least one signal")
        unknown = set(signals) - set(ACTIVITY_SIGNALS)
        if unknown:
            raise ValueError(f"unknown signals: {sorted(unknown)}")
        if self.days < 1:
            raise ValueError("the window is at least one day")
        object.__setattr__(self, "signals", signals)


def active_partners(engagement: pd.DataFrame, definition: ActiveDefinition) -> pd.Series:
    """Which partners are active: a boolean per row of ``engagement``.

    ``engagement`` has one row per partner of the program (partners with no activity included, with
    zeros) and one count column per signal (``login``, ``registration``, ``training``): how often the
    partner showed the signal in the definition's window (the caller counts over ``definition.days``).
    A missing column counts as 0. Active = every chosen signal's count > 0.
    """
    counts = engagement.reindex(columns=list(definition.signals), fill_value=0).fillna(0)
    return (counts > 0).all(axis=1)


def active_partner_share(engagement: pd.DataFrame, definition: ActiveDefinition | None = None) -> float | None:
    """**% active partners** = active partners (see :func:`active_partners`) ÷ all partners in ``engagement``.

    A share between 0 and 1; ``None`` for a program with no partner.
    """
    definition = definition or ActiveDefinition()
    if engagement.empty:
        return None
    return float(active_partners(engagement, definition).mean())
