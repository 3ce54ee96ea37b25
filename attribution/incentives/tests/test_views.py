"""Incentives pages: programs (create, edit, bad input kept), Compute now, a quarter's statements with
totals and exports, one statement with Approve payout and Mark paid, usage import, the partner's
Rebates; roles, ownership and query budgets."""

from __future__ import annotations

import csv
import datetime
import io
import uuid

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from attribution.incentives import services
from attribution.incentives.models import RebateProgram, RebateStatement
from ecosystem.tenancy.context import tenant_context
from tests.factories import PartnerFactory

from .support import D, account, compute, program, won_deal

day = datetime.date


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


@pytest.fixture
def computed(world):
    """The growth program computed for 2026 Q2: partner 1 150,000 → 4,000; partner 2 30,000 → 600."""
    a = world.a
    won_deal(a, a.partner1, a.partner1_admin, amount="80000", closed_on=day(2026, 4, 10), customer="Alpha")
    won_deal(a, a.partner1, a.partner1_admin, amount="70000", closed_on=day(2026, 6, 30), customer="Bravo")
    won_deal(a, a.partner2, a.partner2_admin, amount="30000", closed_on=day(2026, 5, 15), customer="Echo")
    prog = program(a)
    compute(a, prog)
    return prog


def statement_of(world, partner) -> RebateStatement:
    with tenant_context(world.a.tenant.pk):
        return RebateStatement.objects.get(partner=partner)


PROGRAM_POST = {
    "name": "Growth rebate",
    "measure": "closed_won_revenue",
    "rate_mode": "whole_amount",
    "status": "active",
    "threshold_0": "0",
    "rate_0": "2",
    "threshold_1": "100000",
    "rate_1": "4",
}


def test_a_manager_creates_a_program_with_its_tiers(manager, world):
    response = manager.post(url("incentives:program_new"), PROGRAM_POST)

    with tenant_context(world.a.tenant.pk):
        created = RebateProgram.objects.get()
        tiers = list(created.rates.order_by("threshold").values_list("threshold", "rate"))
    assert response.status_code == 302 and response["Location"] == url("incentives:program", program_id=created.public_id)
    assert (created.rate_mode, created.currency, tiers) == ("whole_amount", "USD", [(D("0"), D("2")), (D("100000"), D("4"))])


def test_a_bad_tier_re_renders_with_the_error_on_its_row_and_the_typed_values(manager, world):
    response = manager.post(url("incentives:program_new"), {**PROGRAM_POST, "name": "Typed name", "rate_1": "140"})

    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="Typed name"' in body and 'value="140"' in body and "is-invalid" in body
    assert "A rate is a percentage from 0 to 100" in body
    with tenant_context(world.a.tenant.pk):
        assert not RebateProgram.objects.exists()


def test_an_analyst_reads_but_cannot_create_or_compute(client, world, computed):
    client.force_login(world.a.analyst)

    assert client.get(url("incentives:statements", program_id=computed.public_id)).status_code == 200
    assert client.post(url("incentives:program_new"), PROGRAM_POST).status_code == 403
    assert client.post(url("incentives:program_compute", program_id=computed.public_id), {"period": "2026-Q2"}).status_code == 403


def test_compute_now_lands_on_the_quarters_statements_with_totals(manager, world):
    a = world.a
    won_deal(a, a.partner1, a.partner1_admin, amount="150000", closed_on=day(2026, 5, 1), customer="Alpha")
    prog = program(a)

    response = manager.post(url("incentives:program_compute", program_id=prog.public_id), {"period": "2026-Q2"}, follow=True)

    body = response.content.decode()
    assert response.redirect_chain[-1][0] == url("incentives:statements", program_id=prog.public_id) + "?period=2026-Q2"
    assert "2026 Q2 computed: 1 new statements" in body
    assert body.count('data-testid="statement-row"') == 1 and "4,000.00" in body  # 100,000 × 2 % + 50,000 × 4 %


