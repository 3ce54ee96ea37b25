"""Reading business plans: the lists (with their filters), the access checks, and the people the forms offer.

The figures (actuals, pace, the monthly series) are in :mod:`partners.plans.figures`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.errors import NotFoundError
from ecosystem.tenancy.models import Tenant

from .figures import parse_quarter
from .models import BusinessPlan, PlanGoal, PlanHealth, PlanInitiative, PlanReview, PlanState

# --- lists and access ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFilters:
    partner_id: int | None = None  # the partner's own plans and the solution plans it is in
    period: str = ""  # "current", "past", "upcoming" or a quarter like 2026-Q3
    health: str = ""
    state: str = ""


PERIODS = ("current", "upcoming", "past")


def filter_plans(queryset: QuerySet, filters: PlanFilters, today: datetime.date) -> QuerySet:
    if filters.partner_id is not None:
        queryset = queryset.filter(team_partner_ids__contains=[filters.partner_id])
    if filters.health in PlanHealth.values:
        queryset = queryset.filter(health=filters.health)
    if filters.state in PlanState.values:
        queryset = queryset.filter(state=filters.state)
    if filters.period == "current":
        queryset = queryset.filter(period_start__lte=today, period_end__gte=today)
    elif filters.period == "upcoming":
        queryset = queryset.filter(period_start__gt=today)
    elif filters.period == "past":
        queryset = queryset.filter(period_end__lt=today)
    elif filters.period:
        bounds = parse_quarter(filters.period)
        if bounds is not None:  # plans that overlap the quarter
            queryset = queryset.filter(period_start__lte=bounds[1], period_end__gte=bounds[0])
    return queryset


def plans_for_staff(*, tenant: Tenant, filters: PlanFilters | None = None, today: datetime.date | None = None) -> QuerySet:
    queryset = BusinessPlan.objects.filter(tenant=tenant).select_related("partner", "solution", "vendor_owner")
    return filter_plans(queryset, filters or PlanFilters(), today or timezone.localdate()).prefetch_related("goals")


def plans_for_partner(
    *, tenant: Tenant, partner_id: int, filters: PlanFilters | None = None, today: datetime.date | None = None
) -> QuerySet:
    """The partner's own plans and the solution plans it is on the team of (row-level security agrees)."""
    filters = filters or PlanFilters()
    queryset = BusinessPlan.objects.filter(tenant=tenant, team_partner_ids__contains=[partner_id]).select_related(
        "partner", "solution", "vendor_owner"
    )
    return filter_plans(
        queryset, PlanFilters(period=filters.period, health=filters.health, state=filters.state), today or timezone.localdate()
    ).prefetch_related("goals")


def access_plan(*, tenant: Tenant, public_id, partner_id: int | None = None) -> BusinessPlan:
    """The plan, for staff (``partner_id`` None) or a partner on its team; missing and not-yours alike are 404."""
    queryset = BusinessPlan.objects.filter(tenant=tenant).select_related(
        "partner", "solution", "vendor_owner", "partner_owner", "status_updated_by", "created_by"
    )
    if partner_id is not None:
        queryset = queryset.filter(team_partner_ids__contains=[partner_id])
    try:
        plan = queryset.filter(public_id=public_id).first()
    except (ValueError, TypeError):
        plan = None
    if plan is None:
        raise NotFoundError()
    return plan


def access_goal(*, plan: BusinessPlan, public_id) -> PlanGoal:
    try:
        goal = PlanGoal.objects.filter(tenant_id=plan.tenant_id, plan=plan, public_id=public_id).first()
    except (ValueError, TypeError):
        goal = None
    if goal is None:
        raise NotFoundError()
    return goal


def access_initiative(*, plan: BusinessPlan, public_id) -> PlanInitiative:
    try:
        initiative = PlanInitiative.objects.filter(tenant_id=plan.tenant_id, plan=plan, public_id=public_id).first()
    except (ValueError, TypeError):
        initiative = None
    if initiative is None:
        raise NotFoundError()
    return initiative


def access_review(*, plan: BusinessPlan, public_id) -> PlanReview:
    try:
        review = PlanReview.objects.filter(tenant_id=plan.tenant_id, plan=plan, public_id=public_id).first()
    except (ValueError, TypeError):
        review = None
    if review is None:
        raise NotFoundError()
    return review


def plan_initiatives(*, plan: BusinessPlan) -> QuerySet:
    return PlanInitiative.objects.filter(tenant_id=plan.tenant_id, plan=plan).select_related("vendor_owner", "partner_owner")


def plan_reviews(*, plan: BusinessPlan) -> QuerySet:
    return PlanReview.objects.filter(tenant_id=plan.tenant_id, plan=plan).select_related("recorded_by")


def plan_subject(plan: BusinessPlan) -> str:
    """Who the plan is with, as people say it: the partner's name, or the solution's."""
    if plan.solution_id is not None:
        return _("Solution: %(name)s") % {"name": getattr(plan.solution, "name", "")}
    return getattr(plan.partner, "name", "") if plan.partner_id else ""


# --- people the forms offer ------------------------------------------------------------------------


def staff_choices(*, tenant: Tenant) -> list[tuple[str, str]]:
    """The vendor's active staff, for the vendor owner fields: (user public id, name)."""
    from ecosystem.accounts.models import STAFF_ROLES, Membership

    members = Membership.objects.filter(tenant=tenant, is_active=True, role__in=STAFF_ROLES).select_related("user")
    return sorted(((str(m.user.public_id), str(m.user)) for m in members), key=lambda c: c[1].lower())


def partner_people_choices(*, tenant: Tenant, partner_ids: Iterable[int]) -> list[tuple[str, str]]:
    """Active users of these partners, for the partner owner fields. A partner user's scope shows only its own."""
    from ecosystem.accounts.models import PARTNER_ROLES, Membership

    members = Membership.objects.filter(
        tenant=tenant, is_active=True, role__in=PARTNER_ROLES, partner_id__in=list(partner_ids)
    ).select_related("user", "partner")
    return sorted(((str(m.user.public_id), f"{m.user} ({m.partner.name})") for m in members), key=lambda c: c[1].lower())


def user_by_public_id(public_id) -> object | None:
    """The person a form or a request names (the services check their membership)."""
    from ecosystem.accounts.models import User

    if not public_id:
        return None
    try:
        return User.objects.filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None
