"""A partner admin gives their people learning paths on the team training page, in a real browser.

On the demo data that `make run` seeds: Northwind's admin opens Training, then Team training, gives
the rep the sales track (the rep already holds the sales certification) and themselves the
technical track, and sees each person's path progress. The screenshot is the one in docs/partner.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from onboarding.models import LearnerTrack

from .test_lifecycle_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "partner-team-training.png"


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_a_partner_admin_assigns_learning_paths_and_sees_the_teams_progress(page, acme, screenshot):
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/training/")
    expect(page.get_by_text("You have no learning path yet")).to_be_visible()

    page.get_by_role("link", name="Team training").click()
    expect(page.get_by_role("heading", name="Team training")).to_be_visible()
    rep_row = page.locator("tr", has_text="rep@northwind.example")
    expect(rep_row.get_by_text("No learning path assigned")).to_be_visible()
    rep_row.get_by_role("checkbox", name="Sales").check()
    rep_row.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Learning paths saved for Ray Rep.")).to_be_visible()
    rep_row = page.locator("tr", has_text="rep@northwind.example")
    expect(rep_row.get_by_text("Sales: 1 of 1 done")).to_be_visible()
    admin_row = page.locator("tr", has_text="admin@northwind.example")
    admin_row.get_by_role("checkbox", name="Technical").check()
    admin_row.get_by_role("button", name="Save").click()
    admin_row = page.locator("tr", has_text="admin@northwind.example")
    expect(admin_row.get_by_text("Technical: 0 of 1 done")).to_be_visible()
    expect(admin_row.get_by_role("checkbox", name="Technical")).to_be_checked()
    screenshot(page, "partner-team-training")
    DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOT))

    with tenant_context(acme.pk):
        assert sorted(LearnerTrack.objects.values_list("user__email", "track")) == [
            ("admin@northwind.example", "technical"),
            ("rep@northwind.example", "sales"),
        ]

    # The admin's own training page now leads with their path.
    page.goto("/p/acme/training/")
    expect(page.get_by_role("heading", name="Your learning path")).to_be_visible()
    expect(page.get_by_text("0 of 1 done")).to_be_visible()
