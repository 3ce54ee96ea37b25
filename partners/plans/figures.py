"""Every goal's actual, its pace and the monthly series of a business plan (the selectors' figures).

Actuals come from the platform's own rows, for the plan's partner (or, for a solution plan, the
solution's deals: see :func:`registration_scope`), within the plan's period. The definitions below
are the ones the pages, the API and docs/business-plans.md show:

* **Closed-won revenue** — the sum of ``closed_amount`` of registrations in stage *closed won*
  whose ``closed_on`` falls in the period (both ends included).
* **Partner-sourced pipeline** — the sum of the estimated ``value`` of registrations *submitted*
  in the period, whatever became of them since, except those *rejected* or *withdrawn* (a deal the
  vendor turned down, or the partner took back, was never pipeline). Expired, lost and won
  registrations count: they were pipeline the partner brought in that period.
* **Deal registrations** — the number of registrations submitted in the period, every status.
* **Certified people** — the number of distinct people of the partner holding a certification
  valid on the *cut-off day*: the period's end, or today if that is earlier. Valid on a day: issued
  on or before it, expiring on or after it, and not revoked on or before it.
* **MDF spend**, **customer retention** — the platform records neither yet (the program
  economics issue adds MDF and customer revenue): the vendor enters the figure on the goal
  (``manual_actual``) and every screen says "entered by the vendor".

Amounts are summed as stored, in the registrations' own currency: a program that registers in
several currencies should set one goal currency by convention (docs/business-plans.md).

Pace: the *expected-to-date* figure is ``target × elapsed fraction`` of the period, where the
elapsed fraction is (days from the start to today, both included) ÷ (days in the period), kept
between 0 and 1. The goal is **ahead** when the actual is at least 110 % of expected, **behind**
below 90 %, **on pace** in between (a tolerance of ``PACE_TOLERANCE`` either side). Customer
retention is a rate, not a running total: it is compared with the whole target from day one.

Cost: the actuals of any number of plans take one query over registrations (revenue, pipeline and
count together, one filtered aggregate per plan) and one over certifications, and the monthly
series of one plan the same two queries (one filtered aggregate per month).
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from deals.models import DealRegistration, DealStage, RegistrationStatus
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from onboarding.models import Certification

from .models import BusinessPlan, GoalMetric, PlanGoal

PACE_TOLERANCE = Decimal("0.10")
CENT = Decimal("0.01")

# Where each metric's actual comes from.
REGISTRATION_METRICS = (GoalMetric.CLOSED_WON_REVENUE, GoalMetric.SOURCED_PIPELINE, GoalMetric.REGISTRATIONS)
CERTIFICATION_METRICS = (GoalMetric.CERTIFIED_PEOPLE,)
MANUAL_METRICS = (GoalMetric.MDF_SPEND, GoalMetric.CUSTOMER_RETENTION)
RATE_METRICS = (GoalMetric.CUSTOMER_RETENTION,)  # compared with the whole target, not a linear ramp
MONEY_METRICS = (GoalMetric.CLOSED_WON_REVENUE, GoalMetric.SOURCED_PIPELINE, GoalMetric.MDF_SPEND)
NOT_PIPELINE = (RegistrationStatus.REJECTED, RegistrationStatus.WITHDRAWN)

SOURCE_PLATFORM = "platform"
SOURCE_VENDOR = "vendor"
SOURCE_LABELS = {SOURCE_PLATFORM: "computed by the platform", SOURCE_VENDOR: "entered by the vendor"}


class Pace:
    AHEAD = "ahead"
    ON_PACE = "on_pace"
    BEHIND = "behind"
    NOT_STARTED = "not_started"  # nothing expected yet (the period has not begun, or a zero target)
    NO_FIGURE = "no_figure"  # a figure the vendor enters, not entered yet

    LABELS = {
        AHEAD: "Ahead",
        ON_PACE: "On pace",
        BEHIND: "Behind",
        NOT_STARTED: "Not started",
        NO_FIGURE: "No figure yet",
    }


# --- periods ---------------------------------------------------------------------------------------


def elapsed_fraction(*, start: datetime.date, end: datetime.date, on: datetime.date) -> Decimal:
    """The share of the period gone by the end of ``on``: 0 before the start, 1 from the last day."""
    if on < start:
        return Decimal(0)
    if on >= end:
        return Decimal(1)
    return Decimal((on - start).days + 1) / Decimal((end - start).days + 1)


def month_ends(*, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The last day of every month the period touches, the last one cut to the period's end."""
    ends: list[datetime.date] = []
    year, month = start.year, start.month
    while True:
        last = datetime.date(year, month, calendar.monthrange(year, month)[1])
        ends.append(min(last, end))
        if last >= end:
            return ends
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    last_month = first_month + 2
    return start, datetime.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])


