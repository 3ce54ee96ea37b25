"""Operational SLAs in a real browser, on the demo data that `make run` seeds (eleven weeks of SLA history).

The manager opens the program dashboard, sees the SLA card, follows it to the SLA overview (each
SLA with its target, % within, median and breaches), tightens the co-sell target and sees a typing
error next to the field, then lists the breaches filtered to one SLA and opens a breached
registration. Northwind's admin sees its own SLA figures on its home page and its SLA page, and
none of another partner's breaches. The overview screenshot goes to docs/img/ for docs/slas.md.
"""

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


def test_a_manager_reads_the_slas_tightens_a_target_and_follows_a_breach(page, acme, screenshot) -> None:
    # 1. The dashboard's SLA card leads to the overview.
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/")
    card = page.get_by_test_id("sla-card")
    expect(card).to_contain_text("Vendor decides a deal registration")
    card.get_by_role("link", name="Details").click()
    page.wait_for_url("**/t/acme/slas/")

    # 2. Every SLA with target, attainment and breaches; the chart is drawn.
    overview = page.get_by_test_id("sla-overview")
    expect(overview.locator("tbody tr")).to_have_count(5)
    registration_row = page.locator("#sla-registration_decision")
    expect(registration_row.locator("input[type=number]")).to_have_value("48")
    expect(registration_row.get_by_test_id("attainment")).to_contain_text("%")
    expect(page.get_by_test_id("sla-by-partner")).to_contain_text("Northwind Traders")
    page.wait_for_function("() => document.getElementById('sla-chart').toDataURL().length > 2000")
    docs_screenshot(page, "sla-overview", screenshot)

    # 3. A target out of range is refused next to the field, what was typed kept; a valid one is saved.
    cosell = page.locator("#sla-cosell_answer")
    cosell.locator("input[type=number]").fill("1000")
    cosell.get_by_role("button", name="Save").click()
    expect(page.locator("#sla-cosell_answer").get_by_test_id("target-error")).to_be_visible()
    expect(page.locator("#sla-cosell_answer input[type=number]")).to_have_value("1000")
    page.locator("#sla-cosell_answer input[type=number]").fill("48")
    page.locator("#sla-cosell_answer").get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("SLA saved")
    expect(page.locator("#sla-cosell_answer input[type=number]")).to_have_value("48")

    # 4. The registration breaches, and one breached registration.
    registration_row = page.locator("#sla-registration_decision")
    registration_row.get_by_test_id("breaches").click()
    page.wait_for_url("**/t/acme/slas/breaches/**")
    breaches = page.get_by_test_id("sla-breaches")
    expect(breaches.locator("tbody tr").first).to_contain_text("Vendor decides a deal registration")
    expect(breaches).not_to_contain_text("Partner accepts or declines an offered lead")
    breaches.locator("tbody tr").first.locator("td").nth(2).get_by_role("link").click()
    page.wait_for_url("**/t/acme/deals/registrations/**")

    # 5. Northwind's admin: its own figures at home and on its SLA page, nobody else's breaches.
    sign_out(page)
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/")
    home_card = page.get_by_test_id("sla-card")
    expect(home_card).to_contain_text("Partner accepts or declines an offered lead")
    home_card.get_by_role("link", name="Details").click()
    page.wait_for_url("**/p/acme/slas/")
    expect(page.get_by_test_id("my-sla-figures")).to_contain_text("Vendor decides a deal registration")
    mine = page.get_by_test_id("sla-breaches")
    expect(mine).not_to_contain_text("Fabrikam")
    expect(mine).not_to_contain_text("Tailspin")
    screenshot(page, "sla-partner-page")
