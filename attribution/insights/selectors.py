"""The metrics dashboard's figures for one period and one slice of partners.

Every figure is defined in :mod:`attribution.insights.definitions` (the page shows the same words).
Each group of figures is one SQL aggregate over the tenant's rows (the tenant is written out so the
plans use the tenant indexes; row-level security applies as well), grouped by currency and day where
money is involved, then converted with the tenant's rate table (vectorised, :mod:`deals.currency`).
No query runs per partner or per deal, so the number of queries does not grow with the data.

The slice (:class:`Slice`) narrows every partner-side figure to the partners of one type, tier and
region. Program-wide figures that have no partner side (partner versus direct CAC: its costs are the
program's) say so on the page.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from attribution.economics import metrics as economics_metrics
from attribution.economics import selectors as economics
from attribution.models import Touchpoint
from deals.currency import rate_table
from deals.models import DealRegistration, DirectOpportunity
from ecosystem.tenancy.context import require_tenant_id
from ecosystem.tenancy.models import Tenant
from partners.mdf.selectors import campaigns_with_ropi
from partners.models import EngagementEvent, EngagementKind, PartnerOrganization, PartnerStatus, PartnerStatusChange, Tier
from partners.surveys import metrics as survey_metrics
from partners.surveys.selectors import response_frames
from scoring.models import ChurnAlert, ChurnPrediction, ScoringSettings

INFLUENCE_WINDOW_DAYS = 90  # as attribution.selectors.sourced_vs_influenced
TREND_QUARTERS = 4
PROGRAM_STATUSES = (PartnerStatus.ONBOARDING, PartnerStatus.ACTIVE, PartnerStatus.AT_RISK)
SOURCE_STATUSES = ("approved", "won")  # an approved registration (won: approved, then closed won)
DECIDED_STATUSES = ("approved", "won", "lost", "expired", "rejected")
SIGNAL_KINDS = {
    "login": EngagementKind.LOGIN,
    "registration": EngagementKind.REGISTRATION_SUBMITTED,
    "training": EngagementKind.COURSE_COMPLETED,
}
AT_RISK_TOP = 5


# --- the period and the slice ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar quarter, or the part of it up to ``today`` for the current one."""

    year: int
    quarter: int

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the quarter."""
        nxt = Period(self.year + 1, 1) if self.quarter == 4 else Period(self.year, self.quarter + 1)
        return nxt.start - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year}"

    def previous(self, count: int = 1) -> Period:
        index = self.year * 4 + self.quarter - 1 - count
        return Period(index // 4, index % 4 + 1)

    @classmethod
    def of(cls, day: datetime.date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True)
class Slice:
    """Which partners the partner-side figures cover: all (``None``) or one type, tier and region."""

    partner_type: str | None = None
    tier_id: int | None = None
    region: str | None = None

    @property
    def is_all(self) -> bool:
        return self.partner_type is None and self.tier_id is None and self.region is None

    def sql(self) -> tuple[str, dict]:
        """``SELECT id FROM partners WHERE …`` of the slice, and its parameters."""
        table = PartnerOrganization._meta.db_table
        where = ["p.tenant_id = %(tenant)s"]
        if self.partner_type is not None:
            where.append("p.partner_type = %(slice_type)s")
        if self.tier_id is not None:
            where.append("p.tier_id = %(slice_tier)s")
        if self.region is not None:
            where.append("%(slice_region)s = ANY(p.regions)")
        params = {"slice_type": self.partner_type, "slice_tier": self.tier_id, "slice_region": self.region}
        return f"SELECT p.id FROM {table} p WHERE {' AND '.join(where)}", params

    def condition(self, column: str) -> tuple[str, dict]:
        """``AND <column> IN (the slice's partners)``, or nothing for all partners (every row of the
        tenant is by one of its partners). Written out rather than through a CTE: PostgreSQL then probes
        the partners' primary key per row instead of re-reading the CTE."""
        if self.is_all:
            return "", {}
        sql, params = self.sql()
        return f"AND {column} IN ({sql})", params

    def partners(self):
        """The slice as a queryset of partners (for the drill-down lists)."""
        queryset = PartnerOrganization.objects.all()
        if self.partner_type is not None:
            queryset = queryset.filter(partner_type=self.partner_type)
        if self.tier_id is not None:
            queryset = queryset.filter(tier_id=self.tier_id)
        if self.region is not None:
            queryset = queryset.filter(regions__contains=[self.region])
        return queryset