def parse_quarter(text: str) -> tuple[datetime.date, datetime.date] | None:
    """``2026-Q3`` -> (2026-07-01, 2026-09-30); anything else -> None."""
    text = (text or "").strip().upper()
    if len(text) != 7 or text[4:6] != "-Q" or not text[:4].isdigit() or text[6] not in "1234":
        return None
    year, quarter = int(text[:4]), int(text[6])
    if year < 1900:
        return None
    return quarter_bounds(datetime.date(year, 3 * quarter, 1))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- whose deals -----------------------------------------------------------------------------------


def solution_reference_field() -> str | None:
    """The name of DealRegistration's foreign key to a joint solution, once the deals app has one."""
    for model_field in DealRegistration._meta.get_fields():
        related = getattr(model_field, "related_model", None)
        if (
            getattr(model_field, "many_to_one", False)
            and related is not None
            and related._meta.label == "solutions.JointSolution"
        ):
            return model_field.name
    return None


def registration_scope(plan: BusinessPlan) -> Q:
    """The registrations a plan counts: its partner's; for a solution plan, those that reference the solution.

    Until registrations can reference a solution (the deals app's ``solution`` foreign key), a
    solution plan counts the registrations of the solution's partners instead, and says so
    (:func:`counts_solution_deals`).
    """
    if plan.solution_id is None:
        return Q(partner_id=plan.partner_id)
    reference = solution_reference_field()
    if reference is not None:
        return Q(**{f"{reference}_id": plan.solution_id})
    return Q(partner_id__in=list(plan.team_partner_ids))


def counts_solution_deals(plan: BusinessPlan) -> bool:
    """True when a solution plan's deal metrics count the deals that reference the solution itself."""
    return plan.solution_id is not None and solution_reference_field() is not None


def _people_scope(plan: BusinessPlan) -> Q:
    if plan.solution_id is None:
        return Q(partner_id=plan.partner_id)
    return Q(partner_id__in=list(plan.team_partner_ids))


# --- the figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """Figures of one plan from its start up to ``cut`` (a day in the period)."""

    key: str
    plan: BusinessPlan
    cut: datetime.date


