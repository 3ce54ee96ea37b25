"""Deal registration in a real browser: a partner registers, meets a conflict, a manager approves it, the partner is protected.

On the demo data that `make run` seeds, plus the program's product lines and one registration by
another partner (Fabrikam) of "Initech Inc.". Northwind's admin registers "Initech" under another
web address: the precheck warns while they type, the registration lands "Conflict, under review"
(a very similar customer name) and names nobody. The partner manager opens it, sees the conflict
side by side, and approves it; Northwind then sees "Approved, protected until …". Screenshots go to
docs/img/ for docs/partner.md and docs/partner-manager.md.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import formats, timezone
from playwright.sync_api import expect

from deals.models import DealRegistration
from deals.tests.support import product_lines_for, submit_as
from ecosystem.accounts.models import User
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .test_lifecycle_journey import log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture
def acme(transactional_db) -> Tenant:
    """The demo tenant, with product lines and Fabrikam's registration of Initech Inc. (committed for the live server)."""
    call_command("seed_demo", verbosity=0)
    tenant = Tenant.objects.get(slug="acme")
    product_lines_for(tenant)
    with tenant_context(tenant.pk):
        fabrikam = PartnerOrganization.objects.get(website_domain="fabrikam.example")
    submit_as(tenant, fabrikam, User.objects.get(email="owner@acme.example"), customer_name="Initech Inc.")
    return tenant


def docs_screenshot(page, name: str, screenshot) -> None:
    screenshot(page, name)
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"{name}.png"))


def test_a_partner_registers_a_conflicting_deal_a_manager_approves_it_and_the_partner_is_protected(page, acme, screenshot):
    # The partner registers: the precheck warns while they type, without saying who.
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/")
    page.get_by_role("link", name="Deals", exact=True).click()
    expect(page.get_by_role("heading", name="My registrations")).to_be_visible()
    page.get_by_role("link", name="Register a deal").click()
    expect(page.get_by_test_id("registration-form")).to_be_visible()
    page.locator("#id_customer_name").fill("Initech")
    page.locator("#id_customer_domain").fill("initech-global.example")
    precheck = page.get_by_test_id("precheck")
    expect(precheck).to_have_attribute("data-outcome", "likely_conflict")
    expect(precheck).to_contain_text("You can still submit; a manager will review it.")
    expect(page.locator("main")).not_to_contain_text("Fabrikam")
    page.locator("#id_contact_name").fill("Peter Gibbons")
    page.locator("#id_contact_email").fill("peter@initech-global.example")
    page.get_by_label("Compute").check()
    page.locator("#id_solution").fill("Data centre exit to Acme Cloud")
    page.locator("#id_value").fill("120000")
    page.locator("#id_expected_close_date").fill((timezone.localdate() + datetime.timedelta(days=75)).isoformat())
    page.locator("#id_stage").select_option("qualification")
    page.locator("#id_notes").fill("Met the CIO at the Berlin roadshow.")
    page.evaluate("window.scrollTo(0, 0)")  # the customer and the precheck's answer, side by side
    docs_screenshot(page, "partner-deal-register", screenshot)
    page.get_by_role("button", name="Register the deal").click()

    expect(page.get_by_test_id("status")).to_have_text("Conflict, under review")
    expect(page.get_by_test_id("evidence")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Fabrikam")
    with tenant_context(acme.pk):
        registration = DealRegistration.objects.get(customer_name="Initech")
    assert registration.status == "under_review"

    # The manager sees the conflict side by side and approves.
    sign_out(page)
    log_in(page, "manager@acme.example")
    page.goto(f"/t/acme/deals/registrations/{registration.public_id}/")
    panel = page.get_by_test_id("conflict-panel")
    expect(panel).to_contain_text("Fabrikam Software")
    expect(panel).to_contain_text("Northwind Traders")
    docs_screenshot(page, "manager-deal-conflict", screenshot)
    approve = page.locator("form[action$='/approve/']")
    approve.locator("textarea, input[type=text]").first.fill("Initech Global is a separate company from Initech Inc.")
    approve.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved; the partner was told.")).to_be_visible()

    # The partner sees its protection.
    with tenant_context(acme.pk):
        registration.refresh_from_db()
    assert registration.status == "approved" and registration.protected_until > timezone.localdate()
    expiry = formats.date_format(registration.protected_until, "DATE_FORMAT")
    sign_out(page)
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/deals/")
    row = page.locator("tr", has_text="Initech")
    expect(row.get_by_test_id("status")).to_have_text(f"Approved, protected until {expiry}")
    row.get_by_role("link", name="Initech").click()
    expect(page.get_by_test_id("status")).to_have_text(f"Approved, protected until {expiry}")
    expect(page.get_by_test_id("protected-until")).to_have_text(expiry)
    expect(page.get_by_test_id("history")).to_contain_text("Initech Global is a separate company from Initech Inc.")
    expect(page.locator("main")).not_to_contain_text("Fabrikam")
    docs_screenshot(page, "partner-deal-approved", screenshot)
