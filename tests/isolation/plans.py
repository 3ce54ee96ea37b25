"""Isolation matrix rows for the business plan routes, and the tenant A objects they probe.

Partner 1's plan (with a goal, an initiative and a review) is partner 1's: partner 2's users must get
404 for every id of it and find none of them in their own lists.
"""

from __future__ import annotations

import datetime

from tests.isolation.routes import Route, no_ids


def _plan(o: dict) -> dict:
    return {"plan_id": o["business_plan"]}


def _api_plan(o: dict) -> dict:
    return {"public_id": o["business_plan"]}


ROUTES: dict[str, Route] = {
    # vendor portal
    "plans:list": Route(no_ids, ("GET",)),
    "plans:export": Route(no_ids, ("GET",)),
    "plans:create": Route(no_ids, ("GET", "POST")),
    "plans:detail": Route(_plan, ("GET",), partner_owned=True),
    "plans:edit": Route(_plan, ("GET", "POST"), partner_owned=True),
    "plans:close": Route(_plan, ("POST",), partner_owned=True),
    "plans:status": Route(_plan, ("POST",), partner_owned=True),
    "plans:goal_add": Route(_plan, ("POST",), partner_owned=True),
    "plans:goal": Route(lambda o: {**_plan(o), "goal_id": o["plan_goal"]}, ("GET", "POST"), partner_owned=True),
    "plans:goal_remove": Route(lambda o: {**_plan(o), "goal_id": o["plan_goal"]}, ("POST",), partner_owned=True),
    "plans:initiative_add": Route(_plan, ("POST",), partner_owned=True),
    "plans:initiative": Route(lambda o: {**_plan(o), "initiative_id": o["plan_initiative"]}, ("GET", "POST"), partner_owned=True),
    "plans:initiative_remove": Route(
        lambda o: {**_plan(o), "initiative_id": o["plan_initiative"]}, ("POST",), partner_owned=True
    ),
    "plans:review_add": Route(_plan, ("POST",), partner_owned=True),
    # partner portal
    "partner_plans:list": Route(no_ids, ("GET",)),
    "partner_plans:detail": Route(_plan, ("GET",), partner_owned=True),
    "partner_plans:status": Route(_plan, ("POST",), partner_owned=True),
    "partner_plans:initiative_add": Route(_plan, ("POST",), partner_owned=True),
    "partner_plans:initiative": Route(
        lambda o: {**_plan(o), "initiative_id": o["plan_initiative"]}, ("GET", "POST"), partner_owned=True
    ),
    # API, staff
    "api:business-plan-list": Route(no_ids, ("GET", "POST")),
    "api:business-plan-detail": Route(_api_plan, ("GET", "PATCH"), partner_owned=True),
    "api:business-plan-close": Route(_api_plan, ("POST",), partner_owned=True),
    "api:business-plan-status": Route(_api_plan, ("POST",), partner_owned=True),
    "api:business-plan-goals": Route(_api_plan, ("POST",), partner_owned=True),
    "api:business-plan-goal": Route(
        lambda o: {**_api_plan(o), "goal_id": o["plan_goal"]}, ("PATCH", "DELETE"), partner_owned=True
    ),
    "api:business-plan-initiatives": Route(_api_plan, ("POST",), partner_owned=True),
    "api:business-plan-initiative": Route(
        lambda o: {**_api_plan(o), "initiative_id": o["plan_initiative"]}, ("PATCH", "DELETE"), partner_owned=True
    ),
    "api:business-plan-reviews": Route(_api_plan, ("POST",), partner_owned=True),
    # API, partner users
    "api:my-business-plan-list": Route(no_ids, ("GET",), own=True),
    "api:my-business-plan-detail": Route(_api_plan, ("GET",), partner_owned=True),
    "api:my-business-plan-status": Route(_api_plan, ("POST",), partner_owned=True),
    "api:my-business-plan-initiatives": Route(_api_plan, ("POST",), partner_owned=True),
    "api:my-business-plan-initiative": Route(
        lambda o: {**_api_plan(o), "initiative_id": o["plan_initiative"]}, ("PATCH",), partner_owned=True
    ),
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope, before partner 1's onboarding plan).

    Return the ids the rows need, plus partner1_ids: the ids partner 2's users must never see.
    """
    from partners.plans import services

    today = datetime.date.today()
    plan = services.plan_create(
        tenant=a.tenant,
        actor=a.owner,
        title="Probe plan",
        period_start=today.replace(day=1),
        period_end=today.replace(day=1) + datetime.timedelta(days=89),
        partner=a.partner1,
    )
    goal = services.goal_add(tenant=a.tenant, actor=a.owner, plan=plan, metric="registrations", target="10")
    initiative = services.initiative_create(
        tenant=a.tenant, actor=a.owner, plan=plan, partner_id=None, values={"title": "Probe initiative"}
    )
    review = services.review_record(
        tenant=a.tenant, actor=a.owner, plan=plan, quarter="2026-Q1", held_on=today, summary="Probe review"
    )
    return {
        "business_plan": plan.public_id,
        "plan_goal": goal.public_id,
        "plan_initiative": initiative.public_id,
        "partner1_ids": {str(plan.public_id), str(goal.public_id), str(initiative.public_id), str(review.public_id)},
    }