def _figures(*, tenant: Tenant, checkpoints: Sequence[Checkpoint], metrics: set[str], today: datetime.date) -> dict:
    """{checkpoint key: {metric: Decimal}} for the platform-computed metrics asked for. At most two queries."""
    result: dict[str, dict[str, Decimal]] = {c.key: {} for c in checkpoints}
    if not checkpoints:
        return result
    # Aggregates over every partner of the plan's team, whoever asks: the figures are the plan's,
    # shared by both sides; no registration or certification row leaves the database.
    with across_partners(reason="business plans: aggregate the plan team's deals and certifications, no rows returned"):
        if metrics & set(REGISTRATION_METRICS):
            aggregates = {}
            for c in checkpoints:
                scope = registration_scope(c.plan)
                submitted = Q(
                    submitted_at__gte=_day_start(c.plan.period_start),
                    submitted_at__lt=_day_start(c.cut + datetime.timedelta(days=1)),
                )
                aggregates[f"won_{c.key}"] = Sum(
                    "closed_amount",
                    filter=scope & Q(stage=DealStage.CLOSED_WON, closed_on__gte=c.plan.period_start, closed_on__lte=c.cut),
                    default=Decimal(0),
                )
                aggregates[f"pipe_{c.key}"] = Sum(
                    "value", filter=scope & submitted & ~Q(status__in=NOT_PIPELINE), default=Decimal(0)
                )
                aggregates[f"regs_{c.key}"] = Count("id", filter=scope & submitted)
            row = DealRegistration.objects.filter(tenant=tenant).aggregate(**aggregates)
            for c in checkpoints:
                result[c.key][GoalMetric.CLOSED_WON_REVENUE] = Decimal(row[f"won_{c.key}"]).quantize(CENT)
                result[c.key][GoalMetric.SOURCED_PIPELINE] = Decimal(row[f"pipe_{c.key}"]).quantize(CENT)
                result[c.key][GoalMetric.REGISTRATIONS] = Decimal(row[f"regs_{c.key}"]).quantize(CENT)
        if metrics & set(CERTIFICATION_METRICS):
            aggregates = {}
            for c in checkpoints:
                day = min(c.cut, today)
                after = _day_start(day + datetime.timedelta(days=1))
                valid = Q(issued_at__lt=after, expires_on__gte=day) & (Q(revoked_at__isnull=True) | Q(revoked_at__gte=after))
                aggregates[f"cert_{c.key}"] = Count("user_id", distinct=True, filter=_people_scope(c.plan) & valid)
            row = Certification.objects.filter(tenant=tenant).aggregate(**aggregates)
            for c in checkpoints:
                result[c.key][GoalMetric.CERTIFIED_PEOPLE] = Decimal(row[f"cert_{c.key}"]).quantize(CENT)
    return result


@dataclass
class GoalFigure:
    """One goal with its actual, where the actual came from, and its pace."""

    goal_id: uuid.UUID
    metric: str
    metric_label: str
    unit: str  # money, count or percent
    target: Decimal
    actual: Decimal | None
    source: str  # platform or vendor
    source_label: str
    expected: Decimal
    pace: str
    pace_label: str
    percent_of_target: Decimal | None
    manual_actual: Decimal | None = None


def _unit(metric: str) -> str:
    if metric in MONEY_METRICS:
        return "money"
    if metric == GoalMetric.CUSTOMER_RETENTION:
        return "percent"
    return "count"


def pace_of(*, actual: Decimal | None, expected: Decimal) -> str:
    """Ahead, on pace or behind, with ``PACE_TOLERANCE`` either side of the expected figure."""
    if actual is None:
        return Pace.NO_FIGURE
    if expected <= 0:
        return Pace.NOT_STARTED
    if actual >= expected * (1 + PACE_TOLERANCE):
        return Pace.AHEAD
    if actual < expected * (1 - PACE_TOLERANCE):
        return Pace.BEHIND
    return Pace.ON_PACE


def expected_to_date(*, metric: str, target: Decimal, fraction: Decimal) -> Decimal:
    if metric in RATE_METRICS:
        return target if fraction > 0 else Decimal(0)
    return (target * fraction).quantize(CENT)


def goal_figure(*, goal: PlanGoal, computed: dict[str, Decimal], fraction: Decimal) -> GoalFigure:
    manual = goal.metric in MANUAL_METRICS
    actual = goal.manual_actual if manual else computed.get(goal.metric)
    expected = expected_to_date(metric=goal.metric, target=goal.target, fraction=fraction)
    pace = pace_of(actual=actual, expected=expected)
    source = SOURCE_VENDOR if manual else SOURCE_PLATFORM
    return GoalFigure(
        goal_id=goal.public_id,
        metric=goal.metric,
        metric_label=str(GoalMetric(goal.metric).label),
        unit=_unit(goal.metric),
        target=goal.target,
        actual=actual,
        source=source,
        source_label=SOURCE_LABELS[source],
        expected=expected,
        pace=pace,
        pace_label=Pace.LABELS[pace],
        percent_of_target=(actual / goal.target * 100).quantize(Decimal("0.1")) if actual is not None and goal.target else None,
        manual_actual=goal.manual_actual,
    )


