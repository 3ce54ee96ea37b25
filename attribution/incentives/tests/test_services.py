"""Accruals by hand: closed-won (marginal and whole amount, the period's edges, currency conversion),
renewal revenue, usage, eligibility, recompute (computed replaced, approved kept), payouts, the
period-end job, and the usage import (all or nothing)."""

from __future__ import annotations

import datetime

import pytest

from attribution.incentives import services, tasks
from attribution.incentives.models import RebateStatement, RebateStatementLine, UsageFigure
from deals.currency_services import currency_rate_set
from deals.models import CustomerAccount
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.tenancy.context import tenant_context

from .support import QUARTER, YEAR, D, account, as_manager, compute, month, program, store, won_deal

day = datetime.date


def statements(world, **filters) -> dict:
    with tenant_context(world.a.tenant.pk):
        return {s.partner_id: s for s in RebateStatement.objects.filter(**filters)}


def audit_actions(tenant) -> list[str]:
    with tenant_context(tenant.pk):
        return list(AuditEntry.objects.filter(action__startswith="incentives.").values_list("action", flat=True))


def lines(world, statement) -> list:
    with tenant_context(world.a.tenant.pk):
        return list(RebateStatementLine.objects.filter(statement=statement).order_by("day").values_list("day", "amount"))


@pytest.fixture
def deals(world):
    """Partner 1: 80,000 (10 Apr) + 70,000 (30 Jun) in the quarter, 50,000 on 1 Jul and 9,000 on 31 Mar outside it.
    Partner 2: 30,000 (15 May)."""
    a = world.a
    won_deal(a, a.partner1, a.partner1_admin, amount="80000", closed_on=day(2026, 4, 10), customer="Alpha")
    won_deal(a, a.partner1, a.partner1_admin, amount="70000", closed_on=day(2026, 6, 30), customer="Bravo")
    won_deal(a, a.partner1, a.partner1_admin, amount="50000", closed_on=day(2026, 7, 1), customer="Charlie")
    won_deal(a, a.partner1, a.partner1_admin, amount="9000", closed_on=day(2026, 3, 31), customer="Delta")
    won_deal(a, a.partner2, a.partner2_admin, amount="30000", closed_on=day(2026, 5, 15), customer="Echo")


def test_closed_won_marginal_counts_only_the_quarters_deals(world, deals):
    result = compute(world.a, program(world.a))

    got = statements(world)
    p1, p2 = got[world.a.partner1.pk], got[world.a.partner2.pk]
    # partner 1: 80,000 + 70,000 = 150,000 → 100,000 × 2 % + 50,000 × 4 % = 4,000
    assert (p1.measured_total, p1.rebate_amount, p1.line_count) == (D("150000.00"), D("4000.00"), 2)
    assert lines(world, p1) == [(day(2026, 4, 10), D("80000.00")), (day(2026, 6, 30), D("70000.00"))]
    # partner 2: 30,000 × 2 % = 600
    assert (p2.measured_total, p2.rebate_amount) == (D("30000.00"), D("600.00"))
    assert (result.created, result.replaced, result.kept, result.rebate_total) == (2, 0, 0, D("4600.00"))
    assert p1.status == "computed" and p1.tiers == [["0.00", "2.0000"], ["100000.00", "4.0000"]]


def test_closed_won_whole_amount_applies_the_reached_tier_to_everything(world, deals):
    compute(world.a, program(world.a, rate_mode="whole_amount"))

    got = statements(world)
    assert got[world.a.partner1.pk].rebate_amount == D("6000.00")  # 150,000 × 4 %
    assert got[world.a.partner2.pk].rebate_amount == D("600.00")  # 30,000 × 2 %


def test_deals_in_other_currencies_convert_at_the_close_dates_rate_and_unrated_ones_are_not_counted(world):
    a = world.a
    with as_manager(a):
        currency_rate_set(tenant=a.tenant, actor=a.manager, currency="EUR", valid_from="2026-01-01", rate="1.05")
        currency_rate_set(tenant=a.tenant, actor=a.manager, currency="EUR", valid_from="2026-05-01", rate="1.10")
    won_deal(a, a.partner1, a.partner1_admin, amount="10000", currency="EUR", closed_on=day(2026, 5, 15), customer="Euro")
    won_deal(a, a.partner1, a.partner1_admin, amount="2000", currency="EUR", closed_on=day(2026, 4, 20), customer="Early")
    won_deal(a, a.partner1, a.partner1_admin, amount="5000", currency="GBP", closed_on=day(2026, 5, 1), customer="Pound")

    result = compute(a, program(a))

    p1 = statements(world)[a.partner1.pk]
    # 2,000 EUR × 1.05 (the April rate) + 10,000 EUR × 1.10 (from 1 May) = 2,100 + 11,000; GBP has no rate
    assert lines(world, p1) == [(day(2026, 4, 20), D("2100.00")), (day(2026, 5, 15), D("11000.00"))]
    assert (p1.measured_total, p1.rebate_amount, result.unconverted) == (D("13100.00"), D("262.00"), 1)
    with tenant_context(a.tenant.pk):
        euro = RebateStatementLine.objects.get(statement=p1, day=day(2026, 5, 15))
    assert (euro.original_amount, euro.original_currency, euro.exchange_rate) == (D("10000.00"), "EUR", D("1.10000000"))


