"""The ideal partner profile in a real browser, on the demo: the manager reads the profile (traits
over-represented among top performers, with the honesty check) and the scored prospects, then the
application queue sorted best fit first with each score's strongest reason (screenshots for
docs/partner-fit.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.tenancy.models import Tenant

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_a_manager_reads_the_profile_and_the_queue_by_fit(page, acme, screenshot) -> None:
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/")
    page.get_by_role("button", name="Ecosystem").click()
    page.get_by_role("link", name="Ideal partner profile").click()
    expect(page.get_by_test_id("fit-version")).to_have_text("v1")
    expect(page.get_by_test_id("fit-profile-value").first).to_be_visible()
    docs_screenshot(page, "partner-fit", screenshot)

    page.goto("/t/acme/applications/?status=submitted&sort=fit")
    scores = page.get_by_test_id("application-fit")
    expect(scores.first).to_be_visible()
    values = [int(s.locator("span.fw-semibold").inner_text()) for s in scores.all() if s.locator("span.fw-semibold").count()]
    assert values and values == sorted(values, reverse=True)  # best fit first
    expect(page.get_by_test_id("application-fit-reason").first).to_be_visible()
    docs_screenshot(page, "application-fit", screenshot)
