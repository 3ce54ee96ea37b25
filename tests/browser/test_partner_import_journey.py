"""Partner and contact imports in a real browser, on the demo: a manager's partner file is refused row by
row (nothing written), the corrected file adds one partner and updates another, then a contacts file
adds a contact that shows on the partner's page (screenshots for docs/partner-manager.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerContact, PartnerOrganization

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def partner_count(tenant: Tenant) -> int:
    with tenant_context(tenant.pk):
        return PartnerOrganization.objects.count()


def test_a_manager_imports_partners_and_contacts(page, acme, tmp_path, screenshot) -> None:
    before = partner_count(acme)
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/partners/")
    page.get_by_test_id("partners-import-link").click()
    expect(page.get_by_role("heading", name="Import partners")).to_be_visible()

    bad = tmp_path / "partners.csv"
    bad.write_text(
        "name,partner_type,country,website\n"
        "Bluebird Cloud,msp,FR,bluebird-cloud.example\n"
        "Kestrel Systems,spaceship,XX,kestrel.example\n"
        "Northwind Traders,,DE,\n"
    )
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_test_id("row-errors")).to_contain_text("nothing was imported")
    expect(page.get_by_test_id("row-error")).to_have_count(2)  # the type and the country of row 3
    assert partner_count(acme) == before  # the good rows were not written either
    docs_screenshot(page, "partners-import-errors", screenshot)

    good = tmp_path / "partners-fixed.csv"
    good.write_text(
        "name,partner_type,country,website\n"
        "Bluebird Cloud,msp,FR,bluebird-cloud.example\n"
        "Kestrel Systems,isv,NL,kestrel.example\n"
        "Northwind Traders,,AT,\n"
    )
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("3 rows read: 2 created, 1 updated, 0 unchanged")
    assert partner_count(acme) == before + 2
    with tenant_context(acme.pk):
        assert PartnerOrganization.objects.get(name="Northwind Traders").country == "AT"
    docs_screenshot(page, "partners-import-done", screenshot)

    page.goto("/t/acme/partners/")
    page.get_by_role("link", name="Bluebird Cloud").click()
    contacts = page.get_by_test_id("partner-contacts")
    expect(contacts).to_contain_text("No contacts yet.")
    contacts.get_by_test_id("contacts-import-link").click()
    expect(page.get_by_role("heading", name="Import partner contacts")).to_be_visible()
    people = tmp_path / "contacts.csv"
    people.write_text(
        "partner,name,email,title,role\n"
        "Bluebird Cloud,Camille Martin,camille@bluebird-cloud.example,Alliance lead,primary\n"
        "Bluebird Cloud,Luc Bernard,luc@bluebird-cloud.example,Presales engineer,technical\n"
    )
    page.set_input_files("#id_file", str(people))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("2 rows read: 2 created")

    page.goto("/t/acme/partners/")
    page.get_by_role("link", name="Bluebird Cloud").click()
    expect(page.get_by_test_id("contact")).to_have_count(2)
    expect(page.get_by_test_id("partner-contacts")).to_contain_text("camille@bluebird-cloud.example")
    page.get_by_test_id("partner-contacts").scroll_into_view_if_needed()
    docs_screenshot(page, "partner-contacts", screenshot)
    with tenant_context(acme.pk):
        assert PartnerContact.objects.filter(partner__name="Bluebird Cloud").count() == 2