def test_compute_now_refuses_a_future_quarter_keeping_what_was_typed(manager, world):
    prog = program(world.a)

    response = manager.post(url("incentives:program_compute", program_id=prog.public_id), {"period": "2099-Q1"})

    assert response.status_code == 400
    assert "This quarter has not started yet." in response.content.decode() and 'value="2099-Q1"' in response.content.decode()


def test_approve_then_mark_paid_from_the_statement_page(manager, world, computed):
    statement = statement_of(world, world.a.partner1)
    page = manager.get(url("incentives:statement", statement_id=statement.public_id)).content.decode()
    assert "Approve payout" in page and page.count('data-testid="line-row"') == 2

    manager.post(url("incentives:statement_approve", statement_id=statement.public_id))
    manager.post(url("incentives:statement_pay", statement_id=statement.public_id), {"reference": "PAY-7"})

    with tenant_context(world.a.tenant.pk):
        statement.refresh_from_db()
    assert (statement.status, statement.payment_reference) == ("paid", "PAY-7")


def test_the_finance_export_has_every_statement_in_csv_and_xlsx(manager, world, computed):
    response = manager.get(url("incentives:statements", program_id=computed.public_id) + "?period=2026-Q2&export=csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["partner"], r["period"], r["measured"], r["rebate"], r["currency"], r["status"]) for r in rows] == [
        ("Alpha MSP", "2026 Q2", "30000.00", "600.00", "USD", "computed"),
        ("Alpha Reseller", "2026 Q2", "150000.00", "4000.00", "USD", "computed"),
    ]
    workbook = manager.get(url("incentives:finance_export") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert [c.value for c in sheet[1]][:5] == ["statement_id", "partner_id", "partner", "program", "period"]
    assert sheet.max_row == 3
    lines = manager.get(url("incentives:statements", program_id=computed.public_id) + "?period=2026-Q2&export=csv&lines=1")
    assert len(list(csv.DictReader(io.StringIO(lines.content.decode())))) == 3


def test_the_partner_sees_its_own_statements_and_gets_404_for_anothers(client, world, computed):
    client.force_login(world.a.partner1_admin)
    own, other = statement_of(world, world.a.partner1), statement_of(world, world.a.partner2)

    listing = client.get(url("partner_incentives:statements")).content.decode()
    page = client.get(url("partner_incentives:statement", statement_id=own.public_id))

    assert listing.count('data-testid="my-statement-row"') == 1 and "4,000.00 USD" in listing
    assert page.status_code == 200 and page.content.decode().count('data-testid="line-row"') == 2
    assert "Approve payout" not in page.content.decode()
    assert client.get(url("partner_incentives:statement", statement_id=other.public_id)).status_code == 404
    assert client.get(url("incentives:statement", statement_id=own.public_id)).status_code in (403, 404)


def test_a_bad_usage_file_re_renders_with_every_bad_row(manager, world):
    account(world.a, "Xylo", "xylo.example")
    data = b"account,metric,month,quantity\nnobody.example,api_calls,2026-04,1\nxylo.example,api_calls,2026-04,-1\n"
    upload = io.BytesIO(data)
    upload.name = "usage.csv"

    response = manager.post(url("incentives:usage_import"), {"file": upload})

    body = response.content.decode()
    assert response.status_code == 400 and body.count('data-testid="row-error"') == 2


# The statements page, as the database sees it: 13 statements on every page (session, user, tenant,
# savepoint + set_config, membership, the nav's tenant switcher, the scope closing: see the MDF tests),
# then: 1 the program (access), 2 the quarters with their totals (one GROUP BY), 3 count (paginator),
# 4 the page of statements with their partner joined.
STATEMENTS_QUERIES = 13 + 4


@pytest.mark.parametrize("partners", [1, 6])
def test_the_statements_page_costs_the_same_queries_for_1_or_6_partners(manager, world, partners, django_assert_num_queries):
    a = world.a
    with tenant_context(a.tenant.pk):
        extra = [
            PartnerFactory(tenant=a.tenant, name=f"Extra {n}", website_domain=f"extra{n}.example") for n in range(partners - 1)
        ]
    won_deal(a, a.partner1, a.partner1_admin, amount="1000", closed_on=day(2026, 4, 2), customer="Solo")
    prog = program(a)
    compute(a, prog)
    with tenant_context(a.tenant.pk):  # the other partners' statements, as rows (their deals are not the point here)
        template = RebateStatement.objects.get()
        for partner in extra:
            template.pk, template.public_id, template.partner = None, uuid.uuid4(), partner
            template.save()
    page = url("incentives:statements", program_id=prog.public_id)
    manager.get(page)
    with django_assert_num_queries(STATEMENTS_QUERIES):
        response = manager.get(page)
    assert response.content.decode().count('data-testid="statement-row"') == partners


def test_editing_a_program_shows_its_tiers_and_replaces_them(manager, world):
    prog = program(world.a)
    form = manager.get(url("incentives:program_edit", program_id=prog.public_id)).content.decode()
    assert 'value="100000.00"' in form and 'value="4"' in form

    manager.post(
        url("incentives:program_edit", program_id=prog.public_id), {**PROGRAM_POST, "threshold_1": "50000", "rate_1": "3.5"}
    )

    with tenant_context(world.a.tenant.pk):
        assert list(prog.rates.order_by("threshold").values_list("threshold", "rate")) == [
            (D("0"), D("2")),
            (D("50000"), D("3.5")),
        ]


def test_the_programs_list_exports_with_its_tiers(manager, world):
    program(world.a)

    rows = list(csv.DictReader(io.StringIO(manager.get(url("incentives:programs") + "?export=csv").content.decode())))

    assert [(r["name"], r["tiers"], r["status"]) for r in rows] == [("Growth rebate", "0.00:2; 100000.00:4", "active")]


# The partner's Rebates page: the 13 statements of every page, then 1 the set_config narrowing the scope
# to the partner, 2 count (paginator), 3 the page of its statements with the program joined.
PARTNER_LIST_QUERIES = 13 + 3


@pytest.mark.parametrize("quarters", [1, 3])
def test_the_partners_rebates_page_costs_the_same_queries_for_1_or_3_statements(
    client, world, quarters, django_assert_num_queries
):
    a = world.a
    prog = program(a)
    for n in range(quarters):  # one statement per quarter: a deal closed in each of 2026's first quarters
        won_deal(a, a.partner1, a.partner1_admin, amount="1000", closed_on=day(2026, 3 * n + 1, 5), customer=f"Q{n}")
        compute(a, prog, year=2026, quarter=n + 1)
    client.force_login(a.partner1_admin)
    client.get(url("partner_incentives:statements"))
    with django_assert_num_queries(PARTNER_LIST_QUERIES):
        response = client.get(url("partner_incentives:statements"))
    assert response.content.decode().count('data-testid="my-statement-row"') == quarters


def test_usage_figures_are_listed_filtered_and_exported(manager, world):
    a = world.a
    xylo = account(a, "Xylo", "xylo.example")
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        services.usage_figures_record(
            tenant=a.tenant,
            actor=a.manager,
            many=True,
            items=[
                {"account": xylo, "metric": "api_calls", "month": "2026-04", "quantity": "10"},
                {"account": xylo, "metric": "seats", "month": "2026-04", "quantity": "3"},
            ],
        )

    page = manager.get(url("incentives:usage") + "?metric=seats&month=2026-04").content.decode()
    export = manager.get(url("incentives:usage") + "?metric=api_calls&export=xlsx")

    assert page.count('data-testid="usage-row"') == 1 and "seats" in page
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in sheet[2]][:2] == ["2026-04", "api_calls"] and sheet.max_row == 2
