"""One partner's scorecard: its figures for a period beside the same figures for the period before.

:func:`partner_scorecard` reads each source once, whatever the number of deals, claims or answers
(the definitions are in :mod:`partners.scorecard.definitions`):

1. registrations: one aggregate (submitted, approved, rejected, per period);
2. closed and open deals: one ``values_list`` (the wins and losses of both periods, the open
   pipeline), plus the program currency and its rate table (2), summed and medianed with numpy;
3. attribution, once a run exists (its header: :func:`attribution.partner_selectors.partner_run_header`):
   sourced and influenced revenue by the rules of :mod:`attribution.selectors` (one query over the won
   deals the partner registered or touched), and its attributed revenue in the run (one aggregate of
   its own touches);
4. health: the latest score (1); churn: the partner's own prediction when the program allows it
   (:func:`scoring.selectors.own_churn_prediction`, 1 or 2);
5. PSAT: the partner's responses and 1–5 answers (:func:`partners.surveys.selectors.response_frames`, 2),
   grouped with pandas by :func:`partners.surveys.metrics.group_figures`;
6. MDF: requests (1), claims (1) and the campaigns' ROPI (1, from :func:`partners.mdf.selectors.campaigns_with_ropi`);
7. certifications (1) and course completions (1);
8. the tier standing (:func:`partners.tiers.tier_standing`).

Every read filters on the partner explicitly, so staff (who may read every partner) and the partner's
own users (whom row-level security already narrows) get the same card.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd
from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from attribution.models import AttributionTouch, OutcomeKind, Touchpoint
from attribution.partner_selectors import partner_run_header
from attribution.selectors import APPROVED_STATUSES, DEFAULT_INFLUENCE_WINDOW_DAYS
from deals.currency import program_currency_in_scope, rate_table
from deals.models import DealRegistration, DirectOpportunity
from deals.models.registrations import OPEN_FOR_DECISION, OPEN_STAGES, DealStage, RegistrationStatus
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from onboarding.models.training import Certification, CourseCompletion
from partners.mdf.models import FUNDED_STATUSES, ClaimStatus, MdfClaim, MdfRequest
from partners.mdf.selectors import campaigns_with_ropi
from partners.models import PartnerOrganization, TierMetric
from partners.surveys import metrics as survey_metrics
from partners.surveys.selectors import response_frames
from partners.tiers import tier_standing
from scoring.models import HealthScore
from scoring.selectors import component_rows, own_churn_prediction

from .definitions import DEFINITIONS
from .periods import Period

CENTS = Decimal("0.01")
PIPELINE_STATUSES = (RegistrationStatus.APPROVED, *OPEN_FOR_DECISION)
EXPIRING_WITHIN_DAYS = 60


@dataclass(frozen=True)
class Figure:
    """One card: the value for the period, the same for the period before (None: none, e.g. no rate yet)."""

    key: str
    value: Any
    previous: Any = None
    has_previous: bool = True

    @property
    def label(self):
        return DEFINITIONS[self.key]["label"]

    @property
    def unit(self) -> str:
        return str(DEFINITIONS[self.key]["unit"])

    @property
    def definition(self):
        return DEFINITIONS[self.key]["definition"]

    @property
    def section(self) -> str:
        return str(DEFINITIONS[self.key]["section"])

    @property
    def change(self) -> Any:
        """value − previous, when both are known."""
        if not self.has_previous or self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class AttributionRunInfo:
    period_start: datetime.date
    period_end: datetime.date
    finished_at: datetime.datetime | None
    model: str | None


@dataclass(frozen=True)
class HealthInfo:
    total: float
    as_of: datetime.date
    components: tuple[dict, ...]
    moved: tuple[dict, ...]
    actions: tuple[dict, ...]


@dataclass(frozen=True)
class ChurnInfo:
    probability: float
    method: str
    as_of: datetime.date
    drivers: tuple[str, ...]


@dataclass(frozen=True)
class TierInfo:
    tier: str | None
    next_tier: str | None
    missing: tuple[dict, ...]  # {metric, label, minimum, current}


@dataclass(frozen=True)
class Scorecard:
    partner_public_id: UUID
    partner_name: str
    period: Period
    previous: Period
    currency: str
    figures: tuple[Figure, ...]
    attribution_run: AttributionRunInfo | None
    health: HealthInfo | None
    churn: ChurnInfo | None
    tier: TierInfo
    missing_rates: int = 0  # wins of the period left without revenue for want of a rate
    sections: dict[str, list[Figure]] = field(default_factory=dict, compare=False)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _within(field_name: str, period: Period) -> Q:
    """``field_name`` (a datetime) on a day of ``period`` (server time zone)."""
    return Q(
        **{f"{field_name}__gte": _midnight(period.start), f"{field_name}__lt": _midnight(period.end + datetime.timedelta(days=1))}
    )


def _money(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return Decimal(str(value)).quantize(CENTS)


def _rate(numerator, denominator) -> float | None:
    """numerator ÷ denominator as a percentage rounded to 0.1, None when the denominator is 0."""
    return None if not denominator else round(100.0 * float(numerator) / float(denominator), 1)


# --- registrations and deals -----------------------------------------------------------------------


def _registration_figures(*, tenant: Tenant, partner_id: int, periods: dict[str, Period]) -> dict[str, dict]:
    counts: dict[str, Any] = {}
    for name, period in periods.items():
        decided = _within("decided_at", period)
        counts[f"submitted_{name}"] = Count("id", filter=_within("submitted_at", period))
        counts[f"approved_{name}"] = Count("id", filter=decided & ~Q(status=RegistrationStatus.REJECTED))
        counts[f"rejected_{name}"] = Count("id", filter=decided & Q(status=RegistrationStatus.REJECTED))
    row = DealRegistration.objects.filter(tenant=tenant, partner_id=partner_id).aggregate(**counts)
    return {
        name: {
            "registrations_submitted": row[f"submitted_{name}"],
            "registrations_approved": row[f"approved_{name}"],
            "approval_rate": _rate(row[f"approved_{name}"], row[f"approved_{name}"] + row[f"rejected_{name}"]),
        }
        for name in periods
    }


def _deal_figures(*, tenant: Tenant, partner_id: int, periods: dict[str, Period], rates, today: datetime.date):
    earliest = min(p.start for p in periods.values())
    latest = max(p.end for p in periods.values())
    closed = Q(stage__in=(DealStage.CLOSED_WON, DealStage.CLOSED_LOST), closed_on__gte=earliest, closed_on__lte=latest)
    open_ = Q(status__in=PIPELINE_STATUSES, stage__in=OPEN_STAGES)
    columns = ["stage", "status", "closed_on", "closed_amount", "value", "currency", "submitted_on"]
    rows = (
        DealRegistration.objects.filter(tenant=tenant, partner_id=partner_id)
        .filter(closed | open_)
        .annotate(submitted_on=TruncDate("submitted_at"))  # the local day (server time zone)
        .values_list(*columns)
    )
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    out = {name: {"deals_won": 0, "revenue_won": Decimal(0), "win_rate": None, "velocity_days": None} for name in periods}
    if frame.empty:
        return out, Decimal(0), 0
    stage = frame["stage"].to_numpy(dtype=object)
    closed_on = pd.to_datetime(frame["closed_on"]).to_numpy(dtype="datetime64[D]")
    estimated = frame["value"].astype(np.float64).to_numpy()
    amounts = frame["closed_amount"].astype(np.float64).fillna(frame["value"].astype(np.float64)).to_numpy()
    currencies = frame["currency"].to_numpy(dtype=object)
    submitted = pd.to_datetime(frame["submitted_on"]).to_numpy(dtype="datetime64[D]")
    is_open = np.isin(stage, OPEN_STAGES) & frame["status"].isin(PIPELINE_STATUSES).to_numpy()

    won_value = rates.convert(amounts, currencies, closed_on)
    missing = 0
    for name, period in periods.items():
        inside = (closed_on >= np.datetime64(period.start)) & (closed_on <= np.datetime64(period.end))
        won = inside & (stage == DealStage.CLOSED_WON)
        lost = inside & (stage == DealStage.CLOSED_LOST)
        n_won, n_lost = int(won.sum()), int(lost.sum())
        days = (closed_on[won] - submitted[won]).astype(np.float64)
        out[name] = {
            "deals_won": n_won,
            "revenue_won": _money(round(float(np.where(won_value.missing, 0.0, won_value.values)[won].sum()), 2)),
            "win_rate": _rate(n_won, n_won + n_lost),
            "velocity_days": float(np.median(days)) if n_won else None,
        }
        if name == "current":
            missing = int((won & won_value.missing).sum())
    today_dates = np.full(len(frame), np.datetime64(today), dtype="datetime64[D]")
    pipeline = rates.convert(estimated, currencies, today_dates)
    open_value = _money(round(float(np.where(pipeline.missing, 0.0, pipeline.values)[is_open].sum()), 2))
    return out, open_value, missing


# --- attribution -----------------------------------------------------------------------------------


def _sourcing_figures(*, tenant: Tenant, partner_id: int, periods: dict[str, Period], rates) -> dict[str, dict]:
    """Sourced and influenced revenue by the rules of :mod:`attribution.selectors`, for this partner only.

    One query over the won deals of both periods that the partner registered or touched, read across
    partners (another partner's deal the caller touched is needed to know it influenced it; only the
    sums leave this function): its registering partner, what makes it sourced, and whether the caller
    has a touchpoint on the deal's account in the window before the close.
    """
    earliest = min(p.start for p in periods.values())
    latest = max(p.end for p in periods.values())
    window = datetime.timedelta(days=DEFAULT_INFLUENCE_WINDOW_DAYS)
    touched = Touchpoint.objects.filter(tenant=tenant, partner_id=partner_id, account_id=OuterRef("account_id")).annotate(
        occurred_on=TruncDate("occurred_at")
    )
    touched = touched.filter(
        occurred_on__lte=OuterRef("closed_on"),
        occurred_on__gte=ExpressionWrapper(OuterRef("closed_on") - window, output_field=DateField()),
    )
    direct_first = DirectOpportunity.objects.filter(
        tenant=tenant, account_id=OuterRef("account_id"), created_at__lt=OuterRef("submitted_at")
    )
    accounts = Touchpoint.objects.filter(
        tenant=tenant,
        partner_id=partner_id,
        occurred_at__gte=_midnight(earliest - window),
        occurred_at__lt=_midnight(latest + datetime.timedelta(days=1)),
    ).values("account_id")
    columns = ["partner_id", "status", "decided_at", "protected_until", "closed_on", "closed_amount", "value", "currency"]
    with across_partners(reason="scorecard: the won deals the partner touched, to sum what it influenced; only sums leave"):
        rows = list(
            DealRegistration.objects.filter(
                tenant=tenant, stage=DealStage.CLOSED_WON, closed_on__gte=earliest, closed_on__lte=latest
            )
            # the partner's own wins, and the wins on accounts it touched around the periods (index on partner, time)
            .filter(Q(partner_id=partner_id) | Q(account_id__in=Subquery(accounts)))
            .annotate(touched=Exists(touched), direct_first=Exists(direct_first))
            .filter(Q(partner_id=partner_id) | Q(touched=True))
            .values_list(*columns, "touched", "direct_first")
        )
    frame = pd.DataFrame.from_records(rows, columns=[*columns, "touched", "direct_first"])
    out = {name: {"sourced_revenue": Decimal(0), "influenced_revenue": Decimal(0)} for name in periods}
    if frame.empty:
        return out
    closed_on = pd.to_datetime(frame["closed_on"]).to_numpy(dtype="datetime64[D]")
    amounts = frame["closed_amount"].astype(np.float64).fillna(frame["value"].astype(np.float64)).to_numpy()
    conversion = rates.convert(amounts, frame["currency"].to_numpy(dtype=object), closed_on)
    protected = pd.to_datetime(frame["protected_until"]).to_numpy(dtype="datetime64[D]")
    sourced = (
        (frame["partner_id"] == partner_id).to_numpy()
        & frame["status"].isin(APPROVED_STATUSES).to_numpy()
        & frame["decided_at"].notna().to_numpy()
        & ~np.isnat(protected)
        & (closed_on <= protected)
        & ~frame["direct_first"].to_numpy(dtype=bool)
    )
    influenced = frame["touched"].to_numpy(dtype=bool) & ~sourced
    values = np.where(conversion.missing, 0.0, conversion.values)  # no rate on the close date: left out, as in a run
    for name, period in periods.items():
        inside = (closed_on >= np.datetime64(period.start)) & (closed_on <= np.datetime64(period.end))
        out[name] = {
            "sourced_revenue": _money(round(float(values[inside & sourced].sum()), 2)),
            "influenced_revenue": _money(round(float(values[inside & influenced].sum()), 2)),
        }
    return out


def _attribution_figures(*, tenant: Tenant, partner_id: int, periods: dict[str, Period], rates):
    """The latest run's header, and the partner's attributed revenue in each period: one aggregate of its touches."""
    run = partner_run_header(tenant=tenant)
    if run is None:
        return None, {name: {} for name in periods}
    model = run.chosen_model(None)
    info = AttributionRunInfo(run.period_start, run.period_end, run.finished_at, model)
    out = _sourcing_figures(tenant=tenant, partner_id=partner_id, periods=periods, rates=rates)
    if model is None:  # a run with no per-touch model (Markov or Shapley on rates only): no credit per deal
        for name in periods:
            out[name]["credited_revenue"] = None
        return info, out
    credit = {
        name: Sum(
            F(model) * F("value"),
            filter=Q(outcome_on__gte=period.start, outcome_on__lte=period.end),
            output_field=FloatField(),
        )
        for name, period in periods.items()
    }
    sums = AttributionTouch.objects.filter(
        tenant=tenant, run_id=run.pk, partner_id=partner_id, outcome=OutcomeKind.WON
    ).aggregate(**credit)
    for name in periods:
        out[name]["credited_revenue"] = _money(round(sums[name] or 0.0, 2))
    return info, out


# --- satisfaction ----------------------------------------------------------------------------------


def _psat_figures(*, partner_id: int, periods: dict[str, Period]) -> dict[str, dict]:
    responses, scale = response_frames(partner_ids=[partner_id])
    out = {name: {"psat_mean": None, "nps": None, "survey_responses": 0} for name in periods}
    if responses.empty:
        return out
    day = pd.to_datetime(responses["submitted_on"])
    for name, period in periods.items():
        chosen = responses[(day >= pd.Timestamp(period.start)) & (day <= pd.Timestamp(period.end))].assign(period=name)
        if chosen.empty:
            continue
        figures = survey_metrics.group_figures(chosen, scale, by=["period"]).iloc[0]
        psat = float(figures["psat"])
        out[name] = {
            "psat_mean": None if np.isnan(psat) else round(psat, 2),
            "nps": round(float(figures["nps"]), 1),
            "survey_responses": int(figures["responses"]),
        }
    return out


# --- MDF -------------------------------------------------------------------------------------------


def _mdf_figures(*, tenant: Tenant, partner_id: int, periods: dict[str, Period], currency: str) -> dict[str, dict]:
    zero = Decimal(0)
    requested, claimed, campaigns = {}, {}, {}
    for name, period in periods.items():
        requested[f"approved_{name}"] = Sum(
            "approved_amount", filter=_within("decided_at", period) & Q(status__in=FUNDED_STATUSES)
        )
        claimed[f"claimed_{name}"] = Sum("claimed_amount", filter=_within("submitted_at", period))
        claimed[f"paid_{name}"] = Sum("approved_amount", filter=_within("paid_at", period) & Q(status=ClaimStatus.PAID))
        started = Q(start_date__gte=period.start, start_date__lte=period.end)
        campaigns[f"spend_{name}"] = Sum("spend", filter=started)
        campaigns[f"revenue_{name}"] = Sum("revenue", filter=started)
    requests = MdfRequest.objects.filter(tenant=tenant, partner_id=partner_id).aggregate(**requested)
    claims = MdfClaim.objects.filter(tenant=tenant, partner_id=partner_id).aggregate(**claimed)
    returns = campaigns_with_ropi(tenant=tenant, partner_id=partner_id, currency=currency).aggregate(**campaigns)
    out = {}
    for name in periods:
        spend = returns[f"spend_{name}"] or zero
        revenue = returns[f"revenue_{name}"] or zero
        out[name] = {
            "mdf_approved": requests[f"approved_{name}"] or zero,
            "mdf_claimed": claims[f"claimed_{name}"] or zero,
            "mdf_paid": claims[f"paid_{name}"] or zero,
            "mdf_ropi": (revenue / spend).quantize(CENTS) if spend else None,
        }
    return out


# --- enablement ------------------------------------------------------------------------------------


def _enablement_figures(*, tenant: Tenant, partner_id: int, periods: dict[str, Period]) -> dict[str, dict]:
    held, completed = {}, {}
    for name, period in periods.items():
        after = _midnight(period.end + datetime.timedelta(days=1))
        valid = Q(issued_at__lt=after, expires_on__gte=period.end) & (Q(revoked_at__isnull=True) | Q(revoked_at__gte=after))
        held[f"people_{name}"] = Count("user_id", distinct=True, filter=valid)
        held[f"expiring_{name}"] = Count(
            "id", filter=valid & Q(expires_on__lt=period.end + datetime.timedelta(days=EXPIRING_WITHIN_DAYS + 1))
        )
        completed[f"courses_{name}"] = Count("id", filter=_within("completed_at", period) & Q(passed=True))
    certifications = Certification.objects.filter(tenant=tenant, partner_id=partner_id).aggregate(**held)
    courses = CourseCompletion.objects.filter(tenant=tenant, partner_id=partner_id).aggregate(**completed)
    return {
        name: {
            "certified_people": certifications[f"people_{name}"],
            "certifications_expiring": certifications[f"expiring_{name}"],
            "courses_completed": courses[f"courses_{name}"],
        }
        for name in periods
    }


# --- standing: health, churn, tier -----------------------------------------------------------------


def _health(*, tenant: Tenant, partner_id: int) -> HealthInfo | None:
    score = HealthScore.objects.filter(tenant=tenant, partner_id=partner_id).order_by("-as_of", "-id").first()
    if score is None:
        return None
    return HealthInfo(
        total=score.total,
        as_of=score.as_of,
        components=tuple(component_rows(score)),
        moved=tuple(score.moved or ()),
        actions=tuple(score.actions or ()),
    )


def _churn(*, tenant: Tenant, partner_id: int) -> ChurnInfo | None:
    prediction = own_churn_prediction(tenant=tenant, partner_id=partner_id)
    if prediction is None:
        return None
    drivers = tuple(d.get("sentence", "") for d in prediction.drivers or () if d.get("sentence"))
    return ChurnInfo(prediction.probability, prediction.method, prediction.as_of, drivers)


def _tier(*, tenant: Tenant, partner: PartnerOrganization) -> TierInfo:
    standing = tier_standing(tenant=tenant, partner=partner)
    missing = tuple(
        {"metric": metric, "label": str(TierMetric(metric).label), "minimum": minimum, "current": current}
        for metric, minimum, current in standing.missing
    )
    return TierInfo(
        tier=standing.tier.name if standing.tier else None,
        next_tier=standing.next_tier.name if standing.next_tier else None,
        missing=missing,
    )


# --- the card --------------------------------------------------------------------------------------


def partner_scorecard(
    *,
    tenant: Tenant,
    partner: PartnerOrganization,
    period_start: datetime.date,
    period_end: datetime.date,
    previous_start: datetime.date | None = None,
    previous_end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Scorecard:
    """``partner``'s scorecard for [period_start, period_end] beside the period before.

    The period before defaults to the same number of days just before ``period_start`` (the pickers
    in :mod:`partners.scorecard.periods` pass the previous quarter for a quarter). ``today`` dates the
    open pipeline's rates (default: today).
    """
    period = Period(period_start, period_end)
    if previous_start is None or previous_end is None:
        previous_end = period_start - datetime.timedelta(days=1)
        previous_start = previous_end - datetime.timedelta(days=period.days - 1)
    previous = Period(previous_start, previous_end)
    periods = {"current": period, "previous": previous}
    today = today or timezone.localdate()
    partner_id = partner.pk

    currency = program_currency_in_scope()
    values: dict[str, dict[str, Any]] = {name: {} for name in periods}
    for name, figures in _registration_figures(tenant=tenant, partner_id=partner_id, periods=periods).items():
        values[name].update(figures)
    with across_partners(reason="scorecard: the program's currency rates convert the partner's own deals; no rate is shown"):
        rates = rate_table(currency)
    deals, open_pipeline, missing_rates = _deal_figures(
        tenant=tenant, partner_id=partner_id, periods=periods, rates=rates, today=today
    )
    run, attribution = _attribution_figures(tenant=tenant, partner_id=partner_id, periods=periods, rates=rates)
    for part in (
        deals,
        attribution,
        _psat_figures(partner_id=partner_id, periods=periods),
        _mdf_figures(tenant=tenant, partner_id=partner_id, periods=periods, currency=currency),
        _enablement_figures(tenant=tenant, partner_id=partner_id, periods=periods),
    ):
        for name, figures in part.items():
            values[name].update(figures)

    figures = []
    for key in DEFINITIONS:
        if key == "open_pipeline":
            figures.append(Figure(key, open_pipeline, None, has_previous=False))
        elif key in values["current"]:
            figures.append(Figure(key, values["current"][key], values["previous"][key]))
    sections: dict[str, list[Figure]] = {}
    for figure in figures:
        sections.setdefault(figure.section, []).append(figure)
    return Scorecard(
        partner_public_id=partner.public_id,
        partner_name=partner.name,
        period=period,
        previous=previous,
        currency=currency,
        figures=tuple(figures),
        attribution_run=run,
        health=_health(tenant=tenant, partner_id=partner_id),
        churn=_churn(tenant=tenant, partner_id=partner_id),
        tier=_tier(tenant=tenant, partner=partner),
        missing_rates=missing_rates,
        sections=sections,
    )
