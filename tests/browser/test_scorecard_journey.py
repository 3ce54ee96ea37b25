"""The partner scorecard in a real browser, on the demo: Northwind's admin opens its scorecard from the
portal menu, picks the last 12 months and reads a definition; the manager opens the same card from
Northwind's page (screenshots for docs/scorecard.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_a_partner_reads_its_scorecard_and_the_manager_sees_the_same_card(page, acme, screenshot) -> None:
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/")
    page.get_by_role("button", name="Ecosystem").click()
    page.get_by_role("link", name="Scorecard").click()
    expect(page.get_by_role("heading", name="Your scorecard")).to_be_visible()
    page.get_by_label("Period").select_option("12m")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Period")).to_have_value("12m")
    submitted = page.get_by_test_id("value-registrations_submitted").inner_text()
    assert int(submitted) > 0  # Northwind registers deals in the demo
    revenue = page.get_by_test_id("value-revenue_won").inner_text()
    expect(page.get_by_test_id("value-health_score")).to_be_visible()
    docs_screenshot(page, "scorecard-partner", screenshot)
    card = page.get_by_test_id("card-approval_rate")
    card.get_by_text("What is this?").click()
    expect(card.get_by_test_id("definition-approval_rate")).to_be_visible()
    page.get_by_test_id("section-deals").evaluate("e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 70)")
    docs_screenshot(page, "scorecard-partner-figures", screenshot)
    page.get_by_test_id("section-mdf").evaluate("e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 70)")
    expect(page.get_by_test_id("value-mdf_approved")).to_be_visible()
    docs_screenshot(page, "scorecard-partner-mdf", screenshot)
    sign_out(page)

    with tenant_context(acme.pk):
        northwind = PartnerOrganization.objects.get(website_domain="northwind.example")
    log_in(page, "manager@acme.example")
    page.goto(f"/t/acme/partners/{northwind.public_id}/")
    page.get_by_test_id("scorecard-link").click()
    expect(page.get_by_role("heading", name="Scorecard of Northwind")).to_be_visible()
    page.get_by_label("Period").select_option("12m")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("value-registrations_submitted")).to_have_text(submitted)
    expect(page.get_by_test_id("value-revenue_won")).to_have_text(revenue)
    docs_screenshot(page, "scorecard-manager", screenshot)
