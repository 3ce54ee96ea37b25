"""The economics API: customer-revenue (one or many, replace, errors), program-costs (create and update),
economics-metrics; roles, idempotency, query budgets."""

from __future__ import annotations

import pytest

from attribution.economics.models import CustomerRevenue, ProgramCost
from ecosystem.tenancy.context import tenant_context

from .support import account, month, store

REVENUE = "/api/v1/t/alpha/customer-revenue/"
COSTS = "/api/v1/t/alpha/program-costs/"
METRICS = "/api/v1/t/alpha/economics-metrics/"


def rows(world, model=CustomerRevenue):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.order_by("id"))


def post(client, path, body, **headers):
    return client.post(path, body, content_type="application/json", headers=headers)


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


def test_posting_one_row_then_the_same_month_again_replaces_it(manager, world):
    acme = account(world.a, "Acme", "acme.example")
    body = {
        "account": str(acme.public_id),
        "month": "2026-01",
        "mrr": "100.00",
        "managing_partner": str(world.a.partner1.public_id),
    }
    first = post(manager, REVENUE, body)
    assert first.status_code == 201, first.content
    assert first.json()["month"] == "2026-01" and first.json()["managing_partner_name"] == "Alpha Reseller"
    again = post(manager, REVENUE, {**body, "mrr": "130", "managing_partner": None})
    assert again.status_code == 200 and again.json()["mrr"] == "130.00" and again.json()["managing_partner"] is None
    [row] = rows(world)
    assert str(row.mrr) == "130.00" and row.managing_partner_id is None and row.source == "api"


def test_posting_a_list_answers_with_the_counts(manager, world):
    acme, globex = account(world.a, "Acme", "acme.example"), account(world.a, "Globex", "globex.example")
    store(world.a, [(acme, month(2026, 1), 10, None)])
    response = post(
        manager,
        REVENUE,
        [
            {"account": str(acme.public_id), "month": "2026-01", "mrr": 11},
            {"account": str(globex.public_id), "month": "2026-01", "mrr": 20},
        ],
    )
    assert response.status_code == 201
    assert (response.json()["created"], response.json()["replaced"], len(response.json()["results"])) == (1, 1, 2)


