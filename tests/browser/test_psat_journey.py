"""PSAT surveys in a real browser, on the demo (two closed surveys a quarter apart, one open): a partner
admin answers the open survey in the partner portal, then the manager reads the NPS over time, the
falling partners and the open survey's results with the partner's answer (screenshots for docs/psat.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.accounts.models import User
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization
from partners.surveys import demo

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant.pk):
        partners = {p.website_domain: p for p in PartnerOrganization.objects.all()}
        demo.seed(tenant=tenant, owner=User.objects.get(email="owner@acme.example"), partners=partners)
    return tenant


def test_a_partner_answers_and_the_manager_reads_the_results(page, acme, screenshot) -> None:
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/surveys/")
    expect(page.get_by_role("heading", name="Surveys", exact=True)).to_be_visible()
    page.get_by_test_id("open-survey").filter(has_text=demo.CURRENT).click()
    expect(page.get_by_role("heading", name=demo.CURRENT)).to_be_visible()
    page.get_by_role("button", name="Send my answers").click()  # nothing chosen: the errors, nothing lost
    expect(page.get_by_text("Choose a score from 0 to 10.")).to_be_visible()
    page.goto(page.url)  # a fresh form (GET) for the screenshot
    page.get_by_test_id("nps-9").click()
    page.get_by_test_id("q_1-4").click()
    page.get_by_test_id("q_2-5").click()
    page.get_by_test_id("q_3-3").click()
    page.get_by_label("What should we do better?").fill("Faster approvals for co-sell deals.")
    docs_screenshot(page, "psat-answer", screenshot)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("your answers are saved")).to_be_visible()
    expect(page.get_by_test_id("my-answers")).to_contain_text(demo.CURRENT)

    page.context.clear_cookies()
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/surveys/")
    expect(page.get_by_role("heading", name="Partner satisfaction surveys")).to_be_visible()
    expect(page.locator("#psat-trend")).to_be_visible()
    expect(page.get_by_test_id("falling-row").first).to_be_visible()
    docs_screenshot(page, "psat-surveys", screenshot)

    page.get_by_role("link", name=demo.CURRENT).click()
    expect(page.get_by_test_id("by-partner")).to_contain_text("Northwind Traders")
    expect(page.get_by_test_id("by-type")).to_be_visible()
    docs_screenshot(page, "psat-results", screenshot)
