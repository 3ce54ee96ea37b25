"""Partner-sourced pipeline: open registrations by stage, won and lost in a period, and velocity.

Definitions (shown on the page and in docs/partner-manager.md "Pipeline"):

* **Open pipeline** — registrations approved or waiting for a decision (pending, under review,
  more information requested), by their current stage: count and total estimated value. Totals are
  in the program's currency; registrations in another currency are totalled separately per
  currency and never converted.
* **Won / lost** — registrations closed won or lost with a closing date in the period: count and
  total (the closed amount, else the estimated value), per currency.
* **Velocity** — the average days a registration spent in each stage, over stays that *ended* in
  the period. A stay begins at submission (the first stage) or at the stage change that entered
  it, and ends at the stage change (decision "stage") or the close (won/lost) that left it; the
  stage is the one the history names. Stays still running are not counted.

One query per figure group, whatever the number of registrations.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ecosystem.tenancy.models import Tenant

from .models import (
    OPEN_FOR_DECISION,
    OPEN_STAGES,
    DealRegistration,
    DealStage,
    DecisionAction,
    RegistrationDecision,
    RegistrationStatus,
)

PIPELINE_STATUSES = (RegistrationStatus.APPROVED, *OPEN_FOR_DECISION)
_STAGE_CHANGE = re.compile(r"([a-z_]+) → ([a-z_]+)\s*$")
DEFAULT_PERIOD_DAYS = 90


@dataclass(frozen=True)
class PipelineFilters:
    start: datetime.date
    end: datetime.date
    partner_type: str = ""
    tier_id: int | None = None
    partner_id: int | None = None

    @classmethod
    def default(cls, *, today: datetime.date | None = None, **values: Any) -> PipelineFilters:
        end = today or timezone.localdate()
        return cls(start=end - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1), end=end, **values)


@dataclass
class StageRow:
    stage: str
    label: str
    count: int = 0
    total: Decimal = Decimal(0)
    avg_days: float | None = None  # velocity
    stays: int = 0


@dataclass
class PipelineFigures:
    currency: str
    filters: PipelineFilters
    stages: list[StageRow]
    other_currencies: list[dict[str, Any]]  # open pipeline not in the program currency: {stage, currency, count, total}
    closed: list[dict[str, Any]]  # {status, currency, count, total}
    open_count: int = 0
    open_total: Decimal = Decimal(0)
    won_count: int = 0
    won_total: Decimal = Decimal(0)
    lost_count: int = 0
    closed_other: list[dict[str, Any]] = field(default_factory=list)

    @property
    def win_rate(self) -> float | None:
        decided = self.won_count + self.lost_count
        return round(100 * self.won_count / decided, 1) if decided else None


def _registrations(*, tenant: Tenant, filters: PipelineFilters) -> QuerySet[DealRegistration]:
    queryset = DealRegistration.objects.filter(tenant=tenant)
    if filters.partner_id is not None:
        queryset = queryset.filter(partner_id=filters.partner_id)
    if filters.partner_type:
        queryset = queryset.filter(partner__partner_type=filters.partner_type)
    if filters.tier_id is not None:
        queryset = queryset.filter(partner__tier_id=filters.tier_id)
    return queryset


def pipeline_figures(*, tenant: Tenant, filters: PipelineFilters, currency: str) -> PipelineFigures:
    """Every figure of the pipeline page: three queries (open by stage, closed in the period, stage history)."""
    registrations = _registrations(tenant=tenant, filters=filters)
    stages = {s: StageRow(stage=s, label=str(DealStage(s).label)) for s in OPEN_STAGES}
    other: list[dict[str, Any]] = []
    # 1. open pipeline by stage and currency
    for row in (
        registrations.filter(status__in=PIPELINE_STATUSES, stage__in=OPEN_STAGES)
        .values("stage", "currency")
        .annotate(n=Count("id"), total=Sum("value"))
        .order_by("stage", "currency")
    ):
        if row["currency"] == currency:
            stages[row["stage"]].count += row["n"]
            stages[row["stage"]].total += row["total"] or 0
        else:
            other.append({"stage": row["stage"], "currency": row["currency"], "count": row["n"], "total": row["total"]})
    # 2. won and lost in the period
    closed = list(
        registrations.filter(
            status__in=(RegistrationStatus.WON, RegistrationStatus.LOST), closed_on__gte=filters.start, closed_on__lte=filters.end
        )
        .values("status", "currency")
        .annotate(n=Count("id"), total=Sum(Coalesce("closed_amount", "value")))
        .order_by("status", "currency")
    )
    figures = PipelineFigures(
        currency=currency,
        filters=filters,
        stages=list(stages.values()),
        other_currencies=other,
        closed=[{"status": r["status"], "currency": r["currency"], "count": r["n"], "total": r["total"]} for r in closed],
    )
    figures.open_count = sum(s.count for s in figures.stages)
    figures.open_total = sum((s.total for s in figures.stages), Decimal(0))
    for r in closed:
        if r["status"] == RegistrationStatus.WON:
            figures.won_count += r["n"]
            if r["currency"] == currency:
                figures.won_total += r["total"] or 0
        else:
            figures.lost_count += r["n"]
    figures.closed_other = [c for c in figures.closed if c["currency"] != currency]
    # 3. velocity
    for stage, (days, stays) in stage_velocity(tenant=tenant, registrations=registrations, filters=filters).items():
        if stage in stages:
            stages[stage].avg_days = round(days / stays, 1)
            stages[stage].stays = stays
    return figures


def stage_velocity(
    *, tenant: Tenant, registrations: QuerySet[DealRegistration], filters: PipelineFilters
) -> dict[str, tuple[float, int]]:
    """stage -> (total days of the stays that ended in the period, number of those stays). One query.

    Reads the stage changes (decision "stage", whose reason reads "Stage: <from> → <to>") and the
    closes (won, lost) of the filtered registrations, in order, with each registration's submission.
    """
    start = datetime.datetime.combine(filters.start, datetime.time.min, tzinfo=datetime.UTC)
    end = datetime.datetime.combine(filters.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    rows = (
        RegistrationDecision.objects.filter(
            tenant=tenant,
            registration__in=registrations.filter(submitted_at__lt=end),
            action__in=(DecisionAction.STAGE, DecisionAction.WON, DecisionAction.LOST),
            decided_at__lt=end,
        )
        .order_by("registration_id", "decided_at", "id")
        .values_list("registration_id", "registration__submitted_at", "action", "reason", "decided_at")
    )
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    current: int | None = None
    entered_at = None
    stage: str | None = None
    for registration_id, submitted_at, action, reason, decided_at in rows:
        if registration_id != current:
            current, entered_at, stage = registration_id, submitted_at, None
        match = _STAGE_CHANGE.search(reason or "") if action == DecisionAction.STAGE else None
        left = match.group(1) if match else stage  # a close leaves the stage the last change entered
        if left and decided_at >= start:
            totals[left][0] += (decided_at - entered_at).total_seconds() / 86400
            totals[left][1] += 1
        entered_at = decided_at
        stage = match.group(2) if match else None
    return {s: (days, int(n)) for s, (days, n) in totals.items()}


def pipeline_csv_rows(figures: PipelineFigures) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for s in figures.stages:
        rows.append(["open", s.stage, figures.currency, s.count, s.total, s.avg_days if s.avg_days is not None else ""])
    for o in figures.other_currencies:
        rows.append(["open", o["stage"], o["currency"], o["count"], o["total"], ""])
    for c in figures.closed:
        rows.append([c["status"], "", c["currency"], c["count"], c["total"], ""])
    return rows


PIPELINE_CSV_HEADER = ["figure", "stage", "currency", "count", "total", "avg_days_in_stage"]
