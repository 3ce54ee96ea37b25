"""Webhooks in a real browser, on the demo: the owner adds an endpoint and copies its secret, sends a test
event, a worker delivers it (the receiver answers 200), and the delivery log shows it with its event id
(screenshots for docs/integrator.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem import outbound
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks.delivery import webhook_delivery_send
from ecosystem.webhooks.models import WebhookDelivery
from ecosystem.webhooks.tests.support import Receiver

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_the_owner_adds_an_endpoint_sends_a_test_event_and_reads_the_delivery_log(page, acme, screenshot, monkeypatch):
    log_in(page, "owner@acme.example")
    page.goto("/t/acme/webhooks/")
    expect(page.get_by_role("heading", name="Webhooks")).to_be_visible()

    # A private address is refused, with what was typed kept.
    page.get_by_label("URL").fill("https://10.1.2.3/hooks")
    page.get_by_label("Deal won").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_text("This address is not allowed for outbound calls.")).to_be_visible()
    expect(page.get_by_label("URL")).to_have_value("https://10.1.2.3/hooks")

    page.get_by_label("URL").fill("https://crm.acme-partner.example/prm-hooks")
    page.get_by_label("Description").fill("CRM sync")
    page.get_by_label("Deal registration submitted").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_test_id("new-webhook-secret")).to_contain_text("whsec_")
    docs_screenshot(page, "webhooks-endpoints", screenshot)

    page.get_by_role("link", name="https://crm.acme-partner.example/prm-hooks").click()
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("A test event")).to_be_visible()

    # A worker sends it; the tenant's server answers 200.
    receiver = Receiver(status=200)
    monkeypatch.setattr(outbound, "request", receiver)
    with tenant_context(acme.pk, atomic=False):
        with tenant_context(acme.pk):
            delivery_id = WebhookDelivery.objects.get().pk
        assert webhook_delivery_send(delivery_id=delivery_id).status == "delivered"
    event_id = receiver.event_ids[0]

    page.reload()
    log = page.get_by_test_id("delivery-log")
    expect(log).to_contain_text(event_id)
    expect(log).to_contain_text("Delivered")
    expect(log).to_contain_text("200")
    docs_screenshot(page, "webhooks-delivery-log", screenshot)
