"""Joint business plans in a real browser, on the demo data `make run` seeds.

A partner manager opens Northwind's plan for this quarter: the goals table with actuals (computed, or
"entered by the vendor"), the Chart.js charts of goal against actual, initiatives and the shared status.
Northwind's admin then opens the same plan in the partner portal and sets the status; the manager sees who
changed it. Screenshot for docs/business-plans.md: docs/img/plans-detail.png.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .test_deal_journey import DOCS
from .test_lifecycle_journey import log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db):
    call_command("seed_demo", verbosity=0)


def test_the_vendor_and_the_partner_work_one_plan(page, acme, screenshot):
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/plans/")
    expect(page.get_by_role("heading", name="Joint business plans")).to_be_visible()
    page.get_by_role("link", name="Northwind Traders", exact=False).first.click()
    expect(page.get_by_test_id("plan-title")).to_contain_text("Northwind Traders")
    goals = page.get_by_test_id("goals")
    expect(goals).to_contain_text("Closed-won revenue")
    expect(goals).to_contain_text("entered by the vendor")
    expect(page.locator("#plan-charts canvas")).to_have_count(6)
    expect(page.get_by_test_id("initiatives")).to_contain_text("Joint webinar")
    screenshot(page, "plans-detail")
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "plans-detail.png"), full_page=True)  # the charts sit below the fold

    sign_out(page)
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/plans/")
    page.get_by_role("link", name="Northwind Traders", exact=False).first.click()
    expect(page.locator("#plan-charts canvas")).to_have_count(6)
    page.locator("#id_health").select_option("on_track")
    page.locator("#id_note").fill("Both certifications booked for next week.")
    page.get_by_role("button", name="Save status").click()
    expect(page.get_by_test_id("plan-health")).to_contain_text("On track")

    sign_out(page)
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/plans/")
    page.get_by_role("link", name="Northwind Traders", exact=False).first.click()
    expect(page.locator("p", has_text="Both certifications booked for next week.")).to_be_visible()
    expect(page.get_by_text("Updated by Nora Northwind")).to_be_visible()
