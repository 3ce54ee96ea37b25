"""``deal-registrations/<id>/takeover/`` and ``product-lines/<id>/retire/``: the portal's actions through the API."""

from __future__ import annotations

import pytest

from deals.models import DealRegistration, ProductLine
from deals.workflow import registration_approve
from ecosystem.tenancy.context import tenant_context

from .support import product_lines_for, rules_for, submit_as

BASE = "/api/v1/t/alpha/"


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)


def approved(world, **rules) -> DealRegistration:
    rules_for(world.a.tenant, **rules)
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    with tenant_context(world.a.tenant.pk):
        return registration_approve(tenant=world.a.tenant, actor=world.a.manager, registration=registration)


def test_a_takeover_the_rules_allow_hands_the_customer_to_direct_sales(client, world):
    registration = approved(world, direct_takeover="with_consent")
    client.force_login(world.a.manager)
    url = BASE + f"deal-registrations/{registration.public_id}/takeover/"
    response = client.post(url, {"reason": "Agreed on the call.", "partner_consented": True}, content_type="application/json")
    assert response.status_code == 200, response.content
    with tenant_context(world.a.tenant.pk):
        assert DealRegistration.objects.get(pk=registration.pk).status != registration.status


def test_a_takeover_the_rules_forbid_answers_403_and_changes_nothing(client, world):
    registration = approved(world, direct_takeover="never")
    client.force_login(world.a.manager)
    url = BASE + f"deal-registrations/{registration.public_id}/takeover/"
    response = client.post(url, {"reason": "We want it."}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "takeover_never")
    with tenant_context(world.a.tenant.pk):
        assert DealRegistration.objects.get(pk=registration.pk).status == registration.status


def test_a_takeover_needs_a_reason(client, world):
    registration = approved(world, direct_takeover="with_consent")
    client.force_login(world.a.owner)
    response = client.post(BASE + f"deal-registrations/{registration.public_id}/takeover/", {}, content_type="application/json")
    assert (response.status_code, response.json()["attr"]) == (400, "reason")


def test_a_retired_line_stays_listed_but_inactive_and_retiring_twice_is_refused(client, world):
    with tenant_context(world.a.tenant.pk):
        line = ProductLine.objects.filter(tenant=world.a.tenant).order_by("name").first()
    client.force_login(world.a.manager)
    url = BASE + f"product-lines/{line.public_id}/retire/"
    assert client.post(url).json()["is_active"] is False
    assert client.post(url).json()["code"] == "invalid_status"
    listed = {row["id"]: row["is_active"] for row in client.get(BASE + "product-lines/").json()["results"]}
    assert listed[str(line.public_id)] is False


def test_an_analyst_may_not_retire_a_line(client, world):
    with tenant_context(world.a.tenant.pk):
        line = ProductLine.objects.filter(tenant=world.a.tenant).first()
    client.force_login(world.a.analyst)
    assert client.post(BASE + f"product-lines/{line.public_id}/retire/").status_code == 403
    with tenant_context(world.a.tenant.pk):
        assert ProductLine.objects.get(pk=line.pk).is_active is True
