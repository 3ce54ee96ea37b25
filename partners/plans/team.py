"""Who a plan is with: the team of partner organisations whose users read and edit it (``team_partner_ids``).

A partner plan's team is its partner. A solution plan's team is the partners with a confirmed (accepted)
component in the solution; when the solution's partners change, the solutions app calls
:func:`plans_team_sync_for_solution` so every open plan of it (and every goal, initiative and review row)
follows.
"""

from __future__ import annotations

from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.solutions.models import ComponentStatus, JointSolution, SolutionComponent

from .models import BusinessPlan, PlanGoal, PlanInitiative, PlanReview, PlanState


def solution_team(*, tenant: Tenant, solution_id: int) -> list[int]:
    """The partners of a solution: those with a confirmed (accepted) component, in id order."""
    with across_partners(reason="business plans: the partners of a solution make a solution plan's team"):
        return sorted(
            set(
                SolutionComponent.objects.filter(
                    tenant=tenant, solution_id=solution_id, status=ComponentStatus.ACCEPTED
                ).values_list("partner_id", flat=True)
            )
        )


def _team_of(*, tenant: Tenant, plan: BusinessPlan) -> list[int]:
    if plan.solution_id is not None:
        return solution_team(tenant=tenant, solution_id=plan.solution_id)
    return [plan.partner_id]


def plan_team_sync(*, tenant: Tenant, plan: BusinessPlan) -> list[int]:
    """Bring the plan's team (and every child row's) in line with the solution's partners; returns it.

    A solution whose last partner left keeps the plan's old team: an empty array would hide the
    rows from every partner and say nothing, so the vendor sees the plan and decides.
    """
    team = _team_of(tenant=tenant, plan=plan)
    if not team or team == list(plan.team_partner_ids):
        return list(plan.team_partner_ids)
    with across_partners(reason="business plans: rewrite the team arrays of the plan and its rows"):
        BusinessPlan.objects.filter(tenant=tenant, pk=plan.pk).update(team_partner_ids=team)
        for model in (PlanGoal, PlanInitiative, PlanReview):
            model.objects.filter(tenant=tenant, plan_id=plan.pk).update(team_partner_ids=team)
    plan.team_partner_ids = team
    return team


def plans_team_sync_for_solution(*, tenant: Tenant, solution: JointSolution) -> int:
    """For the solutions app: a component was accepted or removed; resync that solution's open plans."""
    plans = list(BusinessPlan.objects.filter(tenant=tenant, solution=solution).exclude(state=PlanState.CLOSED))
    for plan in plans:
        plan_team_sync(tenant=tenant, plan=plan)
    return len(plans)
