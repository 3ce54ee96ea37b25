"""Account mapping in a real browser, on the demo data: the vendor acts on an overlap, Northwind revokes, and it is gone.

Acme's manager opens Account mapping, reads "12 of your prospects are customers of Northwind
Traders", opens the pair (screenshot for docs/account-mapping.md) and offers one of those accounts
to Northwind as a lead in one click. Northwind's admin sees the overlap counts and the three open
opportunities Acme shares as records — never one of Acme's prospects — and revokes: both sides'
pages then show no overlap at all.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from deals.models import Lead
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant

from .test_deal_journey import DOCS, docs_screenshot
from .test_lifecycle_journey import log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECOMMENDATION = "12 of your prospects are customers of Northwind Traders."
VENDOR_ONLY_PROSPECT = "Umbra Fashion"  # on Acme's prospect list, on no Northwind list


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_the_vendor_acts_on_an_overlap_and_a_revoke_removes_every_overlap(page, acme, screenshot) -> None:
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/account-mapping/")
    recommendation = page.get_by_test_id("recommendation").filter(has_text=RECOMMENDATION)
    expect(recommendation).to_be_visible()
    recommendation.get_by_role("link", name="See the pair").click()
    expect(page.get_by_role("heading", name="Account mapping with Northwind Traders")).to_be_visible()
    expect(page.get_by_test_id("cell-prospect-customer")).to_have_text("12")
    records = page.get_by_test_id("overlap-record")
    expect(records).to_have_count(12)
    expect(records.first).to_contain_text("(NW)")  # Northwind's own label for the account, shared by Northwind
    docs_screenshot(page, "mapping-results", screenshot)
    page.screenshot(path=str(DOCS / "mapping-records.png"), full_page=True)  # the whole page, records included
    company = records.first.locator("td").first.inner_text().split("\n")[0].rsplit(" ", 1)[0].strip()
    records.first.get_by_role("button", name="Lead for Northwind Traders").click()
    expect(page.locator(".alert-success")).to_contain_text("offered to Northwind Traders")
    with tenant_context(acme.pk):
        lead = Lead.objects.get(tenant=acme, notes__startswith="From account mapping")
    assert lead.status == "offered" and lead.company_name.startswith(company.split(" ")[0])

    sign_out(page)
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/account-mapping/")
    page.get_by_test_id("partnership").filter(has_text="Acme Cloud").get_by_role("link", name="Open").click()
    expect(page.get_by_test_id("cell-customer-prospect")).to_have_text("12")  # Acme shares its prospects as counts
    expect(page.get_by_test_id("overlap-record")).to_have_count(3)  # the open opportunities Acme shares as records
    expect(page.locator("main")).not_to_contain_text(VENDOR_ONLY_PROSPECT)
    page.get_by_test_id("revoke").click()
    expect(page.get_by_test_id("pair-status")).to_contain_text("Revoked")
    expect(page.get_by_test_id("overlap-matrix")).to_have_count(0)
    expect(page.get_by_test_id("overlap-record")).to_have_count(0)

    sign_out(page)
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/account-mapping/")
    expect(page.get_by_test_id("recommendation")).to_have_count(0)
    page.get_by_test_id("partnership").filter(has_text="Northwind Traders").get_by_role("link", name="Open").click()
    expect(page.get_by_test_id("pair-status")).to_contain_text("Revoked")
    expect(page.get_by_test_id("overlap-record")).to_have_count(0)