@dataclass(frozen=True)
class ActiveRule:
    """A partner of the program is active when it shows *each* of ``signals`` in the ``days`` days
    ending on the period's last day (or today, for the current quarter)."""

    signals: tuple[str, ...] = economics_metrics.ACTIVITY_SIGNALS
    days: int = economics_metrics.DEFAULT_ACTIVE_DAYS

    def definition(self) -> economics_metrics.ActiveDefinition:
        return economics_metrics.ActiveDefinition(signals=self.signals, days=self.days)


# --- figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevenueQuarter:
    label: str
    won: float  # every closed-won registration, program currency
    sourced: float
    influenced: float
    touched: float  # sourced or influenced (each deal once)
    won_deals: int
    sourced_deals: int
    influenced_deals: int
    touched_deals: int
    missing_rates: int  # won deals left out: no rate for their currency on their close date


@dataclass(frozen=True)
class Dashboard:
    currency: str
    period: Period
    last_day: datetime.date  # the period's end, or today for the current quarter
    revenue: list[RevenueQuarter]  # the trend, oldest first; the last one is the period
    submitted: int
    approved: int
    decided: int
    won: int
    lost: int
    velocity_days: float | None  # median days from submission to close of the deals won in the period
    pipeline_created: float  # value of the registrations submitted in the period
    open_pipeline: float  # value of the approved registrations still open (today)
    partner_costs: float
    direct_costs: float
    mdf: dict
    psat: dict  # mean 1–5, NPS, responses, and per quarter
    cac: economics_metrics.CacFigures
    retention: dict
    cltv: list[dict]
    active: int
    in_program: int
    time_to_value_days: float | None
    time_to_value_partners: int
    tiers: list[dict]  # {"tier_id", "name", "partners"}
    at_risk: dict
    notes: list[str] = field(default_factory=list)

    @property
    def current(self) -> RevenueQuarter:
        return self.revenue[-1]

    @property
    def approval_rate(self) -> float | None:
        return self.approved / self.decided if self.decided else None

    @property
    def win_rate(self) -> float | None:
        return self.won / (self.won + self.lost) if self.won + self.lost else None

    @property
    def ropi(self) -> float | None:
        return economics_metrics.ropi(self.current.sourced, self.partner_costs)

    @property
    def active_share(self) -> float | None:
        return self.active / self.in_program if self.in_program else None


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _convert(rates, frame: pd.DataFrame, amount_columns: list[str], date_column: str) -> tuple[pd.DataFrame, pd.Series]:
    """``frame`` with its amount columns in the program currency, and which rows had no rate."""
    converted = frame.copy()
    dates = pd.to_datetime(frame[date_column]).to_numpy(dtype="datetime64[D]")
    missing = np.zeros(len(frame), dtype=bool)
    for column in amount_columns:
        result = rates.convert(frame[column].astype(np.float64).to_numpy(), frame["currency"].to_numpy(dtype=object), dates)
        converted[column] = np.nan_to_num(result.values, nan=0.0)
        missing |= result.missing
    return converted, pd.Series(missing, index=frame.index)


_REVENUE_SQL = """
WITH won AS (
    SELECT d.id, d.account_id, d.partner_id, d.closed_on, d.currency,
           COALESCE(d.closed_amount, d.value) AS amount,
           (d.status = ANY(%(source_statuses)s) AND d.decided_at IS NOT NULL AND d.protected_until IS NOT NULL
            AND d.closed_on <= d.protected_until
            AND NOT EXISTS (SELECT 1 FROM {direct} o WHERE o.tenant_id = %(tenant)s AND o.account_id = d.account_id
                            AND o.created_at < d.submitted_at)) AS has_source
    FROM {deals} d
    WHERE d.tenant_id = %(tenant)s AND d.stage = 'closed_won' AND d.closed_on BETWEEN %(start)s AND %(end)s
),
flagged AS MATERIALIZED (
    SELECT w.closed_on, w.currency, w.amount,
           (w.has_source {sourced_by_slice}) AS sourced,
           EXISTS (
               SELECT 1 FROM {touches} t
               WHERE t.tenant_id = %(tenant)s AND t.account_id = w.account_id
                 AND t.occurred_at >= ((w.closed_on - %(window)s)::timestamp AT TIME ZONE %(tz)s)
                 AND t.occurred_at < ((w.closed_on + 1)::timestamp AT TIME ZONE %(tz)s)
                 {touched_by_slice}
                 AND NOT (w.has_source AND t.partner_id = w.partner_id)
           ) AS influenced
    FROM won w
)
SELECT closed_on, currency,
       SUM(amount), SUM(amount) FILTER (WHERE sourced), SUM(amount) FILTER (WHERE influenced),
       SUM(amount) FILTER (WHERE sourced OR influenced),
       COUNT(*), COUNT(*) FILTER (WHERE sourced), COUNT(*) FILTER (WHERE influenced),
       COUNT(*) FILTER (WHERE sourced OR influenced)
FROM flagged GROUP BY closed_on, currency
"""
_REVENUE_COLUMNS = [
    "closed_on",
    "currency",
    "won",
    "sourced",
    "influenced",
    "touched",
    "n_won",
    "n_sourced",
    "n_influenced",
    "n_touched",
]


