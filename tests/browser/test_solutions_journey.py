"""Joint solutions in a real browser: a partner proposes one with another partner, the other accepts, the manager
approves it, a deal registration references it and both partners are on the deal's team.

On the demo data that `make run` seeds. Northwind's admin proposes "Smart Store Starter" (Northwind
delivers the hardware and licences as distributor) and invites Contoso Managed Services to run it.
Contoso's admin accepts under Joint solutions → Invitations. Northwind submits it, the partner
manager approves it into market, and Northwind registers a deal for it: Contoso is on the deal's
co-sell team at once, in the implementation role. Screenshots go to docs/img/ for docs/joint-solutions.md.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from deals.models import DealParticipant, DealRegistration
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.solutions.models import JointSolution

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import email_to, log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Smart Store Starter"
CUSTOMER = "Duff Beverages"


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_a_partner_proposes_a_solution_the_other_accepts_the_manager_approves_and_a_deal_brings_both_on(page, acme, screenshot):
    # 1. Northwind's admin proposes the solution with its own part in it.
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/solutions/")
    expect(page.get_by_test_id("catalogue")).to_contain_text("Retail Cloud in a Box")  # the demo's solution in market
    docs_screenshot(page, "solutions-catalogue", screenshot)
    page.get_by_role("link", name="Propose a solution").click()
    page.locator("#id_name").fill(NAME)
    page.locator("#id_summary").fill("Tills, stock and a managed network for small stores, live in two weeks.")
    page.locator("#id_industries").fill("Retail")
    page.get_by_label("Europe, Middle East and Africa").check()
    page.locator("#id_role").select_option("distributor_fulfilment")
    page.locator("#id_description").fill("Hardware bundles and licences")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("h1")).to_contain_text(NAME)
    expect(page.get_by_test_id("solution-status")).to_have_attribute("data-status", "draft")

    # 2. It invites Contoso to run the stores' systems.
    page.get_by_role("searchbox", name="Find a partner by name").fill("contoso")
    page.get_by_role("button", name="Find").click()
    partner_select = page.locator("#id_partner")
    expect(partner_select.locator("option")).to_have_count(2)  # "—" and Contoso only
    partner_select.select_option(label="Contoso Managed Services (Managed service provider)")
    page.locator("#id_role").select_option("msp_managed_service")
    page.locator("#id_description").fill("Runs the stores' network and tills, 24x7")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("alert").filter(has_text="Invitation sent to Contoso Managed Services.")).to_be_visible()
    contoso_row = page.get_by_test_id("component").filter(has_text="Contoso Managed Services")
    expect(contoso_row).to_have_attribute("data-status", "invited")
    page.get_by_test_id("submit-solution").click()  # too early: Contoso has not answered
    expect(page.get_by_role("alert").filter(has_text="have not answered yet")).to_be_visible()
    assert "Accept or decline here" in email_to("admin@contoso-ms.example", NAME).body
    sign_out(page)

    # 3. Contoso's admin accepts under Joint solutions → Invitations.
    log_in(page, "admin@contoso-ms.example")
    page.goto("/p/acme/solutions/")
    page.get_by_test_id("invitations-link").click()
    invitation = page.get_by_test_id("solution-invitation")
    expect(invitation).to_have_count(1)
    expect(invitation).to_contain_text(NAME)
    expect(invitation).to_contain_text("MSP managed service")
    expect(invitation).to_contain_text("Proposed by Northwind Traders")
    docs_screenshot(page, "solutions-invitation", screenshot)
    invitation.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("alert").filter(has_text=f"You are part of {NAME}.")).to_be_visible()
    expect(page.get_by_test_id("component").filter(has_text="Contoso Managed Services")).to_have_attribute(
        "data-status", "accepted"
    )
    sign_out(page)

    # 4. Northwind submits it for approval.
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/solutions/")
    page.get_by_test_id("our-solutions").get_by_role("link", name=NAME).click()
    page.get_by_test_id("submit-solution").click()
    expect(page.get_by_test_id("solution-status")).to_have_attribute("data-status", "proposed")
    sign_out(page)

    # 5. The partner manager approves it into market.
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/solutions/?status=proposed")
    page.get_by_test_id("solutions-table").get_by_role("link", name=NAME).click()
    expect(page.get_by_test_id("orchestrator")).to_have_text("Northwind Traders")
    page.get_by_test_id("approve").click()
    expect(page.get_by_role("alert").filter(has_text=f"{NAME} is in market.")).to_be_visible()
    expect(page.get_by_test_id("solution-status")).to_have_attribute("data-status", "in_market")
    with tenant_context(acme.pk):
        solution = JointSolution.objects.get(name=NAME)
    assert solution.status == "in_market" and solution.launched_at is not None
    sign_out(page)

    # 6. Northwind registers a deal for the solution: Contoso is on the deal's team at once.
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/deals/register/")
    page.locator("#id_customer_name").fill(CUSTOMER)
    page.locator("#id_customer_domain").fill("duff.example")
    page.locator("#id_contact_name").fill("Duffman")
    page.get_by_label("Compute").check()
    page.locator("#id_joint_solution").select_option(label=NAME)
    page.locator("#id_value").fill("64000")
    page.locator("#id_expected_close_date").fill((timezone.localdate() + datetime.timedelta(days=45)).isoformat())
    page.get_by_role("button", name="Register the deal").click()
    expect(page.get_by_test_id("joint-solution")).to_contain_text(NAME)
    with tenant_context(acme.pk):
        registration = DealRegistration.objects.get(customer_name=CUSTOMER)
        team = {
            p.partner.name: p.role for p in DealParticipant.objects.filter(registration=registration).select_related("partner")
        }
    assert registration.joint_solution_id == solution.pk
    assert team == {"Northwind Traders": "sourcing", "Contoso Managed Services": "implementation"}

    page.get_by_test_id("cosell-team-link").click()
    rows = page.get_by_test_id("team").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Northwind Traders")
    expect(rows.nth(1)).to_contain_text("Contoso Managed Services")
    expect(rows.nth(1)).to_contain_text("Implementation")
    docs_screenshot(page, "solutions-deal-team", screenshot)
    sign_out(page)

    # 7. The manager's page of the solution: its components, the deal and its figures.
    log_in(page, "manager@acme.example")
    page.goto(f"/t/acme/solutions/{solution.public_id}/")
    expect(page.get_by_test_id("solution-deals")).to_contain_text(CUSTOMER)
    expect(page.get_by_test_id("open-value")).to_contain_text("64")
    docs_screenshot(page, "solutions-detail", screenshot)
