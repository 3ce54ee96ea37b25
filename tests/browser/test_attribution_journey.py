"""Revenue attribution in a real browser, on the demo data: a manager starts a run, reads the models
side by side and one deal's journey; a partner reads its own credit, other partners anonymised.

Acme's manager opens Attribution, starts a run with the form (the test then runs the worker's task
body, as the worker would after the commit), opens it (screenshot for docs/attribution.md), follows
"Deals and journeys" to a won deal and reads the per-touch credit and the "why" of each model
(screenshot), then the trend across runs. Northwind's admin opens its portal's Attribution page
(screenshot for docs/partner.md): its credit per model and its journeys, where a partner that did not
co-sell the deal is "Another partner".
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from attribution.models import AttributionRun, RunStatus
from attribution.tasks import attribution_run_task
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_a_manager_compares_models_and_reads_a_journey_and_a_partner_reads_its_credit(page, acme, screenshot) -> None:
    log_in(page, "manager@acme.example")
    page.goto("/t/acme/")
    page.get_by_role("button", name="Ecosystem").click()
    page.get_by_role("link", name="Revenue attribution").click()
    expect(page.get_by_role("heading", name="Attribution runs")).to_be_visible()
    expect(page.get_by_test_id("attribution-run")).to_have_count(2)  # the demo's runs by partner type and by partner

    form = page.get_by_test_id("run-form")
    form.locator("select[name=dimension]").select_option("partner")
    form.get_by_role("button", name="Start run").click()
    expect(page.locator(".alert-success")).to_contain_text("Run queued")  # on the new run's page
    page.goto("/t/acme/attribution/")
    expect(page.get_by_test_id("attribution-run")).to_have_count(3)
    with tenant_context(acme.pk):
        queued = AttributionRun.objects.get(status=RunStatus.QUEUED)
    attribution_run_task(acme.pk, queued.pk)  # what the worker does once the request committed
    page.reload()
    expect(page.get_by_test_id("attribution-run").first).to_contain_text("Succeeded")

    page.get_by_test_id("attribution-run").first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Attribution by Partner")).to_be_visible()
    with tenant_context(acme.pk):
        queued.refresh_from_db()
    expect(page.get_by_test_id("inputs-hash")).to_have_text(queued.inputs_sha256)
    expect(page.get_by_test_id("comparison-row").first).to_be_visible()
    docs_screenshot(page, "attribution-run", screenshot)

    page.get_by_test_id("journeys-link").click()
    expect(page.get_by_role("heading", name="Deals and their journeys")).to_be_visible()
    page.get_by_test_id("journey-filters").get_by_label("Outcome").select_option(label="Won")
    page.get_by_test_id("journey-filters").get_by_role("button").click()
    won = page.get_by_test_id("journey-row").first
    expect(won).to_contain_text("Won")
    won.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Journey of the deal with")).to_be_visible()
    expect(page.get_by_test_id("journey-touch").first).to_be_visible()
    expect(page.get_by_test_id("why")).to_contain_text("Position-based")
    expect(page.get_by_test_id("pooled")).to_contain_text("no per-deal split")
    docs_screenshot(page, "attribution-journey", screenshot)

    page.goto("/t/acme/attribution/trend/")
    expect(page.locator("canvas")).to_be_visible()

    sign_out(page)
    log_in(page, "admin@northwind.example")
    page.goto("/p/acme/")
    page.get_by_role("button", name="Ecosystem").click()
    page.get_by_role("link", name="Attribution").click()
    expect(page.get_by_role("heading", name="Your attribution")).to_be_visible()
    expect(page.get_by_test_id("partner-credits")).to_contain_text("Linear")
    expect(page.get_by_test_id("journey-row").first).to_be_visible()
    docs_screenshot(page, "partner-attribution", screenshot)
    # a deal Northwind touched where another partner, not on the deal's team, touched too: anonymised
    deal, other = _touched_with_a_stranger(acme, "Northwind Traders")
    page.goto(f"/p/acme/attribution/deals/{deal}/")
    expect(page.get_by_test_id("journey-touches")).to_contain_text("Another partner")
    expect(page.locator("main")).not_to_contain_text(other)


def _touched_with_a_stranger(tenant: Tenant, partner_name: str) -> tuple[str, str]:
    """(registration public id, other partner's name) of a deal in the newest run by partner."""
    from attribution.models import AttributionTouch
    from deals.models import DealRegistration
    from partners.models import PartnerOrganization

    with tenant_context(tenant.pk):
        run = AttributionRun.objects.filter(dimension="partner", details_kept=True).order_by("-finished_at").first()
        me = PartnerOrganization.objects.get(name=partner_name)
        names = dict(PartnerOrganization.objects.values_list("pk", "name"))
        touches = AttributionTouch.objects.filter(run=run).values_list("registration_id", "partner_id")
        by_deal: dict[int, set[int]] = {}
        for registration_id, partner_id in touches:
            by_deal.setdefault(registration_id, set()).add(partner_id)
        for registration in DealRegistration.objects.filter(pk__in=[r for r, ps in by_deal.items() if me.pk in ps]):
            team = {registration.partner_id, *registration.team_partner_ids}
            strangers = by_deal[registration.pk] - team - {me.pk}
            if me.pk not in team and strangers:
                return str(registration.public_id), names[strangers.pop()]
    raise AssertionError("the demo has no deal touched by Northwind and a partner outside the deal's team")
