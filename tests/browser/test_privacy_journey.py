"""Personal data in a real browser, on the demo: Ray (a Northwind rep) downloads his own data; the owner
opens Ray's personal data, exports it, erases him after typing his address (a typo first), and sets how
long engagement events are kept (screenshots for docs/partner-manager.md)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.accounts.models import User
from ecosystem.tenancy.models import Tenant

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_a_person_downloads_their_data_and_the_owner_exports_erases_and_sets_retention(page, acme, screenshot) -> None:
    ray = User.objects.get(email="rep@northwind.example")

    # Ray downloads what the program holds about him, from the account menu's "My data".
    log_in(page, "rep@northwind.example")
    page.goto("/p/acme/privacy/my-data/")
    expect(page.get_by_role("heading", name="My data")).to_be_visible()
    docs_screenshot(page, "privacy-my-data", screenshot)
    with page.expect_download() as download:
        page.get_by_test_id("my-export-button").click()
    mine = json.loads(download.value.path().read_text())
    assert mine["profile"]["email"] == "rep@northwind.example"
    sign_out(page)

    # The owner finds Ray, looks at what is held and exports it.
    log_in(page, "owner@acme.example")
    page.goto("/t/acme/privacy/people/")
    page.get_by_label("Name or email").fill("ray")
    page.get_by_role("button", name="Filter").click()
    page.get_by_test_id("person-row").filter(has_text="Ray Rep").get_by_role("link", name="Personal data").click()
    expect(page.get_by_test_id("person-name")).to_have_text("Ray Rep")
    docs_screenshot(page, "privacy-member", screenshot)
    with page.expect_download() as download:
        page.get_by_test_id("export-button").click()
    exported = json.loads(download.value.path().read_text())
    assert exported["profile"]["full_name"] == "Ray Rep"

    # Erasing needs his address typed exactly: a typo is refused and stays in the field.
    field = page.get_by_label("Type the person's email address to confirm")
    field.fill("rey@northwind.example")
    page.get_by_role("button", name="Erase").click()
    expect(page.get_by_text("Type the person's email address exactly to confirm.")).to_be_visible()
    expect(field).to_have_value("rey@northwind.example")
    field.fill("rep@northwind.example")
    page.get_by_role("button", name="Erase").click()
    expect(page.get_by_test_id("person-name")).to_contain_text(f"Erased person #{ray.pk}")
    docs_screenshot(page, "privacy-erased", screenshot)

    # Retention: keep engagement events for a year.
    page.goto("/t/acme/privacy/retention/")
    page.get_by_label("Keep engagement events for (days)").fill("365")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Retention saved.")).to_be_visible()
    docs_screenshot(page, "privacy-retention", screenshot)