def test_a_bad_item_in_a_list_comes_back_in_the_envelope_and_writes_nothing(manager, world):
    acme = account(world.a, "Acme", "acme.example")
    response = post(
        manager,
        REVENUE,
        [
            {"account": str(acme.public_id), "month": "2026-01", "mrr": 11},
            {"account": str(world.b.partner1.public_id), "month": "2026-01", "mrr": 20},  # not an account of alpha
        ],
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("account_not_found", "1.account")
    negative = post(manager, REVENUE, {"account": str(acme.public_id), "month": "2026-01", "mrr": "-3"})
    assert (negative.status_code, negative.json()["code"], negative.json()["attr"]) == (400, "negative_amount", "mrr")
    foreign_partner = post(
        manager,
        REVENUE,
        {"account": str(acme.public_id), "month": "2026-01", "mrr": "3", "managing_partner": str(world.b.partner1.public_id)},
    )
    assert (foreign_partner.status_code, foreign_partner.json()["attr"]) == (400, "managing_partner")
    assert rows(world) == []


def test_one_idempotency_key_records_once(manager, world):
    acme = account(world.a, "Acme", "acme.example")
    body = {"account": str(acme.public_id), "month": "2026-01", "mrr": 5}
    first = post(manager, REVENUE, body, **{"Idempotency-Key": "rev-1"})
    second = post(manager, REVENUE, body, **{"Idempotency-Key": "rev-1"})
    assert first.status_code == second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert len(rows(world)) == 1


@pytest.mark.parametrize("count", [1, 5])
def test_the_revenue_list_filters_and_costs_the_same_queries(manager, world, django_assert_num_queries, count):
    a = world.a
    for n in range(count):
        store(a, [(account(a, f"C{n}", f"c{n}.example"), month(2025, 1 + n), 10 + n, a.partner1)])
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config, 6 membership,
    # 7 the page with accounts and partners, 8 release, 9 set_config cleared.
    with django_assert_num_queries(9):
        response = manager.get(REVENUE)
    assert len(response.json()["results"]) == count
    assert response.json()["results"][0]["month"] == f"2025-{count:02d}"  # the latest month first
    one = manager.get(REVENUE, {"month": "2025-01"}).json()["results"]
    assert [r["mrr"] for r in one] == ["10.00"]


def test_program_costs_are_created_then_updated(manager, world):
    body = {"year": 2026, "quarter": 1, "category": "incentives", "amount": "5000", "note": "Rebates"}
    created = post(manager, COSTS, body)
    updated = post(manager, COSTS, {**body, "amount": "5500.50"})
    assert (created.status_code, updated.status_code) == (201, 200)
    assert updated.json()["public_id"] == created.json()["public_id"] and updated.json()["amount"] == "5500.50"
    bad = post(manager, COSTS, {**body, "quarter": 5})
    assert (bad.status_code, bad.json()["code"], bad.json()["attr"]) == (400, "invalid_quarter", "quarter")
    listed = manager.get(COSTS).json()["results"]
    assert [(c["year"], c["quarter"], c["category"], c["amount"]) for c in listed] == [(2026, 1, "incentives", "5500.50")]


def test_the_metrics_endpoint_gives_the_figures_of_the_period_asked(manager, world):
    a = world.a
    acme, globex = account(a, "Acme", "acme.example"), account(a, "Globex", "globex.example")
    # Q1 2025: Acme new through partner 1, Globex new direct; retention to 2026-01: Acme 100 -> 120, Globex 200 -> 0
    store(
        a,
        [
            (acme, month(2025, 1), 100, a.partner1),
            (acme, month(2026, 1), 120, a.partner1),
            (globex, month(2025, 2), 200, None),
            (globex, month(2026, 2), 0, None),
        ],
    )
    post(manager, COSTS, {"year": 2025, "quarter": 1, "category": "partner_team", "amount": "3000"})
    post(manager, COSTS, {"year": 2025, "quarter": 1, "category": "direct_sales", "amount": "8000"})

    body = manager.get(METRICS, {"quarter": "2025-Q1", "month": "2026-01"}).json()

    assert body["quarter"] == "2025-Q1" and body["month"] == "2026-01" and body["currency"] == "USD"
    assert (body["cac"]["partner_cac"], body["cac"]["direct_cac"]) == (3000.0, 8000.0)
    partner = body["retention"][0]
    assert (partner["channel"], partner["accounts"], partner["nrr"], partner["grr"]) == ("partner", 1, 1.2, 1.0)
    assert body["retention"][1]["accounts"] == 0 and body["retention"][1]["nrr"] is None  # Globex paid first in 2025-02
    assert body["cltv"] == [
        {
            "partner": str(a.partner1.public_id),
            "partner_name": "Alpha Reseller",
            "revenue": 220.0,
            "accounts": 1,
            "months": 2,
            "average_months": 2.0,
        }
    ]
    bad = manager.get(METRICS, {"quarter": "2025-Q5"})
    assert bad.status_code == 400 and bad.json()["attr"] == "quarter"


def test_partner_users_get_404_and_analysts_cannot_write(client, world):
    client.force_login(world.a.partner1_admin)
    assert client.get(REVENUE).status_code == 404 and client.get(METRICS).status_code == 404
    client.force_login(world.a.analyst)
    assert client.get(COSTS).status_code == 200
    assert post(client, COSTS, {"year": 2026, "quarter": 1, "category": "mdf", "amount": "1"}).status_code == 403
    assert rows(world, ProgramCost) == []


@pytest.mark.parametrize("query", [{"quarter": "0000-Q1"}, {"quarter": "0001-Q1"}, {"month": "0000-10"}, {"month": "9999-12"}])
def test_metrics_refuse_a_year_the_calendar_cannot_reach_with_the_envelope(client, world, query):
    # found by the API fuzz: ?quarter=0000-Q1 reached the calendar arithmetic and answered 500
    client.force_login(world.a.manager)

    response = client.get(METRICS, query)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("out_of_range", next(iter(query)))


@pytest.mark.parametrize("year", ["70000", "-1", "1899"])
def test_a_cost_year_outside_the_column_is_a_400_not_a_500(client, world, year):
    client.force_login(world.a.manager)
    response = client.get(COSTS, {"year": year})
    assert response.status_code == 400
    assert response.json()["attr"] == "year"
