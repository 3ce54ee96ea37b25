"""Churn risk in a real browser, on the demo (a model trained on two years of planted history): the
manager reads the at-risk partners with their drivers, the model card with its calibration curve and
versions, opens an alert and records an intervention (screenshots for docs/churn.md)."""

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


def test_a_manager_works_the_at_risk_partners(page, acme, screenshot) -> None:
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/")
    page.get_by_role("button", name="Ecosystem").click()
    page.get_by_role("link", name="Churn risk").click()
    expect(page.get_by_role("heading", name="Churn risk")).to_be_visible()
    expect(page.get_by_test_id("churn-method")).to_contain_text("Trained model v1")
    alerts = page.get_by_test_id("alert-row")
    expect(alerts.first).to_be_visible()
    risks = [r.locator("td").nth(2).inner_text() for r in page.get_by_test_id("churn-row").all()]
    values = [int(r.split()[0]) for r in risks]
    assert values == sorted(values, reverse=True)  # highest risk first
    docs_screenshot(page, "churn-risk", screenshot)

    page.get_by_role("link", name="Model card").first.click()
    expect(page.get_by_role("heading", name="Churn model v1")).to_be_visible()
    expect(page.get_by_test_id("churn-metrics")).to_contain_text("ROC AUC")
    expect(page.locator("#calibration-chart")).to_be_visible()
    expect(page.get_by_test_id("churn-features")).to_contain_text("days_since_last_login")
    docs_screenshot(page, "churn-model", screenshot)

    page.goto("/t/acme/health/churn/")
    alerts.first.get_by_role("link").click()
    expect(page.get_by_test_id("alert-suggestion")).to_be_visible()
    page.get_by_label("Note").fill("Called their sales director; agreed a joint campaign.")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_test_id("interventions")).to_contain_text("Called their sales director")
    docs_screenshot(page, "churn-alert", screenshot)
    page.get_by_test_id("alert-close").click()
    expect(page.get_by_test_id("alert-status")).to_have_text("Closed")
