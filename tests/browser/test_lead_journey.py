"""Leads in a real browser: a manager creates a lead and offers it to a partner, the partner accepts and registers the deal.

On the demo data that `make run` seeds. The partner manager creates "Hooli" under Leads, tries to
offer it to Contoso (refused: Contoso has not finished onboarding), then offers it to Northwind
with a note saying why; the lead page shows the offer and that "why". Northwind's admin finds it
under Leads (and got an email), accepts it, and converts it into a deal registration from the
lead's data; the manager then sees the lead converted and linked to the registration.
Screenshots go to docs/img/ for docs/partner-manager.md and docs/partner.md.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from deals.models import DealRegistration, Lead, LeadOffer
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import email_to, link_in, log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPANY = "Hooli"
DOMAIN = "hooli.example"
NOTE = "Northwind's Berlin team already runs Hooli's data platform."


@pytest.fixture
def acme(transactional_db) -> Tenant:
    """The demo tenant, seeded exactly as `make run` seeds it (committed: the live server must see it)."""
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def partner_id(tenant: Tenant, domain: str) -> str:
    with tenant_context(tenant.pk):
        return str(PartnerOrganization.objects.get(tenant=tenant, website_domain=domain).public_id)


def test_a_manager_offers_a_lead_to_northwind_who_accepts_and_registers_the_deal(page, acme, screenshot) -> None:
    # 1. The manager creates the lead: Leads in the top bar, then New lead.
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/")
    page.locator("nav.navbar").get_by_role("link", name="Leads", exact=True).click()
    page.wait_for_url("**/t/acme/leads/")
    expect(page.locator("h1")).to_have_text("Leads")
    page.get_by_role("link", name="New lead").click()
    expect(page.locator("h1")).to_have_text("New lead")
    page.locator("#id_company_name").fill(COMPANY)
    page.locator("#id_domain").fill(f"https://www.{DOMAIN}/")
    page.locator("#id_contact_name").fill("Gavin Belson")
    page.locator("#id_contact_email").fill(f"gavin@{DOMAIN}")
    page.locator("#id_region").select_option("emea")
    page.locator("#id_partner_type").select_option("reseller")
    page.get_by_label("Data", exact=True).check()
    page.locator("#id_estimated_value").fill("60000")
    page.locator("#id_currency").fill("usd")
    page.locator("#id_notes").fill("Asked at the Hamburg summit for a partner to move their analytics.")
    screenshot(page, "lead-01-new-lead", full_page=True)
    page.get_by_role("button", name="Create lead").click()

    page.wait_for_url(re.compile(r"/t/acme/leads/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("alert").filter(has_text=f"Lead {COMPANY} created.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text(COMPANY)
    expect(page.locator("h1 .badge")).to_have_text("Not offered yet")
    expect(page.locator("main")).to_contain_text(DOMAIN)  # normalised from the URL typed
    expect(page.locator("main")).to_contain_text("linked to the customer account")
    expect(page.locator("main")).to_contain_text("60,000.00 USD")
    expect(page.get_by_text("Not offered yet.")).to_be_visible()  # no offer in the history
    expect(page.get_by_role("button", name="Route to the best-fitting partner")).to_be_visible()
    lead_path = re.search(r"/t/acme/leads/[0-9a-f-]{36}/", page.url)[0]

    # 2. Contoso is refused (its onboarding is not done); Northwind gets the lead, with the reason why.
    offer_form = page.locator("form[action$='/offer/']")
    offer_form.locator("#offer-partner").select_option(partner_id(acme, "contoso-ms.example"))
    offer_form.get_by_role("button", name="Offer").click()
    expect(page.locator(".invalid-feedback")).to_have_text(
        "This partner has not finished onboarding, so it has no sales access yet."
    )
    expect(page.locator("h1 .badge")).to_have_text("Not offered yet")
    offer_form = page.locator("form[action$='/offer/']")
    offer_form.locator("#offer-partner").select_option(partner_id(acme, "northwind.example"))
    offer_form.locator("#offer-note").fill(NOTE)
    offer_form.get_by_role("button", name="Offer").click()

    page.wait_for_url(f"**{lead_path}")
    expect(page.get_by_role("alert").filter(has_text="Offered to Northwind Traders.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Offered")
    expect(page.locator("dd", has_text="Northwind Traders")).to_contain_text("left)")  # answer by … (… left)
    offers = page.locator(".col-lg-7 .card")
    expect(offers).to_have_count(1)
    expect(offers.first).to_contain_text("Northwind Traders")
    expect(offers.first.locator(".badge")).to_have_text("Waiting for an answer")
    expect(offers.first).to_contain_text("chosen by manager@acme.example")
    expect(offers.first).to_contain_text(f"Chosen by a manager. {NOTE}")
    expect(page.get_by_role("button", name="Route to the best-fitting partner")).to_have_count(0)  # offered: no routing
    docs_screenshot(page, "manager-lead-offer", screenshot)

    # Northwind's admin is emailed a link to the lead.
    email = email_to("admin@northwind.example", "/p/acme/leads/")
    my_lead_path = link_in(email, "/p/acme/leads/")
    sign_out(page)

    # 3. Northwind's admin finds it under Leads and accepts it.
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/")
    page.locator("nav.navbar").get_by_role("link", name="Leads", exact=True).click()
    page.wait_for_url("**/p/acme/leads/")
    expect(page.locator("h1")).to_have_text("Leads for us")
    row = page.locator("tbody tr", has_text=COMPANY)
    expect(row.locator(".badge")).to_have_text("Offered")
    expect(row).to_contain_text("Europe, Middle East and Africa")
    expect(row).to_contain_text("left)")
    row.get_by_role("link", name=COMPANY).click()
    page.wait_for_url(f"**{my_lead_path}")
    expect(page.locator("h1")).to_contain_text(COMPANY)
    expect(page.locator("h1 .badge")).to_have_text("Offered")
    details = page.locator("main dl")
    expect(details).to_contain_text(DOMAIN)
    expect(details).to_contain_text("Gavin Belson")
    expect(details).to_contain_text("60,000.00 USD")
    expect(page.locator("main")).to_contain_text("Asked at the Hamburg summit")
    expect(page.get_by_role("button", name="Accept")).to_be_visible()
    expect(page.get_by_role("textbox", name="Why you decline")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Contoso")  # nothing about other partners
    expect(page.locator("main")).not_to_contain_text(NOTE)  # the manager's "why" is for the vendor only
    docs_screenshot(page, "partner-lead-accept", screenshot)
    page.get_by_role("button", name="Accept").click()

    page.wait_for_url(f"**{my_lead_path}")
    expect(page.get_by_role("alert").filter(has_text="Lead accepted. Register the deal when you are ready.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Accepted")
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)

    # 4. …and converts it into a registration: the customer's data comes from the lead.
    page.get_by_role("link", name="Register the deal").click()
    expect(page.locator("h1")).to_have_text(f"Register the deal with {COMPANY}")
    expect(page.locator("#id_customer_domain")).to_have_value(DOMAIN)
    expect(page.locator("#id_contact_name")).to_have_value("Gavin Belson")
    expect(page.locator("#id_contact_email")).to_have_value(f"gavin@{DOMAIN}")
    expect(page.get_by_label("Data", exact=True)).to_be_checked()
    expect(page.locator("#id_value")).to_have_value("60000.00")
    expect(page.locator("#id_currency")).to_have_value("USD")
    expect(page.locator("#id_stage")).to_have_value("qualification")
    page.locator("#id_solution").fill("Analytics platform on Acme Cloud Data")
    page.locator("#id_expected_close_date").fill((timezone.localdate() + datetime.timedelta(days=60)).isoformat())
    screenshot(page, "lead-02-convert", full_page=True)
    page.get_by_role("button", name="Register", exact=True).click()

    page.wait_for_url(f"**{my_lead_path}")
    expect(page.get_by_role("alert").filter(has_text="Registered: Pending review.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Converted to a registration")
    expect(page.locator("dd", has_text="Pending review")).to_be_visible()
    page.get_by_role("link", name="Deals", exact=True).click()
    expect(page.locator("tr", has_text=COMPANY)).to_be_visible()  # among Northwind's registrations
    sign_out(page)

    # 5. The manager sees the lead converted, linked to the registration, the offer answered.
    log_in(page, "manager@acme.example")
    page.goto(lead_path)
    expect(page.locator("h1 .badge")).to_have_text("Converted to a registration")
    expect(page.locator("dd", has_text="Pending review")).to_contain_text("60,000.00 USD")
    offers = page.locator(".col-lg-7 .card")
    expect(offers).to_have_count(1)
    expect(offers.first.locator(".badge")).to_have_text("Accepted")
    expect(offers.first).to_contain_text("answered")
    expect(page.get_by_role("button", name="Withdraw lead")).to_have_count(0)
    expect(page.locator("form[action$='/offer/']")).to_have_count(0)
    screenshot(page, "lead-03-converted")

    # And in the database.
    with tenant_context(acme.pk):
        lead = Lead.objects.select_related("offered_to", "registration").get(tenant=acme, company_name=COMPANY)
        assert lead.status == "converted" and lead.offered_to.website_domain == "northwind.example"
        assert lead.account_id is not None and lead.domain == DOMAIN
        offer = LeadOffer.objects.get(lead=lead)
        assert (offer.status, offer.manual, offer.routing["note"]) == ("accepted", True, NOTE)
        registration = DealRegistration.objects.get(pk=lead.registration_id)
        assert registration.partner_id == lead.offered_to_id
        assert (registration.customer_domain, registration.contact_name, registration.status) == (
            DOMAIN,
            "Gavin Belson",
            "pending",
        )
        assert registration.product_lines == ["data"]
    assert not [m for m in mail.outbox if "contoso" in " ".join(m.to) and COMPANY in m.body]
