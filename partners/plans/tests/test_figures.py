"""Actuals from seeded data match the hand-computed figures; pace and the monthly series follow the definitions (figures.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ecosystem.tenancy.context import tenant_context
from partners.plans import figures
from partners.plans.figures import Pace
from partners.plans.models import BusinessPlan
from tests.fixtures import training_course_for

from .support import Q3_END, Q3_START, at, certification, partner_person, plan_for, registration

AFTER_Q3 = datetime.date(2026, 10, 10)
MID_Q3 = datetime.date(2026, 8, 15)  # day 46 of 92: half the period
ALL_GOALS = {
    "closed_won_revenue": "100000",
    "sourced_pipeline": "200000",
    "registrations": "10",
    "certified_people": "4",
}


@pytest.fixture
def deals(world):
    """Partner 1's registrations in and around Q3 2026, partner 2's and the other tenant's (which never count).

    Hand-computed for Q3, the whole quarter gone:
    closed-won revenue = 48000.50 (won, closed 1 Aug) + 12000 (submitted in June, closed 10 Jul) = 60000.50
    pipeline = 50000 + 30000.25 + 4000 (lost: still pipeline brought in) + 1000 (last second) + 2500 (first second) = 87500.25
    registrations = the 7 submitted in Q3, the rejected and withdrawn ones included
    """
    a, p1 = world.a.tenant, world.a.partner1
    registration(
        a,
        p1,
        submitted=at(2026, 7, 5),
        value="50000",
        status="won",
        stage="closed_won",
        closed_amount="48000.50",
        closed_on=datetime.date(2026, 8, 1),
    )
    registration(
        a,
        p1,
        submitted=at(2026, 6, 20),
        value="15000",
        status="won",
        stage="closed_won",
        closed_amount="12000",
        closed_on=datetime.date(2026, 7, 10),
    )
    registration(a, p1, submitted=at(2026, 7, 15), value="30000.25", status="approved", stage="proposal")
    registration(a, p1, submitted=at(2026, 8, 2), value="99999", status="rejected")
    registration(a, p1, submitted=at(2026, 8, 3), value="7777", status="withdrawn")
    registration(
        a, p1, submitted=at(2026, 7, 20), value="4000", status="lost", stage="closed_lost", closed_on=datetime.date(2026, 8, 5)
    )
    registration(a, p1, submitted=at(2026, 9, 30, 23, 59, 59), value="1000", status="pending")
    registration(a, p1, submitted=at(2026, 7, 1, 0, 0, 0), value="2500", status="expired")
    # outside the period
    registration(
        a,
        p1,
        submitted=at(2026, 5, 1),
        value="8000",
        status="won",
        stage="closed_won",
        closed_amount="8000",
        closed_on=datetime.date(2026, 6, 30),
    )
    registration(a, p1, submitted=at(2026, 6, 30, 23, 59, 59), value="6000", status="approved")
    registration(
        a,
        p1,
        submitted=at(2026, 10, 1, 0, 0, 0),
        value="9000",
        status="won",
        stage="closed_won",
        closed_amount="9000",
        closed_on=datetime.date(2026, 10, 1),
    )
    # another partner of the tenant, and another tenant's partner: in the period, never counted
    registration(
        a,
        world.a.partner2,
        submitted=at(2026, 7, 6),
        value="70000",
        status="won",
        stage="closed_won",
        closed_amount="70000",
        closed_on=datetime.date(2026, 7, 30),
    )
    registration(
        world.b.tenant,
        world.b.partner1,
        submitted=at(2026, 7, 6),
        value="70000",
        status="won",
        stage="closed_won",
        closed_amount="70000",
        closed_on=datetime.date(2026, 7, 30),
    )


@pytest.fixture
def certified(world):
    """People of partner 1 certified around the end of Q3 (30 Sep). Valid on 30 Sep: A (twice), C, F = 3 people."""
    a, p1 = world.a.tenant, world.a.partner1
    sales = training_course_for(a, title="Selling")
    tech = training_course_for(a, title="Deploying")
    people = {name: partner_person(a, p1, tag=name) for name in "ABCDEF"}
    day = datetime.date
    certification(a, p1, people["A"], sales, issued=day(2026, 1, 10), expires=day(2027, 1, 10))
    certification(a, p1, people["A"], tech, issued=day(2026, 2, 10), expires=day(2027, 2, 10))
    certification(a, p1, people["B"], sales, issued=day(2025, 9, 29), expires=day(2026, 9, 29))  # expired the day before
    certification(a, p1, people["C"], sales, issued=day(2025, 9, 30), expires=day(2026, 9, 30))  # expires on the day: valid
    certification(a, p1, people["D"], sales, issued=day(2026, 1, 1), expires=day(2027, 1, 1), revoked=day(2026, 9, 15))
    certification(a, p1, people["E"], sales, issued=day(2026, 10, 2), expires=day(2027, 10, 2))  # after the cut-off
    certification(
        a, p1, people["F"], sales, issued=day(2026, 3, 1), expires=day(2027, 3, 1), revoked=day(2026, 10, 5)
    )  # revoked later
    other = partner_person(a, world.a.partner2, tag="G")
    certification(a, world.a.partner2, other, sales, issued=day(2026, 1, 1), expires=day(2027, 1, 1))
    return people


def figures_by_metric(world, plan, today):
    with tenant_context(world.a.tenant.pk):
        plan = BusinessPlan.objects.prefetch_related("goals").get(pk=plan.pk)
        return {f.metric: f for f in figures.plan_figures(tenant=world.a.tenant, plan=plan, today=today)}


def test_actuals_over_a_finished_quarter_match_the_hand_computed_figures(world, deals, certified):
    plan = plan_for(world.a, goals=ALL_GOALS)

    found = figures_by_metric(world, plan, AFTER_Q3)

    assert found["closed_won_revenue"].actual == Decimal("60000.50")
    assert found["sourced_pipeline"].actual == Decimal("87500.25")
    assert found["registrations"].actual == Decimal("7")
    assert found["certified_people"].actual == Decimal("3")
    assert {f.source for f in found.values()} == {"platform"}


def test_actuals_mid_quarter_count_up_to_today(world, deals, certified):
    plan = plan_for(world.a, goals=ALL_GOALS)

    found = figures_by_metric(world, plan, MID_Q3)

    # to 15 Aug: won 48000.50 (1 Aug) + 12000 (10 Jul); submitted 5 Jul, 15 Jul, 20 Jul, 2 Aug (rejected), 3 Aug (withdrawn), 1 Jul
    assert found["closed_won_revenue"].actual == Decimal("60000.50")
    assert found["sourced_pipeline"].actual == Decimal("86500.25")
    assert found["registrations"].actual == Decimal("6")
    # valid on 15 Aug: A, C, D (revoked only in September), F; B too (expires 29 Sep) -> 5
    assert found["certified_people"].actual == Decimal("5")


def test_the_other_partners_plan_counts_only_its_own_deals(world, deals):
    plan = plan_for(world.a, partner=world.a.partner2, goals={"closed_won_revenue": "1000", "registrations": "1"})

    found = figures_by_metric(world, plan, AFTER_Q3)

    assert found["closed_won_revenue"].actual == Decimal("70000.00")
    assert found["registrations"].actual == Decimal("1")


def test_pace_is_actual_against_target_times_elapsed_fraction(world, deals):
    plan = plan_for(world.a, goals={"closed_won_revenue": "100000", "registrations": "20"})

    found = figures_by_metric(world, plan, MID_Q3)

    revenue = found["closed_won_revenue"]
    assert revenue.expected == Decimal("50000.00")  # 100000 x 46/92
    assert revenue.pace == Pace.AHEAD  # 60000.50 >= 110 % of 50000
    assert revenue.percent_of_target == Decimal("60.0")
    registrations = found["registrations"]
    assert registrations.expected == Decimal("10.00")
    assert registrations.pace == Pace.BEHIND  # 6 < 90 % of 10


@pytest.mark.parametrize(
    ("actual", "pace"),
    [("55000", Pace.AHEAD), ("54999.99", Pace.ON_PACE), ("45000", Pace.ON_PACE), ("44999.99", Pace.BEHIND)],
)
def test_pace_tolerance_is_ten_percent_either_side(actual, pace):
    assert figures.pace_of(actual=Decimal(actual), expected=Decimal("50000")) == pace


def test_nothing_is_expected_before_the_period_starts():
    assert figures.elapsed_fraction(start=Q3_START, end=Q3_END, on=datetime.date(2026, 6, 30)) == 0
    assert figures.pace_of(actual=Decimal(0), expected=Decimal(0)) == Pace.NOT_STARTED
    assert figures.elapsed_fraction(start=Q3_START, end=Q3_END, on=Q3_END) == 1


def test_figures_the_vendor_enters_are_labelled_and_paced(world):
    plan = plan_for(world.a, goals={"mdf_spend": "20000", "customer_retention": "90"})
    with tenant_context(world.a.tenant.pk):
        from partners.plans import services

        for goal in plan.goals.all():
            services.goal_update(
                tenant=world.a.tenant,
                actor=world.a.owner,
                goal=goal,
                values={"manual_actual": "8000" if goal.metric == "mdf_spend" else "92.5"},
            )

    found = figures_by_metric(world, plan, MID_Q3)

    mdf, retention = found["mdf_spend"], found["customer_retention"]
    assert (mdf.actual, mdf.source, mdf.source_label) == (Decimal("8000.00"), "vendor", "entered by the vendor")
    assert mdf.pace == Pace.BEHIND  # 8000 < 90 % of 10000
    assert retention.expected == Decimal("90")  # a rate: the whole target from the first day
    assert retention.pace == Pace.ON_PACE


def test_a_goal_the_vendor_has_not_filled_in_has_no_figure(world):
    plan = plan_for(world.a, goals={"mdf_spend": "20000"})

    assert figures_by_metric(world, plan, MID_Q3)["mdf_spend"].pace == Pace.NO_FIGURE


def test_the_monthly_series_is_cumulative_against_a_linear_target(world, deals):
    plan = plan_for(world.a, goals={"closed_won_revenue": "92000"})

    with tenant_context(world.a.tenant.pk):
        series = figures.plan_series(tenant=world.a.tenant, plan=plan, today=MID_Q3)

    assert series["months"] == ["2026-07", "2026-08", "2026-09"]
    line = series["goals"][0]
    assert line["actual"] == [12000.0, 60000.5, None]  # July: the 10 Jul close; August to date; September not begun
    assert line["expected"] == [31000.0, 62000.0, 92000.0]  # 92000 x 31/92, 62/92, 92/92


def test_one_query_per_figure_group_whatever_the_number_of_plans(world, deals, certified, django_assert_num_queries):
    plans = [plan_for(world.a, goals=ALL_GOALS) for _ in range(3)]
    with tenant_context(world.a.tenant.pk):
        loaded = list(BusinessPlan.objects.filter(pk__in=[p.pk for p in plans]).prefetch_related("goals"))
        # one aggregate over registrations, one over certifications
        with django_assert_num_queries(2):
            by_plan = figures.plans_figures(tenant=world.a.tenant, plans=loaded, today=AFTER_Q3)
    assert {f.actual for per_plan in by_plan.values() for f in per_plan if f.metric == "registrations"} == {Decimal("7")}


def test_quarters_parse_and_bound():
    assert figures.parse_quarter("2026-Q3") == (Q3_START, Q3_END)
    assert figures.parse_quarter("2026-q1") == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert figures.parse_quarter("2026-Q5") is None
    assert figures.quarter_of(datetime.date(2026, 11, 29)) == "2026-Q4"


def test_a_solution_plan_counts_the_deals_that_reference_the_solution(world):
    from deals.models import DealRegistration
    from partners.plans import services
    from partners.solutions.models import JointSolution, SolutionComponent

    a = world.a
    with tenant_context(a.tenant.pk):
        solution = JointSolution.objects.create(
            tenant=a.tenant, name="Retail cloud", team_partner_ids=[a.partner1.pk, a.partner2.pk]
        )
        for partner in (a.partner1, a.partner2):
            SolutionComponent.objects.create(
                tenant=a.tenant,
                solution=solution,
                partner=partner,
                role="consulting",
                status="accepted",
                team_partner_ids=[partner.pk],
            )
    on_solution = registration(
        a.tenant,
        a.partner2,
        submitted=at(2026, 7, 8),
        value="40000",
        status="won",
        stage="closed_won",
        closed_amount="39000",
        closed_on=datetime.date(2026, 7, 20),
    )
    registration(a.tenant, a.partner1, submitted=at(2026, 7, 9), value="10000")  # the partner's own deal, not the solution's
    assert figures.solution_reference_field() is not None
    with tenant_context(a.tenant.pk):
        DealRegistration.objects.filter(pk=on_solution.pk).update(**{f"{figures.solution_reference_field()}_id": solution.pk})
        plan = services.plan_create(
            tenant=a.tenant, actor=a.owner, title="Retail cloud Q3", period_start=Q3_START, period_end=Q3_END, solution=solution
        )
        for metric in ("closed_won_revenue", "registrations"):
            services.goal_add(tenant=a.tenant, actor=a.owner, plan=plan, metric=metric, target="1")

    found = figures_by_metric(world, plan, AFTER_Q3)

    assert found["closed_won_revenue"].actual == Decimal("39000.00")
    assert found["registrations"].actual == Decimal("1")
    # and partner 1, on the team, reads the same figures through its own scope
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        loaded = BusinessPlan.objects.prefetch_related("goals").get(pk=plan.pk)
        mine = {f.metric: f.actual for f in figures.plan_figures(tenant=a.tenant, plan=loaded, today=AFTER_Q3)}
    assert mine["closed_won_revenue"] == Decimal("39000.00")
