"""Plan pages in both portals: roles, ownership (other partner, other tenant: 404 and nothing changed), forms that
keep what was typed, the chart's data, the CSV, and constant query counts on the list."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from ecosystem.tenancy.context import tenant_context
from partners.plans import services
from partners.plans.models import BusinessPlan, PlanInitiative, PlanReview

from .support import at, plan_for, registration

GOALS = {"closed_won_revenue": "100000", "registrations": "10", "mdf_spend": "5000"}


def url(name, plan=None, slug="alpha", **ids) -> str:
    kwargs = {"tenant_slug": slug, **({"plan_id": plan.public_id} if plan else {}), **ids}
    return reverse(name, kwargs=kwargs)


def plan_row(world, plan) -> BusinessPlan:
    with tenant_context(world.a.tenant.pk):
        return BusinessPlan.objects.get(pk=plan.pk)


@pytest.fixture
def plan(world):
    return plan_for(world.a, goals=GOALS)


def test_a_manager_creates_a_plan_and_lands_on_it(client, world):
    client.force_login(world.a.manager)
    response = client.post(
        url("plans:create"),
        {
            "title": "Northwind FY27 H1",
            "partner": str(world.a.partner1.public_id),
            "period_start": "2026-07-01",
            "period_end": "2026-12-31",
        },
    )
    with tenant_context(world.a.tenant.pk):
        plan = BusinessPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == url("plans:detail", plan)
    assert (plan.partner_id, plan.created_by) == (world.a.partner1.pk, world.a.manager)


def test_a_refused_plan_keeps_what_was_typed(client, world):
    client.force_login(world.a.manager)
    response = client.post(
        url("plans:create"),
        {
            "title": "Kept title",
            "partner": str(world.a.partner1.public_id),
            "period_start": "2026-07-01",
            "period_end": "2026-01-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="Kept title"' in body and "invalid-feedback" in body and "ends before it starts" in body


def test_an_analyst_reads_but_does_not_create(client, world, plan):
    client.force_login(world.a.analyst)
    assert client.get(url("plans:detail", plan)).status_code == 200
    assert client.get(url("plans:create")).status_code == 403


def test_the_plan_page_shows_goals_sources_and_the_chart_data(client, world, plan):
    registration(world.a.tenant, world.a.partner1, submitted=at(2026, 7, 2), value="1000")
    client.force_login(world.a.owner)
    response = client.get(url("plans:detail", plan))
    body = response.content.decode()
    assert response.status_code == 200
    assert "entered by the vendor" in body
    assert 'id="plan-series"' in body and "plans/plan-chart.js" in body
    assert "<script>" not in body.split('id="plan-series"')[1].split("</script>", 1)[1]  # no inline script after the data


def test_the_partner_sees_its_plan_and_edits_the_status(client, world, plan):
    client.force_login(world.a.partner1_admin)
    page = client.get(url("partner_plans:list")).content.decode()
    assert str(plan.public_id) in page
    response = client.post(url("partner_plans:status", plan), {"health": "at_risk", "note": "Hiring freeze."})
    assert response.status_code == 302
    row = plan_row(world, plan)
    assert (row.health, row.status_note, row.status_updated_by) == ("at_risk", "Hiring freeze.", world.a.partner1_admin)


def test_a_partner_rep_reads_but_does_not_edit(client, world, plan):
    client.force_login(world.a.partner1_rep)
    assert client.get(url("partner_plans:detail", plan)).status_code == 200
    assert client.post(url("partner_plans:status", plan), {"health": "off_track"}).status_code == 403
    assert plan_row(world, plan).health == "on_track"


def test_the_other_partner_gets_404_everywhere_and_nothing_changes(client, world, plan):
    with tenant_context(world.a.tenant.pk):
        initiative = services.initiative_create(
            tenant=world.a.tenant, actor=world.a.owner, plan=plan, partner_id=None, values={"title": "Secret push"}
        )
    client.force_login(world.a.partner2_admin)
    assert str(plan.public_id) not in client.get(url("partner_plans:list")).content.decode()
    assert client.get(url("partner_plans:detail", plan)).status_code == 404
    assert client.post(url("partner_plans:status", plan), {"health": "off_track"}).status_code == 404
    assert client.post(url("partner_plans:initiative_add", plan), {"title": "Mine", "status": "not_started"}).status_code == 404
    assert (
        client.post(
            url("partner_plans:initiative", plan, initiative_id=initiative.public_id), {"title": "X", "status": "done"}
        ).status_code
        == 404
    )
    assert plan_row(world, plan).health == "on_track"
    with tenant_context(world.a.tenant.pk):
        assert list(PlanInitiative.objects.values_list("title", "status")) == [("Secret push", "not_started")]


def test_the_other_tenants_owner_gets_404(client, world, plan):
    client.force_login(world.b.owner)
    assert client.get(url("plans:detail", plan, slug="beta")).status_code == 404
    assert client.get(url("plans:detail", plan)).status_code == 404


def test_a_partner_admin_adds_an_initiative_without_a_vendor_owner_field(client, world, plan):
    client.force_login(world.a.partner1_admin)
    page = client.get(url("partner_plans:detail", plan)).content.decode()
    assert 'name="vendor_owner"' not in page
    response = client.post(
        url("partner_plans:initiative_add", plan),
        {
            "title": "Five reps certified",
            "partner_owner": str(world.a.partner1_rep.public_id),
            "status": "in_progress",
            "due_date": "2026-09-15",
        },
    )
    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        initiative = PlanInitiative.objects.get()
    assert (initiative.partner_owner, initiative.status, initiative.partner_id) == (
        world.a.partner1_rep,
        "in_progress",
        world.a.partner1.pk,
    )


def test_a_refused_initiative_keeps_what_was_typed(client, world, plan):
    client.force_login(world.a.manager)
    response = client.post(
        url("plans:initiative_add", plan), {"title": "", "description": "Kept details", "status": "not_started"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "Kept details" in body and "invalid-feedback" in body


def test_a_manager_sets_a_goal_and_a_partner_cannot(client, world, plan):
    client.force_login(world.a.manager)
    response = client.post(url("plans:goal_add", plan), {"metric": "sourced_pipeline", "target": "250000"})
    assert response.status_code == 302
    client.force_login(world.a.partner1_admin)
    assert client.post(url("plans:goal_add", plan), {"metric": "certified_people", "target": "3"}).status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert sorted(plan_row(world, plan).goals.values_list("metric", flat=True)) == sorted([*GOALS, "sourced_pipeline"])


def test_a_review_is_recorded_from_the_page(client, world, plan):
    client.force_login(world.a.owner)
    response = client.post(
        url("plans:review_add", plan),
        {"quarter": "2026-Q3", "held_on": "2026-09-28", "summary": "On track.", "decisions": "Add a webinar."},
    )
    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        review = PlanReview.objects.get()
    assert {g["metric"] for g in review.figures["goals"]} == set(GOALS)
    bad = client.post(url("plans:review_add", plan), {"quarter": "Q3 2026", "held_on": "2026-09-28", "summary": "Kept summary"})
    assert bad.status_code == 400 and "Kept summary" in bad.content.decode()


def test_the_csv_has_a_row_per_goal(client, world, plan):
    client.force_login(world.a.analyst)
    response = client.get(url("plans:export"))
    lines = response.content.decode().strip().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("plan_id,title,partner")
    assert len(lines) == 1 + len(GOALS)


def test_the_list_filters_by_partner_and_health(client, world, plan):
    other = plan_for(world.a, partner=world.a.partner2)
    client.force_login(world.a.owner)
    body = client.get(url("plans:list") + f"?partner={world.a.partner2.public_id}").content.decode()
    assert str(other.public_id) in body and str(plan.public_id) not in body
    body = client.get(url("plans:list") + "?health=at_risk").content.decode()
    assert str(other.public_id) not in body and str(plan.public_id) not in body


@pytest.mark.parametrize("plans", [1, 4])
def test_the_list_costs_the_same_queries_for_any_number_of_plans(client, world, plans, django_assert_num_queries):
    for n in range(plans):
        plan_for(world.a, partner=world.a.partner1 if n % 2 else world.a.partner2, goals=GOALS | {"certified_people": "3"})
    client.force_login(world.a.owner)
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config,
    # 6 membership; 7 the partners for the filter, 8 the paginator's count, 9 the page of plans with
    # partner, solution and owner, 10 their goals, 11 the registration figures, 12 the certification
    # figures, 13-17 base.html's switcher of the person's programs, 18 release, 19 set_config cleared.
    with django_assert_num_queries(19):
        response = client.get(url("plans:list"))
    assert response.status_code == 200


def test_the_chart_data_is_one_series_per_goal(client, world, plan):
    client.force_login(world.a.owner)
    body = client.get(url("plans:detail", plan)).content.decode()
    data = json.loads(body.split('id="plan-series" type="application/json">')[1].split("</script>")[0])
    assert [g["metric"] for g in data["goals"]] == list(GOALS)
    assert len(data["months"]) == 3
    assert datetime.date.today() is not None


@pytest.mark.parametrize("plans", [1, 4])
def test_the_partner_list_costs_the_same_queries_for_any_number_of_plans(client, world, plans, django_assert_num_queries):
    for _ in range(plans):
        plan_for(world.a, goals=GOALS | {"certified_people": "3"})
    client.force_login(world.a.partner1_admin)
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config,
    # 6 membership, 7 set_config narrowed to the partner; 8 the paginator's count, 9 the page of plans,
    # 10 their goals; the figures across the plan's team: 11 savepoint, 12 set_config, 13 registrations,
    # 14 certifications, 15 release, 16 set_config back; 17-21 base.html's switcher of the person's
    # programs, 22 release, 23 set_config cleared.
    with django_assert_num_queries(23):
        response = client.get(url("partner_plans:list"))
    assert response.content.decode().count("Joint plan") == plans


def test_a_solution_plan_is_shared_by_its_partners_only(client, world):
    from partners.solutions.models import JointSolution, SolutionComponent
    from tests.factories import MembershipFactory, PartnerFactory, UserFactory

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
        plan = services.plan_create(
            tenant=a.tenant,
            actor=a.owner,
            title="Retail cloud plan",
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 9, 30),
            solution=solution,
        )
        outsider_partner = PartnerFactory(tenant=a.tenant, name="Third", website_domain="third.alpha.example")
        outsider = UserFactory(email="third-admin@example.com")
        MembershipFactory(tenant=a.tenant, user=outsider, role="partner_admin", partner=outsider_partner)
    for user in (a.partner1_admin, a.partner2_admin):
        client.force_login(user)
        page = client.get(url("partner_plans:detail", plan))
        assert page.status_code == 200 and "Retail cloud" in page.content.decode()
    client.force_login(outsider)
    assert client.get(url("partner_plans:detail", plan)).status_code == 404
    assert "Retail cloud plan" not in client.get(url("partner_plans:list")).content.decode()
