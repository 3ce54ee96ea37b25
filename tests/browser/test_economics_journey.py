"""Program economics in a real browser, on the demo (24 months of customer revenue, four quarters of
costs): the manager reads partner vs direct CAC, retention by channel and CLTV contribution with
their definitions, drills into a partner's figure, enters a cost, and imports a revenue file that
is refused row by row before a corrected one goes in (screenshots for docs/economics.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from attribution.economics import demo as economics_demo
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
    owner = User.objects.get(email="owner@acme.example")
    with tenant_context(tenant.pk, user_id=owner.pk):
        # seed_demo runs this too once the economics demo is wired into it; seeding twice changes nothing
        partners = {p.website_domain: p for p in PartnerOrganization.objects.filter(tenant=tenant)}
        economics_demo.seed(tenant=tenant, owner=owner, partners=partners)
    return tenant


def test_a_manager_reads_the_economics_and_feeds_it(page, acme, tmp_path, screenshot) -> None:
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/economics/")
    expect(page.get_by_role("heading", name="Economics", exact=True)).to_be_visible()
    expect(page.get_by_test_id("cac-partner")).not_to_contain_text("—")
    expect(page.get_by_test_id("cac-direct")).not_to_contain_text("—")
    expect(page.get_by_test_id("retention-partner")).to_contain_text("%")
    expect(page.get_by_test_id("retention-direct")).to_contain_text("%")
    expect(page.locator("#economics-retention")).to_be_visible()
    page.get_by_test_id("retention-definition").locator("summary").click()
    expect(page.get_by_test_id("retention-definition")).to_contain_text("Σ MRR(M) ÷ Σ MRR(M − 12)")
    docs_screenshot(page, "economics-overview", screenshot)

    top = page.get_by_test_id("cltv-row").first
    name = top.get_by_role("link").inner_text()
    top.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"CLTV contribution: {name}")).to_be_visible()
    expect(page.get_by_test_id("cltv-month").first).to_be_visible()
    docs_screenshot(page, "economics-cltv", screenshot)

    page.get_by_role("link", name="Program costs").click()
    page.get_by_label("Year").fill("2024")
    page.get_by_label("Quarter").select_option("4")
    page.get_by_label("Category").select_option("tools")
    page.get_by_label("Amount").fill("-10")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("cannot be negative")).to_be_visible()
    page.get_by_label("Amount").fill("3,500")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text("2024 Q4")
    expect(page.get_by_test_id("cost-table")).to_contain_text("3500.00")
    docs_screenshot(page, "economics-costs", screenshot)

    page.get_by_role("link", name="Customer revenue").click()
    expect(page.get_by_test_id("revenue-row").first).to_be_visible()
    page.get_by_test_id("revenue-import-link").click()
    bad = tmp_path / "revenue.csv"
    bad.write_text(
        "account,month,mrr,partner\nbrightwater-logistics.example,2024-06,1200,\nno-such-customer.example,2024-06,50,\n"
    )
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_test_id("row-error")).to_have_count(1)
    expect(page.get_by_test_id("row-errors")).to_contain_text("account_not_found")
    docs_screenshot(page, "economics-import-errors", screenshot)
    good = tmp_path / "revenue-fixed.csv"
    good.write_text("account,month,mrr,partner\nbrightwater-logistics.example,2024-06,1200,\n")
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("1 rows read")
