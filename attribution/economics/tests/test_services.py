"""Customer revenue (CSV import and API post) and program costs: what is stored, what is replaced,
what is refused (and that a refusal writes nothing)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attribution.economics import services
from attribution.economics.models import CustomerRevenue, ProgramCost, RevenueSource
from deals.imports import ImportFileInvalid
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context

from .support import account, month, store


def rows(world, model=CustomerRevenue, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters).order_by("id"))


def run_import(world, text: str):
    a = world.a
    with tenant_context(a.tenant.pk, user_id=a.owner.pk):
        return services.customer_revenue_import(tenant=a.tenant, actor=a.owner, data=text.encode())


@pytest.fixture
def accounts(world):
    return (
        account(world.a, "Acme Corp", "acme.example", external_id="001A"),
        account(world.a, "Globex", "globex.example"),
    )


# --- the CSV import --------------------------------------------------------------------------------


def test_an_import_stores_each_account_month_with_its_managing_partner(world, accounts):
    acme, globex = accounts
    result = run_import(
        world,
        "account,month,mrr,partner,external_id\n"
        '001A,2026-01,"1,250.50",alpha reseller,inv-1\n'  # CRM id; partner name in any case
        f"globex.example,2026-01-15,480,{world.a.partner2.public_id},\n"  # domain; any day of the month; public id
        "Acme Corp,2026-02,1300,,\n",  # name; no partner: direct
    )
    assert result.ok and (result.rows, result.created, result.replaced) == (3, 3, 0)
    stored = {(r.account_id, r.month): (r.mrr, r.managing_partner_id, r.source, r.external_id) for r in rows(world)}
    assert stored == {
        (acme.pk, month(2026, 1)): (Decimal("1250.50"), world.a.partner1.pk, RevenueSource.IMPORT, "inv-1"),
        (globex.pk, month(2026, 1)): (Decimal("480.00"), world.a.partner2.pk, RevenueSource.IMPORT, ""),
        (acme.pk, month(2026, 2)): (Decimal("1300.00"), None, RevenueSource.IMPORT, ""),
    }
    [entry] = rows(world, AuditEntry, action="economics.revenue_import")
    assert entry.changes["created"] == 3


def test_importing_a_month_again_replaces_it(world, accounts):
    run_import(world, "account,month,mrr,partner\nacme.example,2026-01,1000,Alpha Reseller\n")
    result = run_import(world, "account,month,mrr,partner\nacme.example,2026-01,1100,\nglobex.example,2026-01,50,\n")
    assert (result.created, result.replaced) == (1, 1)
    acme_row = rows(world, account_id=accounts[0].pk)
    assert len(acme_row) == 1 and acme_row[0].mrr == Decimal("1100.00") and acme_row[0].managing_partner_id is None


def test_an_arr_column_is_stored_as_monthly_revenue(world, accounts):
    result = run_import(world, "account,month,arr\nacme.example,2026-01,1000\n")
    assert result.ok
    [row] = rows(world)
    assert row.mrr == Decimal("83.33")  # 1000 / 12 = 83.333… rounded to the cent


def test_every_bad_row_is_reported_and_nothing_is_written(world, accounts):
    store(world.a, [(accounts[0], month(2025, 12), 700, None)])
    next_month = (datetime.date.today().replace(day=1) + datetime.timedelta(days=32)).strftime("%Y-%m")
    result = run_import(
        world,
        "account,month,mrr,partner\n"
        "acme.example,2025-12,999,\n"  # fine on its own: would replace, but the file is refused
        "nobody.example,2026-01,10,\n"
        "globex.example,2026-13,10,\n"
        "globex.example,2026-01,-5,\n"
        f"globex.example,{next_month},5,\n"
        "globex.example,2026-02,EUR 10,\n"
        "globex.example,2026-03,10,Nobody Partners\n"
        "acme.example,2025-12,1,\n",
    )
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "account", "account_not_found"),
        (4, "month", "invalid_month"),
        (5, "mrr", "negative_amount"),
        (6, "month", "future_month"),
        (7, "mrr", "currency_mismatch"),
        (8, "partner", "partner_not_found"),
        (9, "month", "duplicate_in_file"),
    ]
    [kept] = rows(world)
    assert kept.mrr == Decimal("700.00")  # untouched
    assert rows(world, AuditEntry, action="economics.revenue_import") == []


def test_a_file_without_the_required_columns_is_refused_as_a_whole(world, accounts):
    with pytest.raises(ImportFileInvalid) as refused:
        run_import(world, "customer,month\nacme.example,2026-01\n")
    assert refused.value.code == "missing_columns" and "account" in refused.value.message and "mrr" in refused.value.message
    with pytest.raises(ImportFileInvalid) as both:
        run_import(world, "account,month,mrr,arr\nacme.example,2026-01,1,12\n")
    assert both.value.code == "mrr_and_arr"
    assert rows(world) == []


# --- the API's service -----------------------------------------------------------------------------


def test_posting_refuses_the_whole_list_when_one_item_is_bad(world, accounts):
    a = world.a
    items = [
        {"account": accounts[0], "month": "2026-01", "mrr": Decimal("10")},
        {"account": accounts[1], "month": "2026-01", "mrr": Decimal("10.001")},
    ]
    with tenant_context(a.tenant.pk, user_id=a.owner.pk), pytest.raises(ApplicationError) as refused:
        services.customer_revenue_record(tenant=a.tenant, actor=a.owner, items=items, many=True)
    assert (refused.value.code, refused.value.field) == ("amount_too_precise", "1.mrr")
    assert rows(world) == []


def test_posting_the_same_month_twice_in_one_request_is_refused(world, accounts):
    a = world.a
    items = [{"account": accounts[0], "month": "2026-01", "mrr": 1}, {"account": accounts[0], "month": "2026-01-20", "mrr": 2}]
    with tenant_context(a.tenant.pk, user_id=a.owner.pk), pytest.raises(ApplicationError) as refused:
        services.customer_revenue_record(tenant=a.tenant, actor=a.owner, items=items, many=True)
    assert (refused.value.code, refused.value.field) == ("duplicate_in_request", "1.month")


# --- program costs ---------------------------------------------------------------------------------


def save_cost(world, **values):
    a = world.a
    with tenant_context(a.tenant.pk, user_id=a.owner.pk):
        return services.program_cost_save(tenant=a.tenant, actor=a.owner, **values)


def test_a_cost_is_created_then_replaced_for_the_same_quarter_and_category(world):
    cost, created = save_cost(world, year=2026, quarter=2, category="mdf", amount="12,500.00", note="Events")
    again, created_again = save_cost(world, year=2026, quarter=2, category="mdf", amount=Decimal("13000"))
    assert created and not created_again and again.pk == cost.pk
    [stored] = rows(world, ProgramCost)
    assert (stored.amount, stored.note) == (Decimal("13000.00"), "")
    audits = rows(world, AuditEntry, action="economics.program_cost_save")
    assert [e.changes.get("was") for e in audits] == [None, "12500.00"]


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"quarter": 5}, "quarter", "invalid_quarter"),
        ({"quarter": 0}, "quarter", "invalid_quarter"),
        ({"amount": "-1"}, "amount", "negative_amount"),
        ({"amount": "GBP 10"}, "amount", "currency_mismatch"),
        ({"year": 1999}, "year", "invalid_year"),
        ({"category": "coffee"}, "category", "invalid_category"),
    ],
)
def test_a_bad_cost_is_refused_naming_its_field_and_nothing_is_written(world, values, field, code):
    with pytest.raises(ApplicationError) as refused:
        save_cost(world, **{"year": 2026, "quarter": 1, "category": "tools", "amount": "10", **values})
    assert (refused.value.field, refused.value.code) == (field, code)
    assert rows(world, ProgramCost) == []
