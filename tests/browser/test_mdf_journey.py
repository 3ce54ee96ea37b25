"""Market development funds in a real browser, on the demo: Northwind's admin asks for funds, the manager
approves them next to Northwind's remaining funds, Northwind files its claim with an invoice, the manager
approves the claim, and the campaigns page shows the spend and ROPI (screenshots for docs/mdf.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from ecosystem.accounts.models import User
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .test_deal_journey import DOCS, docs_screenshot
from .test_lifecycle_journey import log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVOICE = b"%PDF-1.4\n% booth invoice\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    tenant = Tenant.objects.get(slug="acme")
    # Until seed_demo calls this area's demo itself; it adds nothing when it already ran.
    from partners.mdf import demo

    with tenant_context(tenant.pk):
        partners = {p.website_domain: p for p in PartnerOrganization.objects.all()}
        demo.seed(tenant=tenant, owner=User.objects.get(email="owner@acme.example"), partners=partners)
    return tenant


def test_a_partner_requests_funds_the_manager_approves_the_partner_claims_and_the_spend_shows(
    page, acme, screenshot, tmp_path
) -> None:
    # The partner asks for funds, within what is left of its allocation this quarter.
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/mdf/")
    expect(page.get_by_role("heading", name="Market development funds")).to_be_visible()
    expect(page.get_by_test_id("funds-available")).to_contain_text("24,000.00")  # 40,000 − 12,000 − 4,000
    docs_screenshot(page, "mdf-partner-funds", screenshot)
    page.get_by_role("link", name="Request funds").click()
    today = timezone.localdate().isoformat()
    page.get_by_label("Activity").select_option("event")
    page.get_by_label("Campaign").fill("Partner breakfast briefing")
    page.get_by_label("Planned spend").fill("5000")
    page.get_by_label("Expected leads").fill("25")
    page.get_by_label("Expected pipeline").fill("80000")
    page.get_by_label("Starts").fill(today)
    page.get_by_label("Ends").fill(today)
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="Partner breakfast briefing")).to_be_visible()
    expect(page.get_by_text("Waiting for a decision")).to_be_visible()
    sign_out(page)

    # The manager approves it, reading Northwind's remaining funds beside the request.
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/mdf/requests/")
    row = page.get_by_test_id("request-row").filter(has_text="Partner breakfast briefing")
    expect(row.get_by_test_id("partner-remaining")).to_contain_text("24,000.00")
    # and what it is likely to bring, from the five demo campaigns that have ended (an event: all campaigns)
    expect(row.get_by_test_id("predicted-return")).to_contain_text("from 5 past campaigns (all campaigns)")
    docs_screenshot(page, "mdf-request-queue", screenshot)
    row.get_by_role("button", name="Decide").click()
    expect(page.get_by_text("Partner breakfast briefing: Approved.")).to_be_visible()
    sign_out(page)

    # The partner files the claim with its invoice.
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/mdf/")
    page.get_by_role("link", name="Partner breakfast briefing").click()
    invoice = tmp_path / "breakfast-invoice.pdf"
    invoice.write_bytes(INVOICE)
    page.get_by_label("Amount claimed").fill("4750")
    page.get_by_label("Leads generated").fill("31")
    page.get_by_label("Attendees").fill("42")
    page.set_input_files("#id_files", str(invoice))
    docs_screenshot(page, "mdf-claim", screenshot)
    page.get_by_role("button", name="File claim").click()
    expect(page.get_by_test_id("claim-status")).to_contain_text("Waiting for review")
    expect(page.get_by_role("link", name="breakfast-invoice.pdf")).to_be_visible()
    sign_out(page)

    # The manager approves the claim (it becomes payable) and reads the campaigns with their ROPI.
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/mdf/claims/")
    claim = page.get_by_test_id("claim-row").filter(has_text="Partner breakfast briefing")
    expect(claim.get_by_test_id("evidence-link")).to_have_text("breakfast-invoice.pdf")
    docs_screenshot(page, "mdf-claims", screenshot)
    claim.get_by_role("button", name="Decide").click()
    expect(page.get_by_text("Claim for Partner breakfast briefing: Approved, payable.")).to_be_visible()

    page.goto("/t/acme/mdf/")
    campaign = page.get_by_test_id("campaign-row").filter(has_text="Partner breakfast briefing")
    expect(campaign.get_by_test_id("campaign-spend")).to_have_text("4,750.00")
    summit = page.get_by_test_id("campaign-row").filter(has_text="Cloud summit booth")
    expect(summit.get_by_test_id("campaign-ropi")).to_have_text("5.57×")  # 64,000 won ÷ 11,500 spent
    # program: 64,000 + 52,000 + 36,000 won ÷ (11,500 + 8,800 + 3,800 + 1,900 + 3,000 + 4,750) spent
    # = 152,000 ÷ 33,750
    expect(page.get_by_test_id("program-ropi")).to_have_text("4.50×")
    docs_screenshot(page, "mdf-campaigns", screenshot)

    # The program metrics dashboard counts the claim in this quarter's MDF spend and ROPI.
    from attribution.insights.selectors import Period
    from partners.mdf.models import SPENT_STATUSES, MdfClaim

    quarter = Period.of(timezone.localdate())
    with tenant_context(acme.pk):
        claims = MdfClaim.objects.filter(
            status__in=SPENT_STATUSES, request__start_date__range=(quarter.start, quarter.end)
        ).values_list("approved_amount", flat=True)
        spend = sum(claims)
    assert spend >= 4750
    page.goto(f"/t/acme/insights/?period={quarter.year}-Q{quarter.quarter}")
    expect(page.get_by_role("heading", name="Program metrics")).to_be_visible()
    expect(page.get_by_test_id("mdf-spend")).to_have_text(f"{spend:,.2f}")
    expect(page.get_by_test_id("mdf-ropi")).not_to_be_empty()
    docs_screenshot(page, "insights-dashboard", screenshot)
    page.screenshot(path=str(DOCS / "insights-dashboard.png"), full_page=True)
    page.get_by_test_id("kpi-sourced").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Partner-sourced deals")).to_be_visible()
    docs_screenshot(page, "insights-rows", screenshot)
