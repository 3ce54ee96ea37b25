"""The demo plan: Northwind's plan for the current quarter, with goals on every metric and initiatives; seeding twice changes nothing.

Run on the test world's tenant with partner 1 standing in for Northwind (the whole ``seed_demo`` runs in
the browser journey, tests/browser/test_plans_journey.py).
"""

from __future__ import annotations

from django.utils import timezone

from ecosystem.tenancy.context import tenant_context
from partners.plans import demo
from partners.plans.figures import quarter_bounds
from partners.plans.models import BusinessPlan, GoalMetric, PlanGoal, PlanInitiative


def test_the_demo_has_a_plan_for_this_quarter_and_is_idempotent(world):
    a = world.a
    partners = {"northwind.example": a.partner1}
    with tenant_context(a.tenant.pk):
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        plan = BusinessPlan.objects.get()
        assert (plan.partner_id, plan.period_start) == (a.partner1.pk, quarter_bounds(timezone.localdate())[0])
        assert set(PlanGoal.objects.values_list("metric", flat=True)) == set(GoalMetric.values)
        assert PlanInitiative.objects.count() == 3
        assert plan.health == "at_risk"
