"""Partner health in a real browser, on the demo data: the manager reads the list (lowest first) and a
partner's score with its components, top actions and trend (screenshot for docs/health-score.md); the
settings page shows the weights; Northwind's admin reads its own score (screenshot)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.tenancy.models import Tenant

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_a_manager_reads_partner_health_and_a_partner_its_own(page, acme, screenshot) -> None:
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/")
    page.get_by_role("button", name="Ecosystem").click()
    page.get_by_role("link", name="Partner health").click()
    expect(page.get_by_role("heading", name="Partner health")).to_be_visible()
    rows = page.get_by_test_id("health-row")
    expect(rows.first).to_be_visible()
    totals = [int(r.locator("td").nth(2).inner_text()) for r in rows.all()]
    assert totals == sorted(totals)  # lowest first
    rows.first.get_by_role("link").click()
    expect(page.get_by_test_id("health-components")).to_be_visible()
    expect(page.get_by_test_id("health-actions").locator("li").first).to_be_visible()
    expect(page.locator("#health-trend")).to_be_visible()
    docs_screenshot(page, "health-partner", screenshot)
    page.goto("/t/acme/health/settings/")
    expect(page.get_by_label("Weight: Engagement")).to_have_value("25.0")

    sign_out(page)
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/")
    page.get_by_role("button", name="Ecosystem").click()
    page.get_by_role("link", name="Health score").click()
    expect(page.get_by_role("heading", name="Your health score")).to_be_visible()
    expect(page.get_by_test_id("health-total")).to_be_visible()
    docs_screenshot(page, "partner-health", screenshot)