def revenue_by_quarter(*, rates, chosen: Slice, period: Period, quarters: int = TREND_QUARTERS) -> list[RevenueQuarter]:
    """Won, sourced, influenced and partner-touched revenue of the ``quarters`` quarters ending with ``period``."""
    first = period.previous(quarters - 1)
    sourced_by_slice, chosen_params = chosen.condition("w.partner_id")
    touched_by_slice, _same = chosen.condition("t.partner_id")
    sql = _REVENUE_SQL.format(
        deals=DealRegistration._meta.db_table,
        direct=DirectOpportunity._meta.db_table,
        touches=Touchpoint._meta.db_table,
        sourced_by_slice=sourced_by_slice,
        touched_by_slice=touched_by_slice,
    )
    params = {
        "tenant": require_tenant_id(),
        "start": first.start,
        "end": period.end,
        "window": INFLUENCE_WINDOW_DAYS,
        "tz": timezone.get_current_timezone_name(),
        "source_statuses": list(SOURCE_STATUSES),
        **chosen_params,
    }
    frame = pd.DataFrame(_rows(sql, params), columns=_REVENUE_COLUMNS)
    money = ["won", "sourced", "influenced", "touched"]
    frame[money] = frame[money].astype(np.float64).fillna(0.0)
    frame, missing = _convert(rates, frame, money, "closed_on")
    counts = ["n_won", "n_sourced", "n_influenced", "n_touched"]
    frame["left_out"] = np.where(missing.to_numpy(), frame["n_won"], 0)
    frame.loc[missing.to_numpy(), counts] = 0  # left out, as their money
    return _quarters(frame, first, quarters)


_SUMMED = ["won", "sourced", "influenced", "touched", "n_won", "n_sourced", "n_influenced", "n_touched", "left_out"]


