"""Campaign tagging of a lead and the weekly summary's settings, in a real browser on the demo: the manager
tags a lead offered to Northwind with Northwind's approved campaign, and
an owner chooses who receives the weekly summary (screenshots for docs/weekly-summary.md and docs/mdf.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from deals import leads
from ecosystem.accounts.models import User
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    tenant = Tenant.objects.get(slug="acme")
    from partners.mdf import demo  # until seed_demo calls it itself; adds nothing when it already ran

    manager = User.objects.get(email="manager@acme.example")
    with tenant_context(tenant.pk):
        partners = {p.website_domain: p for p in PartnerOrganization.objects.all()}
        demo.seed(tenant=tenant, owner=User.objects.get(email="owner@acme.example"), partners=partners)
        lead = leads.lead_create(
            tenant=tenant, actor=manager, values={"company_name": "Initrode Foods", "domain": "initrode.example"}
        )
        leads.lead_offer_manual(tenant=tenant, actor=manager, lead=lead, partner=partners["northwind.example"])
    tenant.probe_lead = lead
    return tenant


def test_a_manager_tags_a_lead_with_the_partners_campaign_and_an_owner_sets_the_weekly_summary(page, acme, screenshot):
    log_in(page, "manager@acme.example")
    page.goto(f"/t/acme/leads/{acme.probe_lead.public_id}/")
    choices = page.get_by_label("MDF campaign")
    expect(choices.locator("option", has_text="Cloud summit booth")).to_have_count(1)
    choices.select_option(label="Cloud summit booth")
    page.locator("form", has=choices).get_by_role("button", name="Set").click()
    expect(page.get_by_test_id("lead-campaign")).to_have_text("Cloud summit booth")
    docs_screenshot(page, "lead-campaign", screenshot)

    page.goto("/t/acme/economics/weekly-summary/")
    expect(page.get_by_role("heading", name="Weekly summary", exact=True)).to_be_visible()
    expect(page.get_by_test_id("summary-preview")).to_contain_text("Closed-won partner revenue")
    page.get_by_label("Send the weekly summary").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Weekly summary settings saved.")).to_be_visible()
    docs_screenshot(page, "weekly-summary", screenshot)
