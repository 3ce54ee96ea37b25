"""Incentives and rebates in a real browser, on the demo: the manager reads the Growth rebate program
(marginal tiers 0 → 2 %, 100,000 → 4 % on closed-won revenue), computes last quarter now, opens
Northwind's statement with the deals that counted and approves the payout; Northwind's admin opens its own statement under Rebates
(screenshots for docs/incentives.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from attribution.economics.selectors import default_quarter
from attribution.incentives import demo as incentives_demo
from attribution.incentives.models import RebateProgram, RebateStatement
from ecosystem.accounts.models import User
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    tenant = Tenant.objects.get(slug="acme")
    owner = User.objects.get(email="owner@acme.example")
    with tenant_context(tenant.pk, user_id=owner.pk):
        # seed_demo runs this too; seeding twice changes nothing
        partners = {p.website_domain: p for p in PartnerOrganization.objects.filter(tenant=tenant)}
        incentives_demo.seed(tenant=tenant, owner=owner, partners=partners)
    return tenant


def test_a_manager_computes_and_approves_a_rebate_and_the_partner_opens_its_statement(page, acme, screenshot) -> None:
    year, quarter = default_quarter()
    with tenant_context(acme.pk):
        program = RebateProgram.objects.get(name="Growth rebate")
        northwind = RebateStatement.objects.select_related("partner").get(
            program=program, year=year, quarter=quarter, partner__website_domain="northwind.example"
        )
        statements = RebateStatement.objects.filter(program=program, year=year, quarter=quarter).count()
    # the definition, by hand: 2 % of the first 100,000 closed won, 4 % of the rest
    measured = northwind.measured_total
    expected = min(measured, Decimal(100000)) * Decimal("0.02") + max(measured - Decimal(100000), Decimal(0)) * Decimal("0.04")
    expected_rebate = f"{expected.quantize(Decimal('0.01')):,.2f}"
    assert northwind.rebate_amount == expected.quantize(Decimal("0.01"))

    log_in(page, "manager@acme.example")
    page.goto("/t/acme/")
    page.get_by_role("button", name="Ecosystem").or_(page.get_by_role("link", name="Ecosystem")).first.click()
    page.get_by_role("link", name="Incentives").click()
    expect(page.get_by_role("heading", name="Incentives and rebates")).to_be_visible()
    page.get_by_role("link", name="Growth rebate").click()
    expect(page.get_by_test_id("rate-tiers")).to_contain_text("100,000.00")
    expect(page.get_by_test_id("period-row").first).to_contain_text(f"{year} Q{quarter}")
    docs_screenshot(page, "incentives-program", screenshot)

    # Compute now: last quarter again; every statement is still computed, so each is replaced.
    expect(page.get_by_label("Quarter")).to_have_value(f"{year}-Q{quarter}")
    page.get_by_role("button", name="Compute now").click()
    expect(page.get_by_text(f"{year} Q{quarter} computed: 0 new statements, {statements} replaced")).to_be_visible()
    expect(page.get_by_test_id("statement-row")).to_have_count(statements)
    docs_screenshot(page, "incentives-statements", screenshot)

    row = page.get_by_test_id("statement-row").filter(has_text="Northwind Traders")
    expect(row.get_by_test_id("statement-rebate")).to_have_text(expected_rebate)
    row.get_by_role("link", name="Northwind Traders").click()
    expect(page.get_by_test_id("statement-rebate")).to_have_text(expected_rebate)
    expect(page.get_by_test_id("line-row").first).to_be_visible()
    page.get_by_role("button", name="Approve payout").click()
    expect(page.get_by_text("Payout approved: Northwind Traders")).to_be_visible()
    expect(page.get_by_test_id("statement-status")).to_have_text("Approved for payout")
    expect(page.get_by_text("This statement is settled")).to_be_visible()
    docs_screenshot(page, "incentives-statement", screenshot)
    sign_out(page)

    # Northwind's admin reads its own rebate and what counted.
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/rebates/")
    expect(page.get_by_role("heading", name="Rebates")).to_be_visible()
    mine = page.get_by_test_id("my-statement-row").filter(has_text="Growth rebate")
    expect(mine).to_contain_text(expected_rebate)
    mine.get_by_role("link").click()
    expect(page.get_by_test_id("statement-status")).to_have_text("Approved for payout")
    expect(page.get_by_test_id("line-row").first).to_be_visible()
    expect(page.get_by_role("button", name="Approve payout")).to_have_count(0)
    docs_screenshot(page, "incentives-partner-statement", screenshot)
