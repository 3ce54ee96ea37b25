"""Staff API for deal registrations: queue, detail with conflicts, decisions, appeals, extensions, rules, product lines."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from deals import workflow
from deals.models import DealRegistration, EngagementRules, ProductLine
from ecosystem.tenancy.context import tenant_context

from .support import product_lines_for, submit_as

BASE = "/api/v1/t/alpha"


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)
    product_lines_for(world.b.tenant)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


NAMES = ["Customer 0", "Globex", "Umbrella", "Wayne Enterprises"]  # unlike each other: no similar-name conflicts


def pending(world, n: int = 0):
    return submit_as(
        world.a.tenant, world.a.partner1, world.a.partner1_rep, customer_name=NAMES[n], customer_domain=f"c{n}.example"
    ).registration


def status_of(world, registration) -> str:
    with tenant_context(world.a.tenant.pk):
        return DealRegistration.objects.get(pk=registration.pk).status


def test_the_queue_lists_waiting_registrations_with_sla_and_filters(world):
    registration = pending(world)
    submit_as(
        world.a.tenant,
        world.a.partner2,
        world.a.partner2_admin,
        customer_name="Other",
        customer_domain="o.example",
        product_lines=["data"],
    )

    body = api(world.a.analyst).get(f"{BASE}/deal-registrations/").json()
    assert [r["customer_name"] for r in body["results"]] == ["Customer 0", "Other"]
    assert body["results"][0]["id"] == str(registration.public_id) and body["results"][0]["sla_due"]

    by_line = api(world.a.analyst).get(f"{BASE}/deal-registrations/?product_line=data").json()
    assert [r["customer_name"] for r in by_line["results"]] == ["Other"]


def test_the_detail_shows_conflicts_side_by_side_and_history(world):
    first = pending(world)
    second = submit_as(
        world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="Customer 0", customer_domain="c0.example"
    )

    body = api(world.a.manager).get(f"{BASE}/deal-registrations/{second.registration.public_id}/").json()

    [conflict] = body["conflicts"]
    assert (conflict["kind"], conflict["score"], conflict["other_registration"]) == ("registered", 100, str(first.public_id))
    assert conflict["other_partner"] == world.a.partner1.name
    assert body["history"][0]["rule"].startswith("conflict:")


def test_approve_reject_and_request_info(world):
    one, two, three = pending(world, 1), pending(world, 2), pending(world, 3)
    client = api(world.a.manager)

    approved = client.post(f"{BASE}/deal-registrations/{one.public_id}/approve/", {}, format="json")
    rejected = client.post(f"{BASE}/deal-registrations/{two.public_id}/reject/", {"reason": "No fit."}, format="json")
    asked = client.post(f"{BASE}/deal-registrations/{three.public_id}/request-info/", {"question": "Budget?"}, format="json")

    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert (rejected.status_code, rejected.json()["history"][-1]["rule"]) == (200, "manager_rejection")
    assert (asked.status_code, asked.json()["status"]) == (200, "info_requested")


def test_a_rejection_without_reason_is_a_400_envelope_and_changes_nothing(world):
    registration = pending(world)
    response = api(world.a.manager).post(f"{BASE}/deal-registrations/{registration.public_id}/reject/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "required"
    assert status_of(world, registration) == "pending"


def test_approving_a_held_customer_is_a_409_naming_nobody(world):
    pending(world)
    second = submit_as(
        world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="Customer 0", customer_domain="c0.example"
    )
    response = api(world.a.manager).post(f"{BASE}/deal-registrations/{second.registration.public_id}/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "claim_taken"
    assert world.a.partner1.name not in response.content.decode()


def test_an_analyst_cannot_decide(world):
    registration = pending(world)
    response = api(world.a.analyst).post(f"{BASE}/deal-registrations/{registration.public_id}/approve/", {}, format="json")
    assert response.status_code == 403 and status_of(world, registration) == "pending"


def test_other_tenant_and_partner_users_get_404(world):
    registration = pending(world)
    assert api(world.b.owner).get(f"{BASE}/deal-registrations/{registration.public_id}/").status_code == 404
    assert (
        api(world.b.owner)
        .post(f"/api/v1/t/beta/deal-registrations/{registration.public_id}/approve/", {}, format="json")
        .status_code
        == 404
    )
    assert api(world.a.partner1_admin).get(f"{BASE}/deal-registrations/{registration.public_id}/").status_code == 404
    assert status_of(world, registration) == "pending"


def test_appeals_are_listed_and_decided_by_the_assigned_reviewer(world):
    registration = pending(world)
    with tenant_context(world.a.tenant.pk):
        workflow.registration_reject(tenant=world.a.tenant, actor=world.a.manager, registration=registration, reason="No.")
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        appeal = workflow.appeal_submit(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            partner_id=world.a.partner1.pk,
            registration=registration,
            reason="Hm.",
        )
    mine = api(world.a.owner).get(f"{BASE}/registration-appeals/?mine=true").json()["results"]
    assert [a["id"] for a in mine] == [str(appeal.public_id)]
    assert api(world.a.manager).get(f"{BASE}/registration-appeals/?mine=true").json()["results"] == []

    refused = api(world.a.manager).post(
        f"{BASE}/registration-appeals/{appeal.public_id}/decide/", {"overturn": True, "reason": "x"}, format="json"
    )
    assert refused.status_code == 403
    decided = api(world.a.owner).post(
        f"{BASE}/registration-appeals/{appeal.public_id}/decide/", {"overturn": True, "reason": "Ok."}, format="json"
    )
    assert decided.json()["status"] == "overturned" and status_of(world, registration) == "approved"


def test_extensions_are_listed_and_granted(world):
    registration = pending(world)
    with tenant_context(world.a.tenant.pk):
        workflow.registration_approve(tenant=world.a.tenant, actor=world.a.manager, registration=registration)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        extension = workflow.extension_request(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            partner_id=world.a.partner1.pk,
            registration=registration,
            reason="More time",
        )
    listed = api(world.a.manager).get(f"{BASE}/registration-extensions/").json()["results"]
    assert [e["id"] for e in listed] == [str(extension.public_id)]
    granted = api(world.a.manager).post(
        f"{BASE}/registration-extensions/{extension.public_id}/decide/", {"grant": True}, format="json"
    )
    assert (granted.json()["status"], granted.json()["days"]) == ("granted", 30)


def test_rules_are_read_and_replaced(world):
    client = api(world.a.manager)
    rules = client.get(f"{BASE}/engagement-rules/").json()
    assert rules["protection_days"] == 90
    rules.update(protection_days=60, auto_approve_below="1000.00")
    response = client.put(f"{BASE}/engagement-rules/", rules, format="json")
    assert response.status_code == 200 and response.json()["protection_days"] == 60
    with tenant_context(world.a.tenant.pk):
        assert EngagementRules.objects.get().protection_days == 60
    assert api(world.a.analyst).put(f"{BASE}/engagement-rules/", rules, format="json").status_code == 403


def test_product_lines_are_listed_and_created(world):
    client = api(world.a.manager)
    created = client.post(f"{BASE}/product-lines/", {"name": "Edge AI"}, format="json")
    assert created.status_code == 201 and created.json()["slug"] == "edge-ai"
    assert client.post(f"{BASE}/product-lines/", {"name": "Edge AI"}, format="json").status_code == 409
    names = [line["name"] for line in client.get(f"{BASE}/product-lines/").json()["results"]]
    assert "Edge AI" in names
    with tenant_context(world.b.tenant.pk):
        assert not ProductLine.objects.filter(slug="edge-ai").exists()
