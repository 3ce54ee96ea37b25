"""Business plans in the API: staff CRUD and actions, the partner's own plans, actuals in the body, the error
envelope, Idempotency-Key on creates, filters, and constant queries on the list."""

from __future__ import annotations

import datetime
import json

import pytest

from ecosystem.tenancy.context import tenant_context
from partners.plans import services
from partners.plans.models import BusinessPlan, PlanGoal, PlanInitiative

from .support import at, plan_for, registration

BASE = "/api/v1/t/alpha/business-plans/"
MINE = "/api/v1/t/alpha/my-business-plans/"


def send(client, method: str, path: str, body: dict | None = None, **headers):
    return client.generic(method, path, json.dumps(body or {}), content_type="application/json", headers=headers)


@pytest.fixture
def plan(world):
    registration(
        world.a.tenant,
        world.a.partner1,
        submitted=at(2026, 7, 3),
        value="1000",
        status="won",
        stage="closed_won",
        closed_amount="750.25",
        closed_on=datetime.date(2026, 7, 9),
    )
    return plan_for(world.a, goals={"closed_won_revenue": "3000", "mdf_spend": "500"})


def test_a_manager_creates_a_plan_once_with_an_idempotency_key(client, world):
    client.force_login(world.a.manager)
    body = {
        "title": "Q3 with Reseller",
        "partner": str(world.a.partner1.public_id),
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
    }
    first = send(client, "POST", BASE, body, **{"Idempotency-Key": "plan-1"})
    again = send(client, "POST", BASE, body, **{"Idempotency-Key": "plan-1"})
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    with tenant_context(world.a.tenant.pk):
        assert BusinessPlan.objects.count() == 1


def test_the_representation_carries_actuals_and_their_source(client, world, plan):
    client.force_login(world.a.analyst)
    body = send(client, "GET", f"{BASE}{plan.public_id}/").json()
    goals = {g["metric"]: g for g in body["goals"]}
    assert goals["closed_won_revenue"]["actual"] == "750.25"
    assert goals["closed_won_revenue"]["actual_source"] == "platform"
    assert goals["mdf_spend"]["actual"] is None
    assert goals["mdf_spend"]["actual_source_label"] == "entered by the vendor"
    assert body["series"]["months"] == ["2026-07", "2026-08", "2026-09"]


def test_goals_initiatives_status_and_reviews_through_the_api(client, world, plan):
    client.force_login(world.a.owner)
    goal = send(client, "POST", f"{BASE}{plan.public_id}/goals/", {"metric": "registrations", "target": "8"})
    assert goal.status_code == 201 and goal.json()["actual"] == "1.00"
    twice = send(client, "POST", f"{BASE}{plan.public_id}/goals/", {"metric": "registrations", "target": "9"})
    assert twice.status_code == 409 and twice.json()["code"] == "goal_exists"
    changed = send(client, "PATCH", f"{BASE}{plan.public_id}/goals/{goal.json()['id']}/", {"target": "12"})
    assert changed.json()["target"] == "12.00"
    initiative = send(
        client,
        "POST",
        f"{BASE}{plan.public_id}/initiatives/",
        {"title": "Webinar", "vendor_owner": str(world.a.manager.public_id)},
    )
    assert initiative.status_code == 201 and initiative.json()["vendor_owner"]["id"] == str(world.a.manager.public_id)
    done = send(client, "PATCH", f"{BASE}{plan.public_id}/initiatives/{initiative.json()['id']}/", {"status": "done"})
    assert done.json()["completed_at"] is not None
    status = send(client, "POST", f"{BASE}{plan.public_id}/status/", {"health": "off_track", "note": "Lost the anchor deal."})
    assert status.json()["health"] == "off_track" and status.json()["status_updated_by"]["id"] == str(world.a.owner.public_id)
    review = send(
        client, "POST", f"{BASE}{plan.public_id}/reviews/", {"quarter": "2026-Q3", "held_on": "2026-09-30", "summary": "Behind."}
    )
    assert review.status_code == 201 and len(review.json()["figures"]["goals"]) == 3
    removed = send(client, "DELETE", f"{BASE}{plan.public_id}/goals/{goal.json()['id']}/")
    assert removed.status_code == 204


def test_errors_come_in_the_envelope(client, world, plan):
    client.force_login(world.a.owner)
    response = send(
        client, "POST", f"{BASE}{plan.public_id}/goals/", {"metric": "registrations", "target": "2", "manual_actual": "4"}
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"type", "code", "detail", "attr"}
    assert (response.json()["code"], response.json()["attr"]) == ("computed_metric", "manual_actual")