def plans_figures(
    *, tenant: Tenant, plans: Iterable[BusinessPlan], today: datetime.date | None = None
) -> dict[int, list[GoalFigure]]:
    """{plan pk: its goals' figures} for every plan given, in two queries whatever their number.

    The plans' goals must be prefetched (``prefetch_related("goals")``), as the plan selectors do.
    """
    today = today or timezone.localdate()
    plans = list(plans)
    metrics = {goal.metric for plan in plans for goal in plan.goals.all()}
    checkpoints = [Checkpoint(key=str(plan.pk), plan=plan, cut=min(plan.period_end, today)) for plan in plans if plan.goals.all()]
    computed = _figures(tenant=tenant, checkpoints=checkpoints, metrics=metrics, today=today)
    result = {}
    for plan in plans:
        fraction = elapsed_fraction(start=plan.period_start, end=plan.period_end, on=today)
        result[plan.pk] = [
            goal_figure(goal=goal, computed=computed.get(str(plan.pk), {}), fraction=fraction) for goal in plan.goals.all()
        ]
    return result


def plan_figures(*, tenant: Tenant, plan: BusinessPlan, today: datetime.date | None = None) -> list[GoalFigure]:
    return plans_figures(tenant=tenant, plans=[plan], today=today)[plan.pk]


@dataclass
class GoalSeries:
    goal_id: str
    metric: str
    label: str
    unit: str
    source: str
    target: float
    actual: list[float | None] = field(default_factory=list)  # cumulative at each month's end, None in the future
    expected: list[float] = field(default_factory=list)  # the linear target at each month's end


def plan_series(*, tenant: Tenant, plan: BusinessPlan, today: datetime.date | None = None) -> dict:
    """Month by month over the period: each goal's cumulative actual against its linear target (for the chart).

    Months that have not begun have no actual; the current month's actual is to date. Figures the
    vendor enters have no history: their one point is the current month's.
    """
    today = today or timezone.localdate()
    goals = list(plan.goals.all())
    ends = month_ends(start=plan.period_start, end=plan.period_end)
    started = [end for end in ends if _month_start(end) <= today]
    checkpoints = [Checkpoint(key=end.isoformat(), plan=plan, cut=min(end, today)) for end in started]
    computed = _figures(
        tenant=tenant, checkpoints=checkpoints, metrics={g.metric for g in goals if g.metric not in MANUAL_METRICS}, today=today
    )
    series = []
    for goal in goals:
        line = GoalSeries(
            goal_id=str(goal.public_id),
            metric=goal.metric,
            label=str(GoalMetric(goal.metric).label),
            unit=_unit(goal.metric),
            source=SOURCE_VENDOR if goal.metric in MANUAL_METRICS else SOURCE_PLATFORM,
            target=float(goal.target),
        )
        for end in ends:
            fraction = elapsed_fraction(start=plan.period_start, end=plan.period_end, on=end)
            line.expected.append(float(expected_to_date(metric=goal.metric, target=goal.target, fraction=fraction)))
            if end not in started:
                line.actual.append(None)
            elif goal.metric in MANUAL_METRICS:
                latest = end == started[-1] and goal.manual_actual is not None
                line.actual.append(float(goal.manual_actual) if latest else None)
            else:
                line.actual.append(float(computed[end.isoformat()][goal.metric]))
        series.append(line.__dict__)
    return {"months": [end.strftime("%Y-%m") for end in ends], "goals": series}


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def review_figures(*, tenant: Tenant, plan: BusinessPlan, today: datetime.date | None = None) -> dict:
    """The goals' figures now, as plain JSON for a review's ``figures`` snapshot."""
    return {
        "as_of": (today or timezone.localdate()).isoformat(),
        "goals": [
            {
                "metric": f.metric,
                "label": f.metric_label,
                "target": str(f.target),
                "actual": None if f.actual is None else str(f.actual),
                "source": f.source,
                "expected": str(f.expected),
                "pace": f.pace,
            }
            for f in plan_figures(tenant=tenant, plan=plan, today=today)
        ],
    }
