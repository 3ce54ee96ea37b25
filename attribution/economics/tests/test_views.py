"""Economics pages: the figures (with their definitions), customer revenue (list, export, import), program
costs (form and table), the CLTV drill-down; roles, bad input kept, query budgets."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attribution.economics.metrics import months_back, quarter_months
from attribution.economics.models import CustomerRevenue, ProgramCost
from attribution.economics.selectors import default_month, default_quarter
from ecosystem.tenancy.context import tenant_context

from .support import account, month, store


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


def rows(world, model=CustomerRevenue):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.order_by("id"))


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


def test_the_figures_page_shows_cac_retention_and_cltv_with_their_definitions(manager, world):
    a = world.a
    end = default_month()
    start = months_back(end, 12)
    year, quarter = default_quarter()
    q_first, _q_last = quarter_months(year, quarter)
    acme, globex, initech = (
        account(a, "Acme", "acme.example"),
        account(a, "Globex", "globex.example"),
        account(a, "Initech", "initech.example"),
    )
    # retention: Acme (partner 1) 100 -> 150, Globex (direct) 200 -> 100; Initech new in the quarter, partner 2
    store(a, [(acme, start, 100, a.partner1), (acme, end, 150, a.partner1), (globex, start, 200, None), (globex, end, 100, None)])
    store(a, [(initech, q_first, 40, a.partner2)])
    with tenant_context(a.tenant.pk):
        ProgramCost.objects.create(tenant=a.tenant, year=year, quarter=quarter, category="mdf", amount=900)

    body = manager.get(url("economics:overview")).content.decode()

    assert 'data-testid="cac-partner"' in body and "900" in body  # 900 over 1 new partner customer
    assert "150.0\u00a0%" in body  # partner NRR: 150 / 100
    assert "50.0\u00a0%" in body  # direct NRR and GRR: 100 / 200
    assert body.count("<details") == 3 and "Σ min(MRR(M), MRR(M − 12))" in body
    assert url("economics:cltv", partner_id=a.partner1.public_id) in body


def test_a_bad_period_is_shown_with_its_error_and_the_default_figures(manager, world):
    response = manager.get(url("economics:overview"), {"quarter": "2026-Q7", "month": "2026-10"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Use a quarter such as 2026-Q3." in body and 'value="2026-Q7"' in body and 'value="2026-10"' in body


def test_the_cltv_drill_down_lists_the_months_behind_the_figure(manager, world):
    a = world.a
    acme, globex = account(a, "Acme", "acme.example"), account(a, "Globex", "globex.example")
    store(
        a,
        [
            (acme, month(2025, 1), 100, a.partner1),
            (acme, month(2025, 2), 0, a.partner1),
            (globex, month(2025, 1), 70, a.partner2),
        ],
    )
    body = manager.get(url("economics:cltv", partner_id=a.partner1.public_id)).content.decode()
    assert body.count('data-testid="cltv-month"') == 1 and "2025-01" in body and "Globex" not in body
    export = manager.get(url("economics:cltv", partner_id=a.partner1.public_id), {"export": "csv"})
    assert list(csv.reader(io.StringIO(export.content.decode())))[1][1:4] == ["Acme", "2025-01", "100.00"]


def test_the_cltv_drill_down_of_another_tenants_partner_is_not_found(manager, world):
    assert manager.get(url("economics:cltv", partner_id=world.b.partner1.public_id)).status_code == 404


@pytest.mark.parametrize("count", [1, 5])
def test_the_figures_page_costs_the_same_queries_for_any_amount_of_data(manager, world, django_assert_num_queries, count):
    a = world.a
    for n in range(count):
        acct = account(a, f"Customer {n}", f"customer{n}.example")
        store(a, [(acct, month(2025, 1), 100 + n, a.partner1 if n % 2 else a.partner2)])
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config, 6 membership;
    # 7 currency, 8 revenue, 9 costs, 10 the top partners' names, 11-15 base.html's switcher of the
    # person's programs, 16 release, 17 set_config cleared.
    with django_assert_num_queries(17):
        manager.get(url("economics:overview"))


# --- customer revenue ------------------------------------------------------------------------------


def test_the_revenue_list_filters_and_exports(manager, world):
    a = world.a
    acme, globex = account(a, "Acme", "acme.example"), account(a, "Globex", "globex.example")
    store(
        a, [(acme, month(2025, 1), 100, a.partner1), (globex, month(2025, 2), 70, None), (acme, month(2025, 2), 120, a.partner1)]
    )

    feb = manager.get(url("economics:revenue"), {"month": "2025-02"}).content.decode()
    assert feb.count('data-testid="revenue-row"') == 2
    partner1 = manager.get(url("economics:revenue"), {"partner": str(a.partner1.public_id)}).content.decode()
    assert partner1.count('data-testid="revenue-row"') == 2 and "Globex" not in partner1
    export = manager.get(url("economics:revenue"), {"month": "2025-02", "export": "csv"})
    lines = list(csv.reader(io.StringIO(export.content.decode())))
    assert lines[0][:5] == ["month", "account_id", "account", "account_crm_id", "mrr"]
    assert sorted((line[2], line[4], line[7]) for line in lines[1:]) == [
        ("Acme", "120.00", "Alpha Reseller"),
        ("Globex", "70.00", ""),
    ]
    xlsx = manager.get(url("economics:revenue"), {"export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("count", [1, 6])
def test_the_revenue_list_costs_the_same_queries_for_any_number_of_rows(manager, world, django_assert_num_queries, count):
    a = world.a
    for n in range(count):
        acct = account(a, f"Customer {n}", f"customer{n}.example")
        store(a, [(acct, month(2025, 1 + n % 12), 100, a.partner1 if n % 2 else None)])
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config, 6 membership;
    # 7 partners (filter), 8 months (filter), 9 currency, 10 the paginator's count, 11 the page of rows with
    # accounts and partners, 12-16 base.html's switcher, 17 release, 18 set_config cleared.
    with django_assert_num_queries(18):
        response = manager.get(url("economics:revenue"))
    assert response.content.decode().count('data-testid="revenue-row"') == count


def test_an_import_with_bad_rows_lists_each_and_writes_nothing(manager, world):
    account(world.a, "Acme", "acme.example")
    upload = SimpleUploadedFile("revenue.csv", b"account,month,mrr\nacme.example,2026-01,-1\nnobody.example,2026-01,5\n")
    response = manager.post(url("economics:revenue_import"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 400
    assert body.count('data-testid="row-error"') == 2 and "negative_amount" in body and "account_not_found" in body
    assert rows(world) == []


def test_an_import_reports_what_it_stored(manager, world):
    account(world.a, "Acme", "acme.example")
    upload = SimpleUploadedFile("revenue.csv", b"account,month,mrr,partner\nacme.example,2026-01,500,Alpha Reseller\n")
    response = manager.post(url("economics:revenue_import"), {"file": upload})
    assert response.status_code == 200 and 'data-testid="import-result"' in response.content.decode()
    [row] = rows(world)
    assert row.managing_partner_id == world.a.partner1.pk


def test_an_analyst_reads_but_cannot_import_or_enter_costs(client, world):
    client.force_login(world.a.analyst)
    assert client.get(url("economics:revenue")).status_code == 200
    assert client.get(url("economics:costs")).status_code == 200
    upload = SimpleUploadedFile("revenue.csv", b"account,month,mrr\nacme.example,2026-01,1\n")
    assert client.post(url("economics:revenue_import"), {"file": upload}).status_code == 403
    cost = {"year": 2026, "quarter": 1, "category": "mdf", "amount": "10"}
    assert client.post(url("economics:costs"), cost).status_code == 403
    assert rows(world, ProgramCost) == []


def test_partner_users_have_no_economics_pages(client, world):
    client.force_login(world.a.partner1_admin)
    assert client.get(url("economics:overview")).status_code == 404


# --- program costs ---------------------------------------------------------------------------------


def test_a_manager_enters_a_cost_and_the_table_shows_it(manager, world):
    response = manager.post(
        url("economics:costs"), {"year": 2026, "quarter": 2, "category": "mdf", "amount": "12,000", "note": "Summit"}
    )
    assert response.status_code == 302
    [cost] = rows(world, ProgramCost)
    assert (cost.year, cost.quarter, cost.category, str(cost.amount)) == (2026, 2, "mdf", "12000.00")
    table = manager.get(url("economics:costs")).content.decode()
    assert "2026 Q2" in table and "12000.00" in table


def test_a_bad_cost_keeps_what_was_typed_and_writes_nothing(manager, world):
    response = manager.post(
        url("economics:costs"), {"year": 2026, "quarter": 3, "category": "tools", "amount": "-50", "note": "Typed"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "cannot be negative" in body and 'value="-50"' in body and 'value="Typed"' in body
    assert rows(world, ProgramCost) == []
