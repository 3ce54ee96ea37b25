"""The partner directory, a collaboration request and the ecosystem map, in a real browser.

On the demo data that `make run` seeds: Northwind's admin searches the directory (published
profiles only), opens Fabrikam's profile and asks it to collaborate through the prefilled form;
the request waits in Northwind's outbox. A partner manager opens the ecosystem map: the graph
renders (cytoscape draws on canvases), the legend and the table of connections are there, and a
click on a partner's circle opens that partner's page. Screenshots go to docs/img/ for
docs/directory-and-collaboration.md.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.directory.models import CollaborationRequest, DirectoryProfile
from partners.models import PartnerOrganization

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = "Shall we pitch the retail suite to our DACH customers together?"


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_a_partner_finds_another_in_the_directory_asks_to_collaborate_and_the_vendor_sees_the_map(page, acme, screenshot):
    with tenant_context(acme.pk):
        published = set(DirectoryProfile.objects.filter(tenant=acme, is_published=True).values_list("partner__name", flat=True))
        fabrikam = PartnerOrganization.objects.get(tenant=acme, website_domain="fabrikam.example")
    assert {"Fabrikam Software", "Contoso Managed Services"} <= published

    # 1. Northwind's admin opens the directory: published partners, never an unpublished one.
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/directory/")
    expect(page.locator("h1")).to_have_text("Partner directory")
    cards = page.get_by_test_id("directory-card")
    expect(cards.first).to_be_visible()
    assert cards.count() == len(published)
    docs_screenshot(page, "directory-search", screenshot)

    # 2. Search: a capability's name finds the partners that offer it.
    page.fill("#id_q", "Security")
    page.get_by_role("button", name="Search").click()
    expect(cards.filter(has_text="Contoso Managed Services")).to_have_count(1)
    expect(cards.filter(has_text="Fabrikam Software")).to_have_count(0)

    # 3. Fabrikam's profile, then "Ask to collaborate": the form comes prefilled with Fabrikam.
    page.goto("/p/acme/directory/")
    cards.filter(has_text="Fabrikam Software").get_by_role("link", name="Fabrikam Software").click()
    page.wait_for_url(f"**/p/acme/directory/partners/{fabrikam.public_id}/")
    expect(page.locator("main")).to_contain_text("Retail analytics suite")
    page.get_by_role("link", name="Ask to collaborate").click()
    expect(page.locator("#id_to")).to_have_value(str(fabrikam.public_id))
    page.select_option("#id_about", "general")
    page.fill("#id_message", MESSAGE)
    screenshot(page, "directory-collaboration-form")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_test_id("collaboration-status")).to_have_text("Waiting for an answer")
    with tenant_context(acme.pk):
        assert CollaborationRequest.objects.filter(tenant=acme, to_partner=fabrikam, message=MESSAGE).exists()
    page.goto("/p/acme/collaborations/?box=out")
    expect(page.get_by_test_id("collaboration-row").filter(has_text="Fabrikam Software").first).to_be_visible()

    # 4. The vendor: the ecosystem map renders, with a legend and the table for people who would rather read.
    sign_out(page)
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/ecosystem-map/")
    graph = page.get_by_test_id("ecosystem-map")
    expect(graph).to_have_attribute("data-rendered", "true")
    expect(graph.locator("canvas").first).to_be_visible()
    expect(page.get_by_test_id("map-legend")).to_contain_text("Co-sold deals")
    expect(page.get_by_test_id("top-connections")).to_contain_text("Contoso Managed Services")
    graph.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    docs_screenshot(page, "directory-ecosystem-map", screenshot)

    # 5. A click on Fabrikam's circle opens its page in the vendor portal.
    position = page.evaluate(
        """(id) => {
            const cy = document.getElementById('ecosystem-map').ecosystemMap;
            const node = cy.getElementById(id);
            return node.renderedPosition();
        }""",
        str(fabrikam.public_id),
    )
    box = graph.bounding_box()
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    page.wait_for_url(f"**/t/acme/partners/{fabrikam.public_id}/")