def test_recompute_replaces_computed_statements_but_never_an_approved_one(world, deals):
    a = world.a
    prog = program(a)
    compute(a, prog)
    first = statements(world)
    with as_manager(a):
        services.statement_approve(tenant=a.tenant, actor=a.manager, statement=first[a.partner1.pk])
    won_deal(a, a.partner1, a.partner1_admin, amount="10000", closed_on=day(2026, 5, 2), customer="Late1")
    won_deal(a, a.partner2, a.partner2_admin, amount="20000", closed_on=day(2026, 5, 3), customer="Late2")

    result = compute(a, prog)

    again = statements(world)
    kept, replaced = again[a.partner1.pk], again[a.partner2.pk]
    assert (kept.pk, kept.status, kept.measured_total, kept.rebate_amount) == (
        first[a.partner1.pk].pk,
        "approved",
        D("150000.00"),
        D("4000.00"),
    )
    assert len(lines(world, kept)) == 2
    # partner 2: 30,000 + 20,000 = 50,000 × 2 % = 1,000, in a new statement
    assert (replaced.measured_total, replaced.rebate_amount) == (D("50000.00"), D("1000.00"))
    assert replaced.pk != first[a.partner2.pk].pk
    assert (result.created, result.replaced, result.kept) == (0, 1, 1)


def test_renewal_revenue_counts_managed_account_months_that_paid_twelve_months_before(world):
    a = world.a
    x = account(a, "Xylo", "xylo.example")
    y = account(a, "Yonder", "yonder.example")
    z = account(a, "Zenith", "zenith.example")
    store(
        a,
        [
            (x, month(2025, 4), 100, None),
            (x, month(2025, 5), 100, a.partner1),
            (x, month(2026, 4), 120, a.partner1),  # counted: paid in April 2025
            (x, month(2026, 5), 130, a.partner1),  # counted: paid in May 2025
            (x, month(2026, 6), 140, a.partner1),  # not: nothing in June 2025
            (y, month(2026, 4), 200, a.partner1),  # not: a new customer
            (z, month(2025, 4), 40, None),
            (z, month(2026, 4), 50, a.partner2),  # counted: a customer twelve months before (then direct)
        ],
    )

    compute(a, program(a, name="Renewals", measure="renewal_revenue"))

    got = statements(world)
    # partner 1: 120 + 130 = 250 → 2 % = 5.00; partner 2: 50 → 1.00
    assert (got[a.partner1.pk].measured_total, got[a.partner1.pk].rebate_amount) == (D("250.00"), D("5.00"))
    assert (got[a.partner2.pk].measured_total, got[a.partner2.pk].rebate_amount) == (D("50.00"), D("1.00"))
    assert lines(world, got[a.partner1.pk]) == [(month(2026, 4), D("120.00")), (month(2026, 5), D("130.00"))]


def test_usage_is_credited_to_the_managing_partner_else_the_accounts_owner_partner(world):
    a = world.a
    x = account(a, "Xylo", "xylo.example")
    w = account(a, "Wombat", "wombat.example")
    with tenant_context(a.tenant.pk):
        CustomerAccount.objects.filter(pk=w.pk).update(owner_kind="partner", owner_partner=a.partner2)
    store(a, [(x, month(2026, 4), 10, a.partner1)])
    with as_manager(a):
        services.usage_figures_record(
            tenant=a.tenant,
            actor=a.manager,
            many=True,
            items=[
                {"account": x, "metric": "api_calls", "month": "2026-04", "quantity": "4000"},
                {"account": x, "metric": "api_calls", "month": "2026-05", "quantity": "2000"},  # no revenue row: x has no owner
                {"account": w, "metric": "api_calls", "month": "2026-06", "quantity": "1500"},
                {"account": w, "metric": "seats", "month": "2026-06", "quantity": "99"},  # another metric
            ],
        )
    rates = (("0", "0.01"), ("1000", "0.02"))

    compute(a, program(a, name="Usage", measure="usage", usage_metric="api_calls", rates=rates))

    got = statements(world)
    # partner 1: 4,000 calls → 1,000 × 0.01 + 3,000 × 0.02 = 70.00; partner 2: 1,500 → 10 + 500 × 0.02 = 20.00
    assert (got[a.partner1.pk].measured_total, got[a.partner1.pk].rebate_amount) == (D("4000.00"), D("70.00"))
    assert (got[a.partner2.pk].measured_total, got[a.partner2.pk].rebate_amount) == (D("1500.00"), D("20.00"))