def test_an_analyst_reads_but_may_not_write(client, world, plan):
    client.force_login(world.a.analyst)
    assert send(client, "POST", f"{BASE}{plan.public_id}/status/", {"health": "at_risk"}).status_code == 403


def test_the_partner_reads_its_plans_and_edits_status_and_initiatives(client, world, plan):
    client.force_login(world.a.partner1_admin)
    listed = send(client, "GET", MINE).json()["results"]
    assert [p["id"] for p in listed] == [str(plan.public_id)]
    status = send(client, "POST", f"{MINE}{plan.public_id}/status/", {"health": "at_risk", "note": "Budget freeze."})
    assert status.status_code == 200 and status.json()["health"] == "at_risk"
    created = send(
        client,
        "POST",
        f"{MINE}{plan.public_id}/initiatives/",
        {"title": "Certify two SEs", "partner_owner": str(world.a.partner1_rep.public_id)},
    )
    assert created.status_code == 201
    refused = send(
        client, "POST", f"{MINE}{plan.public_id}/initiatives/", {"title": "X", "vendor_owner": str(world.a.manager.public_id)}
    )
    with tenant_context(world.a.tenant.pk):
        assert sorted(PlanInitiative.objects.values_list("title", flat=True)) == ["Certify two SEs", "X"]
        assert PlanInitiative.objects.get(title="X").vendor_owner_id is None  # the partner serializer has no vendor owner
    assert refused.status_code == 201


def test_the_partner_cannot_reach_goals_or_targets(client, world, plan):
    client.force_login(world.a.partner1_admin)
    assert send(client, "POST", f"{BASE}{plan.public_id}/goals/", {"metric": "registrations", "target": "1"}).status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert PlanGoal.objects.count() == 2


def test_a_partner_rep_reads_only(client, world, plan):
    client.force_login(world.a.partner1_rep)
    assert send(client, "GET", f"{MINE}{plan.public_id}/").status_code == 200
    assert send(client, "POST", f"{MINE}{plan.public_id}/status/", {"health": "at_risk"}).status_code == 403


def test_the_other_partner_sees_none_of_it(client, world, plan):
    with tenant_context(world.a.tenant.pk):
        initiative = services.initiative_create(
            tenant=world.a.tenant, actor=world.a.owner, plan=plan, partner_id=None, values={"title": "Secret"}
        )
    client.force_login(world.a.partner2_admin)
    assert send(client, "GET", MINE).json()["results"] == []
    assert send(client, "GET", f"{MINE}{plan.public_id}/").status_code == 404
    assert send(client, "POST", f"{MINE}{plan.public_id}/status/", {"health": "off_track"}).status_code == 404
    assert (
        send(client, "PATCH", f"{MINE}{plan.public_id}/initiatives/{initiative.public_id}/", {"status": "done"}).status_code
        == 404
    )
    with tenant_context(world.a.tenant.pk):
        assert BusinessPlan.objects.get(pk=plan.pk).health == "on_track"
        assert PlanInitiative.objects.get().status == "not_started"


def test_filters_narrow_the_list(client, world, plan):
    other = plan_for(world.a, partner=world.a.partner2, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 3, 31))
    client.force_login(world.a.owner)
    by_partner = send(client, "GET", f"{BASE}?partner={world.a.partner2.public_id}").json()["results"]
    assert [p["id"] for p in by_partner] == [str(other.public_id)]
    by_quarter = send(client, "GET", f"{BASE}?period=2026-Q3").json()["results"]
    assert [p["id"] for p in by_quarter] == [str(plan.public_id)]


@pytest.mark.parametrize("plans", [1, 4])
def test_the_list_costs_the_same_queries_for_any_number_of_plans(client, world, plans, django_assert_num_queries):
    for _ in range(plans):
        plan_for(world.a, goals={"closed_won_revenue": "1", "certified_people": "1"})
    client.force_login(world.a.owner)
    # 1 session, 2 user, 3 tenant by slug, 4 savepoint, 5 set_config, 6 membership, 7 the page of plans,
    # 8 their goals, 9 the registration figures, 10 the certification figures, 11 release, 12 set_config cleared
    with django_assert_num_queries(12):
        response = send(client, "GET", BASE)
    assert len(response.json()["results"]) == plans