def _quarters(frame: pd.DataFrame, first: Period, quarters: int) -> list[RevenueQuarter]:
    periods = [first.previous(-i) for i in range(quarters)]
    days = pd.to_datetime(frame["closed_on"])
    keys = (days.dt.year * 4 + (days.dt.month - 1) // 3).to_numpy()
    sums = frame.assign(q=keys).groupby("q")[_SUMMED].sum() if len(frame) else pd.DataFrame(columns=_SUMMED)
    sums = sums.reindex([p.year * 4 + p.quarter - 1 for p in periods], fill_value=0)
    return [
        RevenueQuarter(
            label=p.label,
            won=float(row.won),
            sourced=float(row.sourced),
            influenced=float(row.influenced),
            touched=float(row.touched),
            won_deals=int(row.n_won),
            sourced_deals=int(row.n_sourced),
            influenced_deals=int(row.n_influenced),
            touched_deals=int(row.n_touched),
            missing_rates=int(row.left_out),
        )
        for p, row in zip(periods, sums.itertuples(), strict=True)
    ]


# --- pipeline --------------------------------------------------------------------------------------

_PIPELINE_SQL = """
SELECT COUNT(*) FILTER (WHERE d.submitted_at >= %(start_at)s AND d.submitted_at < %(end_at)s),
       COUNT(*) FILTER (WHERE d.submitted_at >= %(start_at)s AND d.submitted_at < %(end_at)s
                        AND d.status = ANY(%(decided)s) AND d.status <> 'rejected'),
       COUNT(*) FILTER (WHERE d.submitted_at >= %(start_at)s AND d.submitted_at < %(end_at)s AND d.status = ANY(%(decided)s)),
       COUNT(*) FILTER (WHERE d.stage = 'closed_won' AND d.closed_on BETWEEN %(start)s AND %(end)s),
       COUNT(*) FILTER (WHERE d.stage = 'closed_lost' AND d.closed_on BETWEEN %(start)s AND %(end)s),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY d.closed_on - (d.submitted_at AT TIME ZONE %(tz)s)::date)
           FILTER (WHERE d.stage = 'closed_won' AND d.closed_on BETWEEN %(start)s AND %(end)s)
FROM {deals} d
WHERE d.tenant_id = %(tenant)s {by_slice}
"""
_PIPELINE_VALUE_SQL = """
SELECT d.currency,
       COALESCE(SUM(d.value) FILTER (WHERE d.submitted_at >= %(start_at)s AND d.submitted_at < %(end_at)s), 0),
       COALESCE(SUM(d.value) FILTER (WHERE d.status = 'approved' AND d.stage = ANY(%(open_stages)s)), 0)
FROM {deals} d
WHERE d.tenant_id = %(tenant)s {by_slice}
  AND ((d.submitted_at >= %(start_at)s AND d.submitted_at < %(end_at)s)
       OR (d.status = 'approved' AND d.stage = ANY(%(open_stages)s)))
GROUP BY d.currency
"""


def pipeline(*, rates, chosen: Slice, period: Period, last_day: datetime.date) -> dict:
    """Registrations submitted, decided and approved in the period; deals won and lost; the median days
    to close; pipeline created in the period and open now (converted at the rate of ``last_day``). Two queries."""
    from deals.models.registrations import OPEN_STAGES

    by_slice, chosen_params = chosen.condition("d.partner_id")
    params = {
        "tenant": require_tenant_id(),
        "start": period.start,
        "end": period.end,
        "start_at": _midnight(period.start),
        "end_at": _midnight(period.end + datetime.timedelta(days=1)),
        "decided": list(DECIDED_STATUSES),
        "open_stages": [str(s) for s in OPEN_STAGES],
        "tz": timezone.get_current_timezone_name(),
        **chosen_params,
    }
    deals = DealRegistration._meta.db_table
    ((submitted, approved, decided, won, lost, velocity),) = _rows(_PIPELINE_SQL.format(by_slice=by_slice, deals=deals), params)
    frame = pd.DataFrame(
        _rows(_PIPELINE_VALUE_SQL.format(by_slice=by_slice, deals=deals), params), columns=["currency", "created", "open"]
    )
    frame[["created", "open"]] = frame[["created", "open"]].astype(np.float64)
    frame["day"] = np.datetime64(last_day, "D")
    converted, _missing = _convert(rates, frame, ["created", "open"], "day")
    return {
        "submitted": submitted,
        "approved": approved,
        "decided": decided,
        "won": won,
        "lost": lost,
        "velocity": None if velocity is None else float(velocity),
        "created": float(converted["created"].sum()),
        "open": float(converted["open"].sum()),
    }


# --- money spent -----------------------------------------------------------------------------------


def costs(*, period: Period) -> tuple[float, float]:
    """(partner program costs, direct-sales costs) entered for the period's quarter (economics). One query."""
    from attribution.economics.models import PARTNER_COST_CATEGORIES, CostCategory, ProgramCost

    sums = dict(
        ProgramCost.objects.filter(year=period.year, quarter=period.quarter)
        .values_list("category")
        .annotate(total=Sum("amount"))
        .values_list("category", "total")
    )
    partner = sum((sums.get(c, Decimal(0)) for c in PARTNER_COST_CATEGORIES), Decimal(0))
    return float(partner), float(sums.get(CostCategory.DIRECT_SALES, Decimal(0)))


def mdf(*, tenant: Tenant, chosen: Slice, period: Period) -> dict:
    """The MDF campaigns starting in the period (funded requests of the slice's partners): approved
    funds, spend (approved and paid claims), tagged pipeline and won revenue, ROPI. One query."""
    campaigns = campaigns_with_ropi(tenant=tenant).filter(start_date__range=(period.start, period.end))
    if not chosen.is_all:
        campaigns = campaigns.filter(partner__in=chosen.partners())
    names = ["approved", "spend", "pipeline", "revenue"]
    frame = pd.DataFrame(list(campaigns.values_list("approved_amount", "spend", "pipeline", "revenue")), columns=names)
    figures = {name: float(frame[name].astype(np.float64).sum()) for name in names}
    sums = {"campaigns": len(frame)}
    return {**figures, "campaigns": sums["campaigns"], "ropi": economics_metrics.ropi(figures["revenue"], figures["spend"])}


# --- satisfaction ----------------------------------------------------------------------------------


def psat(*, chosen: Slice, period: Period, quarters: int = TREND_QUARTERS) -> dict:
    """PSAT (mean 1–5 answer) and NPS of the answers submitted in the period, and per quarter for the
    trend. Two queries (responses and their 1–5 answers)."""
    partner_ids = None if chosen.is_all else list(chosen.partners().values_list("pk", flat=True))
    responses, scale = response_frames(partner_ids=partner_ids) if partner_ids != [] else (pd.DataFrame(), pd.DataFrame())
    first = period.previous(quarters - 1)
    out = {"trend": []}
    for p in [first.previous(-i) for i in range(quarters)]:
        if responses.empty:
            mine, answers = responses, scale
        else:
            days = pd.to_datetime(responses["submitted_on"])
            mine = responses[(days >= pd.Timestamp(p.start)) & (days <= pd.Timestamp(p.end))]
            answers = scale[scale["response_id"].isin(mine["response_id"])] if not scale.empty else scale
        figure = {
            "label": p.label,
            "responses": len(mine),
            "nps": None if mine.empty else survey_metrics.nps(mine["nps"]),
            "psat": None if answers.empty else float(answers["value"].astype(np.float64).mean()),
        }
        out["trend"].append(figure)
    return {**out["trend"][-1], "trend": out["trend"]}


# --- customers (economics) -------------------------------------------------------------------------


def customers(*, tenant: Tenant, chosen: Slice, period: Period, last_day: datetime.date) -> tuple:
    """(CAC of the period's quarter, retention over the 12 months ending with the period's last complete
    month, the top five partners by CLTV contribution). The slice narrows the partner-managed side:
    other partners' customer months are left out. Three queries (revenue, costs, the names)."""
    revenue = economics.revenue_frame(tenant=tenant)
    if not chosen.is_all and len(revenue):
        ids = set(chosen.partners().values_list("pk", flat=True))
        revenue = revenue[revenue["partner_id"].isna() | revenue["partner_id"].isin(ids)]
    cost_rows = economics.cost_frame(tenant=tenant)
    month = economics_metrics.months_back(last_day.replace(day=1), 0 if last_day == period.end else 1)
    cac = economics_metrics.cac(revenue, cost_rows, period.year, period.quarter)
    retention = economics_metrics.retention(revenue, month)
    cltv = economics_metrics.cltv_contribution(revenue).head(5)
    names = dict(PartnerOrganization.objects.filter(pk__in=[int(p) for p in cltv["partner_id"]]).values_list("pk", "name"))
    top = [
        {"partner_id": int(pid), "name": names.get(int(pid), "—"), "revenue": float(value)}
        for pid, value in zip(cltv["partner_id"], cltv["revenue"], strict=True)
    ]
    return cac, retention, top, month


# --- partners --------------------------------------------------------------------------------------

_ACTIVE_SQL = """
WITH chosen AS ({chosen}),
signals AS (
    SELECT e.partner_id, bool_or(e.kind = %(login)s) AS login, bool_or(e.kind = %(registration)s) AS registration,
           bool_or(e.kind = %(training)s) AS training
    FROM {events} e
    WHERE e.tenant_id = %(tenant)s AND e.kind = ANY(%(kinds)s) AND e.occurred_at >= %(since)s AND e.occurred_at < %(until)s
    GROUP BY e.partner_id
)
SELECT p.id, COALESCE(s.login, false), COALESCE(s.registration, false), COALESCE(s.training, false)
FROM {partners} p LEFT JOIN signals s ON s.partner_id = p.id
WHERE p.tenant_id = %(tenant)s AND p.status = ANY(%(statuses)s) AND p.id IN (SELECT id FROM chosen)
"""


def activity(*, chosen: Slice, rule: ActiveRule, last_day: datetime.date) -> pd.DataFrame:
    """One row per partner of the program in the slice: ``partner_id`` and whether it showed each signal
    in the rule's window ending on ``last_day``; ``active`` by the rule. One query."""
    chosen_sql, chosen_params = chosen.sql()
    until = _midnight(last_day + datetime.timedelta(days=1))
    params = {
        "tenant": require_tenant_id(),
        "since": until - datetime.timedelta(days=rule.days),
        "until": until,
        "kinds": [str(k) for k in SIGNAL_KINDS.values()],
        "statuses": [str(s) for s in PROGRAM_STATUSES],
        **{name: str(kind) for name, kind in SIGNAL_KINDS.items()},
        **chosen_params,
    }
    sql = _ACTIVE_SQL.format(
        chosen=chosen_sql, events=EngagementEvent._meta.db_table, partners=PartnerOrganization._meta.db_table
    )
    frame = pd.DataFrame(_rows(sql, params), columns=["partner_id", *SIGNAL_KINDS])
    frame["active"] = economics_metrics.active_partners(frame, rule.definition()) if len(frame) else pd.Series(dtype=bool)
    return frame


_TIME_TO_VALUE_SQL = """
WITH firsts AS (
    SELECT d.partner_id, MIN(d.closed_on) FILTER (WHERE d.stage = 'closed_won') AS first_won,
           MIN(d.submitted_at) AS first_submitted
    FROM {deals} d
    WHERE d.tenant_id = %(tenant)s {by_slice}
    GROUP BY d.partner_id
),
activated AS (
    SELECT c.partner_id, MIN(c.changed_at) AS activated_at
    FROM {changes} c
    WHERE c.tenant_id = %(tenant)s AND c.to_status = 'active'
    GROUP BY c.partner_id
),
started AS (
    SELECT f.partner_id, f.first_won,
           LEAST(COALESCE(a.activated_at, p.created_at), f.first_submitted) AS started_at
    FROM firsts f
    JOIN {partners} p ON p.id = f.partner_id
    LEFT JOIN activated a ON a.partner_id = f.partner_id
    WHERE f.first_won BETWEEN %(start)s AND %(end)s
)
SELECT partner_id, started_at, first_won, first_won - (started_at AT TIME ZONE %(tz)s)::date
FROM started
ORDER BY 4, 1
"""


def time_to_value_rows(*, chosen: Slice, period: Period) -> list[tuple]:
    """(partner id, started at, first won on, days) of the partners whose first closed-won deal closed in
    the period, fastest first. Started: the first time it became active (else when it was created), or
    its first registration if that came earlier (partners imported with their history). One query."""
    by_slice, chosen_params = chosen.condition("d.partner_id")
    sql = _TIME_TO_VALUE_SQL.format(
        by_slice=by_slice,
        deals=DealRegistration._meta.db_table,
        changes=PartnerStatusChange._meta.db_table,
        partners=PartnerOrganization._meta.db_table,
    )
    params = {
        "tenant": require_tenant_id(),
        "start": period.start,
        "end": period.end,
        "tz": timezone.get_current_timezone_name(),
        **chosen_params,
    }
    return _rows(sql, params)


def tiers(*, chosen: Slice) -> list[dict]:
    """Partners of the program in the slice per tier (highest rank first, then no tier). Two queries."""
    counts = dict(
        chosen.partners()
        .filter(status__in=PROGRAM_STATUSES)
        .order_by()
        .values_list("tier_id")
        .annotate(n=Count("id"))
        .values_list("tier_id", "n")
    )
    rows = [
        {"tier_id": pk, "name": name, "partners": counts.get(pk, 0)}
        for pk, name in Tier.objects.order_by("-rank", "name").values_list("pk", "name")
    ]
    return [*rows, {"tier_id": None, "name": None, "partners": counts.get(None, 0)}]


_AT_RISK_SQL = """
WITH chosen AS ({chosen}),
program AS (
    SELECT p.id, p.name, p.public_id, p.status FROM {partners} p
    WHERE p.tenant_id = %(tenant)s AND p.status = ANY(%(statuses)s) AND p.id IN (SELECT id FROM chosen)
),
latest AS (
    SELECT DISTINCT ON (c.partner_id) c.partner_id, c.probability
    FROM {predictions} c
    WHERE c.tenant_id = %(tenant)s AND c.partner_id IN (SELECT id FROM program)
    ORDER BY c.partner_id, c.as_of DESC
)
SELECT NULL::bigint, NULL, NULL::uuid, NULL::float8,
       (SELECT COUNT(*) FROM latest WHERE probability >= %(threshold)s),
       (SELECT COUNT(*) FROM {alerts} a WHERE a.tenant_id = %(tenant)s AND a.status = 'open'
            AND a.partner_id IN (SELECT id FROM program)),
       (SELECT COUNT(*) FROM program WHERE status = 'at_risk')
UNION ALL
(SELECT l.partner_id, p.name, p.public_id, l.probability, NULL, NULL, NULL
 FROM latest l JOIN program p ON p.id = l.partner_id
 WHERE l.probability >= %(threshold)s ORDER BY l.probability DESC, p.name LIMIT %(top)s)
"""


def at_risk(*, chosen: Slice) -> dict:
    """From scoring: partners of the program whose latest churn prediction is at or above the program's
    threshold (and the five riskiest), open churn alerts, partners marked at risk. Two queries."""
    threshold = ScoringSettings.objects.values_list("at_risk_threshold", flat=True).first()
    threshold = 0.5 if threshold is None else threshold
    chosen_sql, chosen_params = chosen.sql()
    sql = _AT_RISK_SQL.format(
        chosen=chosen_sql,
        partners=PartnerOrganization._meta.db_table,
        predictions=ChurnPrediction._meta.db_table,
        alerts=ChurnAlert._meta.db_table,
    )
    params = {
        "tenant": require_tenant_id(),
        "statuses": [str(s) for s in PROGRAM_STATUSES],
        "threshold": threshold,
        "top": AT_RISK_TOP,
        **chosen_params,
    }
    (_, _, _, _, predicted, alerts, marked), *top = _rows(sql, params)
    return {
        "threshold": threshold,
        "predicted": predicted,
        "alerts": alerts,
        "marked": marked,
        "top": [{"partner_id": r[0], "name": r[1], "public_id": r[2], "probability": r[3]} for r in top],
    }


# --- the dashboard ---------------------------------------------------------------------------------


Through = Callable[[str, Callable[[], Any]], Any]


def _direct(group: str, compute: Callable[[], Any]) -> Any:
    return compute()


def dashboard(
    *,
    tenant: Tenant,
    period: Period,
    chosen: Slice,
    rule: ActiveRule,
    today: datetime.date | None = None,
    through: Through = _direct,
) -> Dashboard:
    """Every figure of the dashboard. Call in the tenant's staff scope; a constant number of queries.

    The figures come in groups (:data:`GROUPS`), each computed by ``through(group, compute)``: directly
    by default; :func:`attribution.insights.cache.cached_dashboard` passes one that keeps each group in
    the cache until a record that group reads changes.
    """
    today = today or timezone.localdate()
    last_day = min(period.end, today)

    def revenue():
        rates = rate_table()
        return rates.program_currency, revenue_by_quarter(rates=rates, chosen=chosen, period=period)

    def time_to_value():
        days = np.array([row[3] for row in time_to_value_rows(chosen=chosen, period=period)], dtype=np.float64)
        return (float(np.median(days)) if len(days) else None), len(days)

    def activity_counts():
        active = activity(chosen=chosen, rule=rule, last_day=last_day)
        return (int(active["active"].sum()) if len(active) else 0), len(active)

    currency, quarters = through("revenue", revenue)
    flow = through("pipeline", lambda: pipeline(rates=rate_table(), chosen=chosen, period=period, last_day=last_day))
    partner_costs, direct_costs = through("costs", lambda: costs(period=period))
    cac, retention, cltv, _month = through(
        "customers", lambda: customers(tenant=tenant, chosen=chosen, period=period, last_day=last_day)
    )
    active, in_program = through("activity", activity_counts)
    ttv_days, ttv_partners = through("time_to_value", time_to_value)
    return Dashboard(
        currency=currency,
        period=period,
        last_day=last_day,
        revenue=quarters,
        submitted=flow["submitted"],
        approved=flow["approved"],
        decided=flow["decided"],
        won=flow["won"],
        lost=flow["lost"],
        velocity_days=flow["velocity"],
        pipeline_created=flow["created"],
        open_pipeline=flow["open"],
        partner_costs=partner_costs,
        direct_costs=direct_costs,
        mdf=through("mdf", lambda: mdf(tenant=tenant, chosen=chosen, period=period)),
        psat=through("psat", lambda: psat(chosen=chosen, period=period)),
        cac=cac,
        retention=retention,
        cltv=cltv,
        active=active,
        in_program=in_program,
        time_to_value_days=ttv_days,
        time_to_value_partners=ttv_partners,
        tiers=through("tiers", lambda: tiers(chosen=chosen)),
        at_risk=through("at_risk", lambda: at_risk(chosen=chosen)),
    )


# The records each group of figures reads (app label.model): a saved or deleted one of these makes the
# group compute afresh; the second tuple lists those also written in bulk (no signal), watched by id.
GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "revenue": (
        (
            "deals.DealRegistration",
            "deals.DirectOpportunity",
            "deals.CurrencyRate",
            "deals.EngagementRules",
            "attribution.Touchpoint",
            "partners.PartnerOrganization",
        ),
        ("deals.DealRegistration", "attribution.Touchpoint", "deals.CurrencyRate"),
    ),
    "pipeline": (
        ("deals.DealRegistration", "deals.CurrencyRate", "deals.EngagementRules", "partners.PartnerOrganization"),
        ("deals.DealRegistration", "deals.CurrencyRate"),
    ),
    "costs": (("economics.ProgramCost",), ()),
    "customers": (
        ("economics.CustomerRevenue", "economics.ProgramCost", "deals.EngagementRules", "partners.PartnerOrganization"),
        ("economics.CustomerRevenue",),
    ),
    "activity": (("partners.EngagementEvent", "partners.PartnerOrganization"), ("partners.EngagementEvent",)),
    "time_to_value": (
        ("deals.DealRegistration", "partners.PartnerStatusChange", "partners.PartnerOrganization"),
        ("deals.DealRegistration",),
    ),
    "mdf": (
        (
            "mdf.MdfRequest",
            "mdf.MdfClaim",
            "deals.DealRegistration",
            "deals.Lead",
            "deals.EngagementRules",
            "partners.PartnerOrganization",
        ),
        ("deals.DealRegistration",),
    ),
    "psat": (("surveys.SurveyResponse", "surveys.SurveyQuestion", "partners.PartnerOrganization"), ()),
    "tiers": (("partners.PartnerOrganization", "partners.Tier"), ()),
    "at_risk": (
        ("scoring.ChurnPrediction", "scoring.ChurnAlert", "scoring.ScoringSettings", "partners.PartnerOrganization"),
        ("scoring.ChurnPrediction", "scoring.ChurnAlert"),
    ),
}


