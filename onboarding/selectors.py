"""Reads of applications and onboarding progress."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, Value, When
from django.utils import timezone

from ecosystem.errors import NotFoundError
from ecosystem.tenancy.models import Tenant

from .models import ApplicationStatus, OnboardingPlan, OnboardingStep, PartnerApplication, PlanStatus, StepStatus


def application_queue(*, tenant: Tenant, status: str | None = ApplicationStatus.SUBMITTED, by_fit: bool = False) -> QuerySet:
    """Applications (of ``status``; None: all), newest first or best partner fit first, each with its fit
    score and reasons joined (``fit``; missing until scored), so a page of them is one query."""
    queryset = PartnerApplication.objects.filter(tenant=tenant).select_related("partner", "fit")
    if by_fit:
        queryset = queryset.order_by(F("fit_score").desc(nulls_last=True), "-submitted_at", "-id")
    return queryset.filter(status=status) if status else queryset


def access_application(*, tenant: Tenant, public_id: uuid.UUID) -> PartnerApplication:
    try:
        return PartnerApplication.objects.select_related("partner", "fit").get(tenant=tenant, public_id=public_id)
    except PartnerApplication.DoesNotExist:
        raise NotFoundError() from None


def access_step(*, tenant: Tenant, public_id: uuid.UUID, partner_id: int | None) -> OnboardingStep:
    """A step of an onboarding plan; partner users (``partner_id``) reach only their own."""
    queryset = OnboardingStep.objects.filter(tenant=tenant).select_related("plan", "agreement", "partner")
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    try:
        return queryset.get(public_id=public_id)
    except OnboardingStep.DoesNotExist:
        raise NotFoundError() from None


def current_plan(*, tenant: Tenant, partner_id: int) -> OnboardingPlan | None:
    """The partner's open plan, else its latest one."""
    # Open first by name, not by the alphabet: "completed" sorts before "in_progress".
    open_first = Case(When(status=PlanStatus.IN_PROGRESS, then=Value(0)), default=Value(1))
    plans = OnboardingPlan.objects.filter(tenant=tenant, partner_id=partner_id).order_by(open_first, "-created_at")
    return plans.prefetch_related("steps__agreement").first()


@dataclass(frozen=True)
class PlanProgress:
    plan: OnboardingPlan
    done: int
    total: int
    overdue: int
    waiting_for_us: int
    oldest_due: date | None
    last_activity: object

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def days_in_onboarding(self) -> int:
        """Whole days since the plan started (the partner's approval)."""
        return (timezone.now() - self.plan.created_at).days


def onboarding_progress(*, tenant: Tenant) -> list[PlanProgress]:
    """Every open plan with its counts, most overdue first: who is stuck. Two queries."""
    today = timezone.localdate()
    plans = (
        OnboardingPlan.objects.filter(tenant=tenant, status=PlanStatus.IN_PROGRESS)
        .select_related("partner")
        .annotate(
            done=Count("steps", filter=Q(steps__status=StepStatus.DONE)),
            total=Count("steps"),
            # Overdue is the partner's: steps waiting for the vendor's review are not counted.
            overdue=Count(
                "steps",
                filter=Q(steps__due_on__lt=today) & ~Q(steps__status__in=[StepStatus.DONE, StepStatus.WAITING_FOR_REVIEW]),
            ),
            waiting=Count("steps", filter=Q(steps__status=StepStatus.WAITING_FOR_REVIEW)),
            oldest_due=Min("steps__due_on", filter=~Q(steps__status=StepStatus.DONE)),
            last_activity=Max("steps__completed_at"),
        )
        .order_by("-overdue", "oldest_due", "partner__name")
    )
    return [
        PlanProgress(
            plan=p,
            done=p.done,
            total=p.total,
            overdue=p.overdue,
            waiting_for_us=p.waiting,
            oldest_due=p.oldest_due,
            last_activity=p.last_activity or p.created_at,
        )
        for p in plans
    ]


def steps_waiting_for_review(*, tenant: Tenant) -> QuerySet:
    return (
        OnboardingStep.objects.filter(tenant=tenant, status=StepStatus.WAITING_FOR_REVIEW)
        .select_related("partner")
        .prefetch_related("evidence")
    )


@dataclass(frozen=True)
class Onboarded:
    plan: OnboardingPlan
    days: float  # from the plan's start (approval) to its last step done


def recently_onboarded(*, tenant: Tenant, limit: int = 10) -> list[Onboarded]:
    """The partners who finished onboarding last, newest first, with how many days it took them. One query."""
    plans = (
        OnboardingPlan.objects.filter(tenant=tenant, status=PlanStatus.COMPLETED, completed_at__isnull=False)
        .select_related("partner")
        .order_by("-completed_at", "-id")[:limit]
    )
    return [Onboarded(plan=plan, days=round((plan.completed_at - plan.created_at).total_seconds() / 86400, 1)) for plan in plans]


@dataclass(frozen=True)
class TimeToValue:
    median_days_to_onboarded: float | None
    partners_onboarded: int
    median_days_to_first_registration: float | None  # plan start → first registration submitted


def time_to_value(*, tenant: Tenant) -> TimeToValue:
    """Median days from the start of onboarding (approval) to a completed plan, over completed plans."""
    import statistics

    durations = [
        (completed - created).total_seconds() / 86400
        for created, completed in OnboardingPlan.objects.filter(
            tenant=tenant, status=PlanStatus.COMPLETED, completed_at__isnull=False
        ).values_list("created_at", "completed_at")
    ]
    return TimeToValue(
        median_days_to_onboarded=round(statistics.median(durations), 1) if durations else None,
        partners_onboarded=len(durations),
        median_days_to_first_registration=_median_days_to_first_registration(tenant=tenant),
    )


def _median_days_to_first_registration(*, tenant: Tenant) -> float | None:
    """Median days from the start of a partner's (first) onboarding plan to its first deal registration.

    Two grouped queries, whatever the number of partners; partners with both count. A registration
    before the plan started (a partner onboarded by hand later) counts as 0 days.
    """
    import statistics

    from django.db.models import Min

    from deals.models import DealRegistration  # read-only: the deals app's registrations, for the figure

    starts = dict(
        OnboardingPlan.objects.filter(tenant=tenant)
        .order_by()
        .values("partner_id")
        .annotate(start=Min("created_at"))
        .values_list("partner_id", "start")
    )
    firsts = (
        DealRegistration.objects.filter(tenant=tenant, partner_id__in=list(starts))
        .order_by()
        .values("partner_id")
        .annotate(first=Min("submitted_at"))
        .values_list("partner_id", "first")
    )
    durations = [max((first - starts[partner_id]).total_seconds() / 86400, 0.0) for partner_id, first in firsts]
    return round(statistics.median(durations), 1) if durations else None
