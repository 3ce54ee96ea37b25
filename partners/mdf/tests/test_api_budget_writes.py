"""``PATCH mdf-budgets/<id>/`` and ``mdf-budgets/<id>/allocations/``: the portal's budget page through the API."""

from __future__ import annotations

import json

import pytest

from ecosystem.tenancy.context import tenant_context
from partners.mdf.models import MdfAllocation, MdfBudget

from .support import budget_for, funded

T = "/api/v1/t/alpha"


@pytest.fixture
def budget(world):
    return budget_for(world.a, "10000", allocations={world.a.partner1: "1000"})


def send(client, method, path, body):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def test_staff_raise_a_budget_but_never_below_what_approved_requests_hold(client, world, budget):
    funded(world.a, world.a.partner1, world.a.partner1_admin, spend="800")
    client.force_login(world.a.manager)
    raised = send(client, "patch", f"{T}/mdf-budgets/{budget.public_id}/", {"amount": "12000"})
    assert (raised.status_code, raised.json()["amount"], raised.json()["left"]) == (200, "12000.00", "11200.00")
    refused = send(client, "patch", f"{T}/mdf-budgets/{budget.public_id}/", {"amount": "500"})
    assert (refused.status_code, refused.json()["code"], refused.json()["attr"]) == (409, "below_committed", "amount")
    with tenant_context(world.a.tenant.pk):
        assert str(MdfBudget.objects.get(pk=budget.pk).amount) == "12000.00"


def test_staff_set_a_partners_allocation_and_read_the_budgets_allocations(client, world, budget):
    client.force_login(world.a.manager)
    url = f"{T}/mdf-budgets/{budget.public_id}/allocations/"
    saved = send(client, "post", url, {"partner": str(world.a.partner2.public_id), "amount": "2500"})
    assert saved.status_code == 200, saved.content
    assert (saved.json()["partner_name"], saved.json()["amount"]) == (world.a.partner2.name, "2500.00")
    listed = client.get(url).json()
    assert {(row["partner_name"], row["amount"]) for row in listed} == {
        (world.a.partner1.name, "1000.00"),
        (world.a.partner2.name, "2500.00"),
    }


def test_an_allocation_names_a_partner_or_a_tier_and_a_foreign_partner_is_not_found(client, world, budget):
    client.force_login(world.a.manager)
    url = f"{T}/mdf-budgets/{budget.public_id}/allocations/"
    neither = send(client, "post", url, {"amount": "100"})
    assert (neither.status_code, neither.json()["attr"]) == (400, "partner")
    foreign = send(client, "post", url, {"partner": str(world.b.partner1.public_id), "amount": "100"})
    assert foreign.status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert MdfAllocation.objects.filter(budget=budget).count() == 1


def test_an_analyst_reads_allocations_but_may_not_change_the_budget(client, world, budget):
    client.force_login(world.a.analyst)
    assert client.get(f"{T}/mdf-budgets/{budget.public_id}/allocations/").status_code == 200
    assert send(client, "patch", f"{T}/mdf-budgets/{budget.public_id}/", {"amount": "1"}).status_code == 403