# --- drill-down rows -------------------------------------------------------------------------------

_WON_ROWS_SQL = """
WITH won AS (
    SELECT d.id, d.public_id, d.customer_name, d.account_id, d.partner_id, d.closed_on, d.currency,
           COALESCE(d.closed_amount, d.value) AS amount,
           (d.status = ANY(%(source_statuses)s) AND d.decided_at IS NOT NULL AND d.protected_until IS NOT NULL
            AND d.closed_on <= d.protected_until
            AND NOT EXISTS (SELECT 1 FROM {direct} o WHERE o.tenant_id = %(tenant)s AND o.account_id = d.account_id
                            AND o.created_at < d.submitted_at)) AS has_source
    FROM {deals} d
    WHERE d.tenant_id = %(tenant)s AND d.stage = 'closed_won' AND d.closed_on BETWEEN %(start)s AND %(end)s
),
flagged AS MATERIALIZED (
    SELECT w.*, (w.has_source {sourced_by_slice}) AS sourced,
           (SELECT COUNT(DISTINCT t.partner_id) FROM {touches} t
            WHERE t.tenant_id = %(tenant)s AND t.account_id = w.account_id
              AND t.occurred_at >= ((w.closed_on - %(window)s)::timestamp AT TIME ZONE %(tz)s)
              AND t.occurred_at < ((w.closed_on + 1)::timestamp AT TIME ZONE %(tz)s)
              {touched_by_slice}
              AND NOT (w.has_source AND t.partner_id = w.partner_id)) AS influencers
    FROM won w
)
SELECT f.public_id, f.customer_name, p.name, f.closed_on, f.amount, f.currency, f.sourced, f.influencers,
       COUNT(*) OVER ()
FROM flagged f JOIN {partners} p ON p.id = f.partner_id
WHERE {which}
ORDER BY f.closed_on DESC, f.id DESC
LIMIT %(limit)s OFFSET %(offset)s
"""
WON_SETS = {
    "won": "true",
    "sourced": "f.sourced",
    "influenced": "f.influencers > 0",
    "touched": "(f.sourced OR f.influencers > 0)",
}


