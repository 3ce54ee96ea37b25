"""Co-selling in a real browser: a partner invites another onto its deal, the other accepts and sees only what it may.

On the demo data that `make run` seeds, plus notes on Northwind's approved "Tyrell Corporation"
registration and a partner admin for Fabrikam Software (the demo has no Fabrikam login).
Northwind's admin opens Tyrell, follows "Co-sell team", finds Fabrikam and invites it as the
implementation partner. Fabrikam's admin (emailed) accepts under Deals → Co-selling → Co-sell
invitations and lands on the co-sell deal page: customer, stage, expected close, product lines,
solution and team, but never Northwind's value, notes or customer contact, and Tyrell's own
registration page stays closed to it. Screenshots go to docs/img/ for docs/partner.md.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from playwright.sync_api import expect

from deals.models import DealParticipant, DealRegistration
from ecosystem.accounts.models import Role, User
from ecosystem.accounts.services import membership_add
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import email_to, log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER = "Tyrell Corporation"
NOTES = "Budget signed off by the CFO; keep the discount under 12%."
SOLUTION = "Replicant data lake on Acme Cloud"
FABRIKAM_ADMIN = "admin@fabrikam.example"
FABRIKAM_PASSWORD = "fabrikam-Builds-2026"
MESSAGE = "Can your team run the migration? Go-live is planned for the autumn."
VALUE = re.compile(r"340[,.\s\u00a0\u202f]?000")  # 340000 however it is formatted


@pytest.fixture
def acme(transactional_db) -> Tenant:
    """The demo tenant, Tyrell's notes and solution, and Fabrikam's partner admin (committed for the live server)."""
    call_command("seed_demo", verbosity=0)
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant.pk):
        DealRegistration.objects.filter(tenant=tenant, customer_name=CUSTOMER).update(notes=NOTES, solution=SOLUTION)
        fabrikam = PartnerOrganization.objects.get(tenant=tenant, website_domain="fabrikam.example")
        user = User.objects.create_user(FABRIKAM_ADMIN, FABRIKAM_PASSWORD, full_name="Fiona Fabrikam")
        EmailAddress.objects.create(user=user, email=FABRIKAM_ADMIN, verified=True, primary=True)
        membership_add(tenant=tenant, actor=None, user=user, role=Role.PARTNER_ADMIN, partner=fabrikam)
    return tenant


def test_northwind_invites_fabrikam_onto_its_deal_and_fabrikam_sees_it_without_the_value(page, acme, screenshot) -> None:
    with tenant_context(acme.pk):
        registration = DealRegistration.objects.get(tenant=acme, customer_name=CUSTOMER)
    assert registration.status == "approved"
    registration_path = f"/p/acme/deals/{registration.public_id}/"

    # 1. Northwind's admin opens its own registration: the value, notes and contact are there.
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/")
    page.locator("nav.navbar").get_by_role("link", name="Deals", exact=True).click()
    page.locator("tr", has_text=CUSTOMER).get_by_role("link", name=CUSTOMER).click()
    page.wait_for_url(f"**{registration_path}")
    main = page.locator("main")
    expect(main).to_contain_text(VALUE)
    expect(main).to_contain_text(NOTES)
    expect(main).to_contain_text("Jordan Buyer")

    # 2. Co-sell team: find Fabrikam, invite it as the implementation partner.
    page.get_by_test_id("cosell-team-link").click()
    page.wait_for_url(f"**/p/acme/cosell/registrations/{registration.public_id}/team/")
    expect(page.locator("h1")).to_have_text(f"Co-sell team: {CUSTOMER}")
    team = page.get_by_test_id("team")
    expect(team.locator("tbody tr")).to_have_count(1)
    expect(team.locator("tbody tr").first).to_contain_text("Northwind Traders")
    expect(team.locator("tbody tr").first).to_contain_text("registered the deal")
    page.get_by_role("searchbox", name="Find a partner by name").fill("fabrik")
    page.get_by_role("button", name="Find").click()
    partner_select = page.locator("#id_partner")
    expect(partner_select.locator("option")).to_have_count(2)  # "—" and Fabrikam only
    partner_select.select_option(label="Fabrikam Software (Independent software vendor)")
    page.locator("#id_role").select_option("implementation")
    page.locator("#id_message").fill(MESSAGE)
    page.get_by_role("button", name="Send invitation").click()

    page.wait_for_url(f"**/p/acme/cosell/registrations/{registration.public_id}/team/")
    expect(page.get_by_role("alert").filter(has_text="Invitation sent to Fabrikam Software.")).to_be_visible()
    fabrikam_row = team.locator("tbody tr", has_text="Fabrikam Software")
    expect(fabrikam_row).to_contain_text("Implementation")
    expect(fabrikam_row).to_contain_text("Invited")
    expect(fabrikam_row.get_by_role("button", name="Withdraw")).to_be_visible()
    docs_screenshot(page, "partner-cosell-invite", screenshot)
    invitation_email = email_to(FABRIKAM_ADMIN, CUSTOMER)
    assert "340" not in invitation_email.body and NOTES not in invitation_email.body
    sign_out(page)

    # 3. Fabrikam's admin answers under Deals → Co-selling → Co-sell invitations.
    log_in(page, FABRIKAM_ADMIN, FABRIKAM_PASSWORD)
    page.goto("/p/acme/")
    page.locator("nav.navbar").get_by_role("link", name="Deals", exact=True).click()
    page.get_by_role("link", name="Co-selling").click()
    expect(page.locator("h1")).to_have_text("Deals we co-sell")
    expect(page.get_by_test_id("cosell-deal")).to_have_count(0)
    page.get_by_role("link", name="Co-sell invitations").click()
    expect(page.locator("h1")).to_have_text("Co-sell invitations")
    invitation = page.get_by_test_id("invitation")
    expect(invitation).to_have_count(1)
    expect(invitation.locator("h2")).to_have_text(CUSTOMER)
    expect(invitation.locator("dd")).to_contain_text(["Northwind Traders", "Implementation", "Data, Security", MESSAGE])
    expect(main).not_to_contain_text(VALUE)
    expect(main).not_to_contain_text(NOTES)
    expect(main).not_to_contain_text("Jordan Buyer")
    screenshot(page, "cosell-01-invitation")
    invitation.get_by_role("button", name="Accept").click()

    # 4. The co-sell deal page: what a team member may see, and nothing of Northwind's own.
    page.wait_for_url(f"**/p/acme/cosell/deals/{registration.public_id}/")
    expect(page.get_by_role("alert").filter(has_text="You are on the team of this deal.")).to_be_visible()
    expect(page.locator("h1")).to_have_text(CUSTOMER)
    expect(main).to_contain_text("You co-sell this deal as Implementation.")
    expect(page.get_by_test_id("stage")).to_have_text("Proposal")
    expect(main).to_contain_text("Data, Security")
    expect(main).to_contain_text(SOLUTION)
    expect(main).to_contain_text(registration.expected_close_date.isoformat())
    rows = page.get_by_test_id("team").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Northwind Traders")
    expect(rows.nth(0)).to_contain_text("Sourcing")
    expect(rows.nth(1)).to_contain_text("Fabrikam Software")
    expect(rows.nth(1)).to_contain_text("On the team")
    expect(main).not_to_contain_text(VALUE)
    expect(main).not_to_contain_text("USD")
    expect(main).not_to_contain_text(NOTES)
    expect(main).not_to_contain_text("Jordan Buyer")
    expect(main).not_to_contain_text("jordan@tyrell.example")
    expect(main).not_to_contain_text("Strong sponsor at the customer.")  # the manager's decision reason
    docs_screenshot(page, "partner-cosell-deal", screenshot)

    page.get_by_role("link", name="Deals we co-sell").click()
    expect(page.get_by_test_id("cosell-deal")).to_have_count(1)
    expect(page.get_by_test_id("cosell-deal")).to_contain_text(CUSTOMER)
    expect(page.get_by_test_id("cosell-deal")).to_contain_text("Implementation")

    # Northwind's own registration page stays closed to Fabrikam.
    response = page.goto(registration_path)
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text(VALUE)
    sign_out(page)

    # 5. Northwind sees Fabrikam on the team.
    log_in(page, "admin@northwind.example")
    page.goto(f"/p/acme/cosell/registrations/{registration.public_id}/team/")
    fabrikam_row = page.get_by_test_id("team").locator("tbody tr", has_text="Fabrikam Software")
    expect(fabrikam_row).to_contain_text("On the team")
    expect(fabrikam_row.get_by_role("button", name="Remove")).to_be_visible()

    # And in the database.
    with tenant_context(acme.pk):
        participants = dict(
            DealParticipant.objects.filter(tenant=acme, registration=registration).values_list("partner__website_domain", "role")
        )
        statuses = set(DealParticipant.objects.filter(tenant=acme, registration=registration).values_list("status", flat=True))
    assert participants == {"northwind.example": "sourcing", "fabrikam.example": "implementation"}
    assert statuses == {"accepted"}