def test_only_eligible_partner_types_get_statements(world, deals):
    compute(world.a, program(world.a, partner_types=["msp"]))

    assert list(statements(world)) == [world.a.partner2.pk]


def test_an_archived_program_and_a_future_quarter_are_refused(world):
    archived = program(world.a, status="archived")
    with pytest.raises(ConflictError):
        compute(world.a, archived)
    with pytest.raises(ApplicationError) as error:
        compute(world.a, program(world.a, name="Other"), year=2027, quarter=1)
    assert error.value.code == "future_period"


def test_payout_goes_computed_approved_paid_and_each_step_is_audited(world, deals):
    a = world.a
    compute(a, program(a))
    statement = statements(world)[a.partner1.pk]
    with as_manager(a):
        with pytest.raises(ConflictError):
            services.statement_mark_paid(tenant=a.tenant, actor=a.manager, statement=statement)
        services.statement_approve(tenant=a.tenant, actor=a.manager, statement=statement)
        with pytest.raises(ConflictError):
            services.statement_approve(tenant=a.tenant, actor=a.manager, statement=statement)
        paid = services.statement_mark_paid(tenant=a.tenant, actor=a.manager, statement=statement, reference="PAY-42")
    assert (paid.status, paid.payment_reference, paid.approved_by_id) == ("paid", "PAY-42", a.manager.pk)
    assert {"incentives.statement_approve", "incentives.statement_mark_paid"} <= set(audit_actions(a.tenant))


def test_the_period_end_job_computes_the_previous_quarter_in_a_quarters_first_days(world, deals):
    a = world.a
    active = program(a)
    program(a, name="Draft one", status="draft")

    assert tasks.period_to_close(day(2026, 7, 3)) == (YEAR, QUARTER)
    assert tasks.period_to_close(day(2026, 7, 8)) is None
    assert tasks.accruals_period_end.run(a.tenant.pk, "2026-07-20") == []
    [summary] = tasks.accruals_period_end.run(a.tenant.pk, "2026-07-03")

    assert summary["period"] == "2026-Q2" and summary["created"] == 2
    assert {s.program_id for s in statements(world).values()} == {active.pk}
    [again] = tasks.accruals_period_end.run(a.tenant.pk, "2026-07-04")  # safe to run twice
    assert (again["created"], again["replaced"]) == (0, 2)


def test_beat_runs_the_period_end_sweep_daily_and_it_fans_out_one_task_per_tenant(world, settings, monkeypatch):
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("accruals_period_end_all_tenants")]
    sent = []
    monkeypatch.setattr(tasks.accruals_period_end, "delay", lambda tenant_id: sent.append(tenant_id))

    count = tasks.accruals_period_end_all_tenants.run()

    assert entry["schedule"] == 24 * 60 * 60
    assert count == len(sent) and {world.a.tenant.pk, world.b.tenant.pk} <= set(sent)


# --- usage import ----------------------------------------------------------------------------------

GOOD = b'account,metric,month,quantity,external_id\nxylo.example,api_calls,2026-04,"1,250",u-1\nYonder,api_calls,2026-04,300,\n'


def _import(world, data: bytes):
    with as_manager(world.a):
        return services.usage_figures_import(tenant=world.a.tenant, actor=world.a.manager, data=data)


def test_a_usage_import_with_bad_rows_reports_every_one_and_writes_nothing(world):
    account(world.a, "Xylo", "xylo.example")
    data = (
        b"account,metric,month,quantity\n"
        b"xylo.example,api_calls,2026-04,100\n"
        b"nobody.example,api_calls,2026-04,100\n"
        b"xylo.example,API Calls!,2099-01,-3\n"
        b"xylo.example,api_calls,2026-04,5\n"
    )

    result = _import(world, data)

    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "account", "account_not_found"),
        (4, "metric", "invalid_metric"),
        (4, "month", "future_month"),
        (4, "quantity", "negative_quantity"),
        (5, "month", "duplicate_in_file"),
    ]
    with tenant_context(world.a.tenant.pk):
        assert UsageFigure.objects.count() == 0


def test_a_good_usage_import_creates_then_replaces(world):
    account(world.a, "Xylo", "xylo.example")
    account(world.a, "Yonder", "yonder.example")

    first = _import(world, GOOD)
    second = _import(world, GOOD.replace(b"300", b"310"))

    assert (first.created, first.replaced, second.created, second.replaced) == (2, 0, 0, 2)
    with tenant_context(world.a.tenant.pk):
        assert sorted(UsageFigure.objects.values_list("quantity", flat=True)) == [D("310.00"), D("1250.00")]
