"""The incentives API: rebate-programs (create, compute), rebate-statements (list, filters, detail with
lines, approve, mark-paid), my-rebate-statements (a partner's own), usage-figures (post, list); errors
in the envelope, roles and ownership."""

from __future__ import annotations

import datetime

import pytest

from attribution.incentives.models import RebateProgram, UsageFigure
from ecosystem.tenancy.context import tenant_context

from .support import account, compute, program, won_deal

day = datetime.date
BASE = "/api/v1/t/alpha/"


def post(client, path, body=None, **headers):
    return client.post(BASE + path, body or {}, content_type="application/json", headers=headers)


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


@pytest.fixture
def computed(world):
    a = world.a
    won_deal(a, a.partner1, a.partner1_admin, amount="150000", closed_on=day(2026, 4, 10), customer="Alpha")
    won_deal(a, a.partner2, a.partner2_admin, amount="30000", closed_on=day(2026, 5, 15), customer="Echo")
    prog = program(a)
    compute(a, prog)
    return prog


def test_a_program_is_created_with_its_tiers_and_computed(manager, world):
    won_deal(world.a, world.a.partner1, world.a.partner1_admin, amount="150000", closed_on=day(2026, 4, 10), customer="Alpha")
    body = {
        "name": "Growth",
        "measure": "closed_won_revenue",
        "rate_mode": "marginal",
        "status": "active",
        "rates": [{"threshold": "100000", "rate": "4"}, {"threshold": "0", "rate": "2"}],
    }
    created = post(manager, "rebate-programs/", body)
    assert created.status_code == 201, created.content
    assert created.json()["rates"] == [{"threshold": "0.00", "rate": "2.0000"}, {"threshold": "100000.00", "rate": "4.0000"}]

    computed = post(manager, f"rebate-programs/{created.json()['public_id']}/compute/", {"year": 2026, "quarter": 2})

    # 100,000 × 2 % + 50,000 × 4 %
    assert computed.status_code == 200 and computed.json()["created"] == 1 and computed.json()["rebate_total"] == "4000.00"


def test_a_bad_program_answers_400_naming_the_tier_row(manager, world):
    body = {
        "name": "Bad",
        "measure": "closed_won_revenue",
        "rates": [{"threshold": "0", "rate": "2"}, {"threshold": "x", "rate": "3"}],
    }

    response = post(manager, "rebate-programs/", body)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("invalid_threshold", "rates.1.threshold")
    with tenant_context(world.a.tenant.pk):
        assert not RebateProgram.objects.exists()


def test_statements_list_filters_and_the_detail_has_its_lines(manager, world, computed):
    listing = manager.get(BASE + "rebate-statements/?period=2026-Q2&status=computed").json()["results"]
    assert sorted((s["partner_name"], s["rebate_amount"]) for s in listing) == [
        ("Alpha MSP", "600.00"),
        ("Alpha Reseller", "4000.00"),
    ]
    assert manager.get(BASE + "rebate-statements/?period=2025-Q2").json()["results"] == []

    own = next(s for s in listing if s["partner_name"] == "Alpha Reseller")
    detail = manager.get(BASE + f"rebate-statements/{own['public_id']}/").json()
    assert [(line["kind"], line["amount"]) for line in detail["lines"]] == [("deal", "150000.00")]


def test_approve_then_mark_paid_and_a_second_approval_is_a_409(manager, world, computed):
    statement = manager.get(BASE + "rebate-statements/").json()["results"][0]["public_id"]

    assert post(manager, f"rebate-statements/{statement}/approve/").json()["status"] == "approved"
    again = post(manager, f"rebate-statements/{statement}/approve/")
    paid = post(manager, f"rebate-statements/{statement}/mark-paid/", {"reference": "PAY-9"})

    assert again.status_code == 409 and again.json()["code"] == "statement_not_computed"
    assert (paid.json()["status"], paid.json()["payment_reference"]) == ("paid", "PAY-9")


def test_an_analyst_cannot_approve(client, world, computed):
    client.force_login(world.a.analyst)
    statement = client.get(BASE + "rebate-statements/").json()["results"][0]["public_id"]

    assert post(client, f"rebate-statements/{statement}/approve/").status_code == 403


def test_a_partner_reads_only_its_own_statements(client, world, computed):
    client.force_login(world.a.partner2_admin)

    mine = client.get(BASE + "my-rebate-statements/").json()["results"]

    assert [(s["partner_name"], s["rebate_amount"]) for s in mine] == [("Alpha MSP", "600.00")]
    assert client.get(BASE + "rebate-statements/").status_code == 404


def test_usage_figures_are_posted_all_or_nothing_and_listed(manager, world):
    xylo = account(world.a, "Xylo", "xylo.example")
    good = {"account": str(xylo.public_id), "metric": "api_calls", "month": "2026-04", "quantity": "1200"}

    bad = post(manager, "usage-figures/", [good, {**good, "month": "2026-05", "quantity": "-1"}])
    created = post(manager, "usage-figures/", [good, {**good, "month": "2026-05"}])
    replaced = post(manager, "usage-figures/", {**good, "quantity": "1300"})

    assert bad.status_code == 400 and bad.json()["attr"] == "1.quantity"
    assert created.status_code == 201 and (created.json()["created"], created.json()["replaced"]) == (2, 0)
    assert replaced.status_code == 200 and replaced.json()["quantity"] == "1300.00"
    listed = manager.get(BASE + "usage-figures/?month=2026-04").json()["results"]
    assert [(r["metric"], r["month"], r["quantity"]) for r in listed] == [("api_calls", "2026-04", "1300.00")]
    with tenant_context(world.a.tenant.pk):
        assert UsageFigure.objects.count() == 2
