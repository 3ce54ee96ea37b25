"""Writing plans: who may change what, one goal per metric, completion, reviews with a snapshot, every change audited."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from partners.plans import services, team
from partners.plans.models import BusinessPlan, PlanGoal, PlanInitiative, PlanReview
from partners.solutions.models import JointSolution, SolutionComponent
from tests.factories import PartnerFactory

from .support import at, partner_person, plan_for, registration


def actions(world) -> list[str]:
    with tenant_context(world.a.tenant.pk):
        return list(AuditEntry.objects.filter(action__startswith="plans.").order_by("id").values_list("action", flat=True))


def test_a_plan_with_a_partner_is_for_that_partners_team_and_audited(world):
    plan = plan_for(world.a, goals={"registrations": "12"})

    with tenant_context(world.a.tenant.pk):
        goal = PlanGoal.objects.get(plan=plan)
    assert plan.team_partner_ids == [world.a.partner1.pk]
    assert (goal.partner_id, goal.team_partner_ids) == (world.a.partner1.pk, [world.a.partner1.pk])
    assert actions(world) == ["plans.plan_create", "plans.goal_add"]


def test_a_solution_plan_is_for_the_solutions_confirmed_partners(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        solution = JointSolution.objects.create(
            tenant=a.tenant, name="Secure cloud", team_partner_ids=[a.partner1.pk, a.partner2.pk]
        )
        third = PartnerFactory(tenant=a.tenant, name="Invited only", website_domain="invited.alpha.example")
        for partner, status in ((a.partner1, "accepted"), (a.partner2, "accepted"), (third, "invited")):
            SolutionComponent.objects.create(
                tenant=a.tenant,
                solution=solution,
                partner=partner,
                role="consulting",
                status=status,
                team_partner_ids=[partner.pk],
            )
        plan = services.plan_create(
            tenant=a.tenant,
            actor=a.owner,
            title="Secure cloud FY",
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 12, 31),
            solution=solution,
        )
    assert plan.partner_id is None
    assert plan.team_partner_ids == sorted([a.partner1.pk, a.partner2.pk])


def test_a_solution_nobody_confirmed_cannot_have_a_plan(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        solution = JointSolution.objects.create(tenant=a.tenant, name="Empty", team_partner_ids=[a.partner1.pk])
        with pytest.raises(ApplicationError) as error:
            services.plan_create(
                tenant=a.tenant,
                actor=a.owner,
                title="X",
                period_start=datetime.date(2026, 7, 1),
                period_end=datetime.date(2026, 9, 30),
                solution=solution,
            )
    assert error.value.code == "no_team"


def test_the_period_must_end_after_it_starts(world):
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        services.plan_create(
            tenant=world.a.tenant,
            actor=world.a.owner,
            title="X",
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 6, 1),
            partner=world.a.partner1,
        )
    assert error.value.field == "period_end"


def test_one_goal_per_metric(world):
    plan = plan_for(world.a, goals={"registrations": "12"})

    with tenant_context(world.a.tenant.pk), pytest.raises(ConflictError) as error:
        services.goal_add(tenant=world.a.tenant, actor=world.a.owner, plan=plan, metric="registrations", target="3")
    assert error.value.code == "goal_exists"


def test_a_computed_metric_takes_no_typed_actual(world):
    plan = plan_for(world.a, goals={"registrations": "12"})
    with tenant_context(world.a.tenant.pk):
        goal = PlanGoal.objects.get(plan=plan)
        with pytest.raises(ApplicationError) as error:
            services.goal_update(tenant=world.a.tenant, actor=world.a.owner, goal=goal, values={"manual_actual": "40"})
    assert error.value.code == "computed_metric"


def test_retention_is_a_percentage(world):
    plan = plan_for(world.a)
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        services.goal_add(tenant=world.a.tenant, actor=world.a.owner, plan=plan, metric="customer_retention", target="120")
    assert error.value.field == "target"


def test_both_sides_edit_the_status_and_who_when_is_kept(world):
    plan = plan_for(world.a)
    a = world.a
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        services.status_update(
            tenant=a.tenant, actor=a.partner1_admin, plan=plan, partner_id=a.partner1.pk, health="at_risk", note="Two reps left."
        )
    with tenant_context(a.tenant.pk):
        plan.refresh_from_db()
    assert (plan.health, plan.status_note, plan.status_updated_by) == ("at_risk", "Two reps left.", a.partner1_admin)
    assert plan.status_updated_at is not None
    assert actions(world)[-1] == "plans.status_update"


def test_a_partner_off_the_team_finds_no_plan_and_nothing_changes(world):
    plan = plan_for(world.a)
    a = world.a
    with tenant_context(a.tenant.pk, partner_id=a.partner2.pk), pytest.raises(NotFoundError):
        services.status_update(
            tenant=a.tenant, actor=a.partner2_admin, plan=plan, partner_id=a.partner2.pk, health="off_track", note=""
        )
    with tenant_context(a.tenant.pk):
        assert BusinessPlan.objects.get(pk=plan.pk).health == "on_track"


def test_a_partner_admin_adds_an_initiative_with_its_own_owner_but_not_the_vendors(world):
    plan = plan_for(world.a)
    a = world.a
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        initiative = services.initiative_create(
            tenant=a.tenant,
            actor=a.partner1_admin,
            plan=plan,
            partner_id=a.partner1.pk,
            values={"title": "Train five reps", "partner_owner": a.partner1_rep, "due_date": datetime.date(2026, 8, 31)},
        )
        with pytest.raises(ForbiddenError):
            services.initiative_update(
                tenant=a.tenant,
                actor=a.partner1_admin,
                initiative=initiative,
                partner_id=a.partner1.pk,
                values={"vendor_owner": a.manager},
            )
        with pytest.raises(ApplicationError) as error:
            services.initiative_update(
                tenant=a.tenant,
                actor=a.partner1_admin,
                initiative=initiative,
                partner_id=a.partner1.pk,
                values={"partner_owner": a.partner2_admin},
            )
    assert error.value.field == "partner_owner"
    assert (initiative.partner_id, initiative.partner_owner_id, initiative.team_partner_ids) == (
        a.partner1.pk,
        a.partner1_rep.pk,
        [a.partner1.pk],
    )


def test_done_sets_completed_at_and_reopening_clears_it(world):
    plan = plan_for(world.a)
    a = world.a
    with tenant_context(a.tenant.pk):
        initiative = services.initiative_create(
            tenant=a.tenant,
            actor=a.owner,
            plan=plan,
            partner_id=None,
            values={"title": "Joint webinar", "vendor_owner": a.manager},
        )
        done = services.initiative_update(
            tenant=a.tenant, actor=a.owner, initiative=initiative, partner_id=None, values={"status": "done"}
        )
        assert done.completed_at is not None
        reopened = services.initiative_update(
            tenant=a.tenant, actor=a.owner, initiative=initiative, partner_id=None, values={"status": "in_progress"}
        )
        assert reopened.completed_at is None


def test_the_vendor_owner_must_be_staff(world):
    plan = plan_for(world.a)
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        services.initiative_create(
            tenant=world.a.tenant,
            actor=world.a.owner,
            plan=plan,
            partner_id=None,
            values={"title": "X", "vendor_owner": world.a.partner1_admin},
        )
    assert error.value.field == "vendor_owner"


def test_a_review_keeps_the_figures_of_the_day_and_one_per_quarter(world):
    a = world.a
    registration(
        a.tenant,
        a.partner1,
        submitted=at(2026, 7, 2),
        value="1000",
        status="won",
        stage="closed_won",
        closed_amount="900",
        closed_on=datetime.date(2026, 7, 3),
    )
    plan = plan_for(a, goals={"closed_won_revenue": "10000"})
    with tenant_context(a.tenant.pk):
        review = services.review_record(
            tenant=a.tenant,
            actor=a.owner,
            plan=plan,
            quarter="2026-q3",
            held_on=datetime.date(2026, 9, 25),
            summary="Good start.",
            today=datetime.date(2026, 9, 25),
        )
        # a later deal does not change what the review recorded
        registration(
            a.tenant,
            a.partner1,
            submitted=at(2026, 7, 4),
            value="5000",
            status="won",
            stage="closed_won",
            closed_amount="5000",
            closed_on=datetime.date(2026, 7, 5),
        )
        review.refresh_from_db()
        with pytest.raises(ConflictError):
            services.review_record(
                tenant=a.tenant, actor=a.owner, plan=plan, quarter="2026-Q3", held_on=datetime.date(2026, 9, 26), summary="Again."
            )
    assert review.quarter == "2026-Q3"
    assert review.figures["goals"][0]["actual"] == "900.00"
    assert review.figures["as_of"] == "2026-09-25"


def test_a_closed_plan_changes_no_more(world):
    plan = plan_for(world.a)
    a = world.a
    with tenant_context(a.tenant.pk):
        services.plan_close(tenant=a.tenant, actor=a.owner, plan=plan)
        with pytest.raises(ConflictError) as error:
            services.goal_add(tenant=a.tenant, actor=a.owner, plan=plan, metric="registrations", target="1")
    assert error.value.code == "plan_closed"
    assert actions(world)[-1] == "plans.plan_close"


def test_the_team_follows_the_solution(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        solution = JointSolution.objects.create(tenant=a.tenant, name="Secure cloud", team_partner_ids=[a.partner1.pk])
        SolutionComponent.objects.create(
            tenant=a.tenant,
            solution=solution,
            partner=a.partner1,
            role="consulting",
            status="accepted",
            team_partner_ids=[a.partner1.pk],
        )
        plan = services.plan_create(
            tenant=a.tenant,
            actor=a.owner,
            title="X",
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 9, 30),
            solution=solution,
        )
        services.initiative_create(tenant=a.tenant, actor=a.owner, plan=plan, partner_id=None, values={"title": "Launch"})
        SolutionComponent.objects.create(
            tenant=a.tenant,
            solution=solution,
            partner=a.partner2,
            role="isv_product",
            status="accepted",
            team_partner_ids=[a.partner2.pk],
        )
        assert team.plans_team_sync_for_solution(tenant=a.tenant, solution=solution) == 1
        plan.refresh_from_db()
        assert plan.team_partner_ids == sorted([a.partner1.pk, a.partner2.pk])
        assert PlanInitiative.objects.get(plan=plan).team_partner_ids == plan.team_partner_ids


def test_partner_owner_of_a_plan_must_belong_to_its_partner(world):
    plan = plan_for(world.a)
    other = partner_person(world.a.tenant, world.a.partner2)
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        services.plan_update(tenant=world.a.tenant, actor=world.a.owner, plan=plan, values={"partner_owner": other})
    assert error.value.field == "partner_owner"
    assert PlanReview is not None and Decimal is not None