def won_rows(*, rates, chosen: Slice, period: Period, which: str, limit: int | None, offset: int = 0) -> tuple[list[dict], int]:
    """The won deals behind one revenue figure of the period, newest first, a page of them, and how many."""
    sourced_by_slice, chosen_params = chosen.condition("w.partner_id")
    touched_by_slice, _same = chosen.condition("t.partner_id")
    sql = _WON_ROWS_SQL.format(
        sourced_by_slice=sourced_by_slice,
        touched_by_slice=touched_by_slice,
        deals=DealRegistration._meta.db_table,
        direct=DirectOpportunity._meta.db_table,
        touches=Touchpoint._meta.db_table,
        partners=PartnerOrganization._meta.db_table,
        which=WON_SETS[which],
    )
    params = {
        "tenant": require_tenant_id(),
        "start": period.start,
        "end": period.end,
        "window": INFLUENCE_WINDOW_DAYS,
        "tz": timezone.get_current_timezone_name(),
        "source_statuses": list(SOURCE_STATUSES),
        "limit": limit,
        "offset": offset,
        **chosen_params,
    }
    rows = _rows(sql, params)
    if not rows:
        return [], 0
    frame = pd.DataFrame(
        rows, columns=["public_id", "customer", "partner", "closed_on", "amount", "currency", "sourced", "influencers", "total"]
    )
    frame["amount"] = frame["amount"].astype(np.float64)
    converted, missing = _convert(rates, frame, ["amount"], "closed_on")
    frame["converted"] = np.where(missing.to_numpy(), np.nan, converted["amount"].to_numpy())
    return frame.drop(columns="total").to_dict("records"), int(rows[0][-1])
