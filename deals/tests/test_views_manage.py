"""Vendor portal pages for deal registrations: the queue, a registration, decisions, appeals, rules, product lines."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals import workflow
from deals.models import DealRegistration, EngagementRules, ProductLine
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context

from .support import product_lines_for, rules_for, submit_as


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)
    product_lines_for(world.b.tenant)


def url(name: str, **kwargs) -> str:
    return reverse(f"deals:{name}", kwargs={"tenant_slug": "alpha", **kwargs})


def pending(world, n: int = 0):
    return submit_as(
        world.a.tenant, world.a.partner1, world.a.partner1_rep, customer_name=f"Customer {n}", customer_domain=f"c{n}.example"
    ).registration


def status_of(world, registration) -> str:
    with tenant_context(world.a.tenant.pk):
        return DealRegistration.objects.get(pk=registration.pk).status


def test_the_queue_lists_waiting_registrations_with_their_sla_countdown(client, world):
    registration = pending(world)
    rules_for(world.a.tenant, approval_sla_hours=5)
    with tenant_context(world.a.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(
            submitted_at=timezone.now() - datetime.timedelta(hours=7, minutes=10)
        )
    fresh = pending(world, 1)
    client.force_login(world.a.analyst)

    response = client.get(url("queue"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "overdue by 3 h" in body and "due in 5 h" in body and fresh.customer_name in body
    overdue_only = client.get(url("queue") + "?overdue=true").content.decode()
    assert "Customer 0" in overdue_only and "Customer 1" not in overdue_only


def test_the_queue_filters_by_partner_and_product_line(client, world):
    pending(world)
    submit_as(
        world.a.tenant,
        world.a.partner2,
        world.a.partner2_admin,
        customer_name="Other",
        customer_domain="other.example",
        product_lines=["security"],
    )
    client.force_login(world.a.manager)

    by_partner = client.get(url("queue") + f"?partner={world.a.partner2.public_id}").content.decode()
    by_line = client.get(url("queue") + "?product_line=compute").content.decode()

    assert "Other" in by_partner and "Customer 0" not in by_partner
    assert "Customer 0" in by_line and ">Other<" not in by_line


@pytest.mark.parametrize("count", [1, 10])
def test_the_queue_costs_the_same_queries_for_1_and_10_registrations(client, world, count):
    for n in range(count):
        pending(world, n)
    client.force_login(world.a.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("queue"))
    assert response.status_code == 200 and response.content.decode().count('data-testid="sla"') == count
    # 1 session, 2 user, 3 tenant by slug, 4 savepoint, 5 set_config (tenant scope), 6 membership,
    # 7 rules of engagement (the SLA hours), 8 paginator count, 9 the page (partner joined, conflicts
    # counted, SLA due computed in SQL), 10-14 the program switcher in base.html (savepoint, clear
    # the tenant setting, the user's memberships, restore, release), 15 partners for the filter,
    # 16 product lines for the filter, 17 release the tenant savepoint, 18 clear the settings.
    assert len(queries) == 18


def test_the_queue_exports_csv_formula_safe(client, world):
    submit_as(
        world.a.tenant, world.a.partner1, world.a.partner1_rep, customer_name="=HYPERLINK(1)", customer_domain="evil.example"
    )
    client.force_login(world.a.manager)
    response = client.get(url("queue") + "?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_the_registration_page_shows_the_conflict_side_by_side(client, world):
    first = pending(world)
    second = submit_as(
        world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="Customer 0", customer_domain="c0.example"
    )
    client.force_login(world.a.manager)

    body = client.get(url("registration", registration_id=second.registration.public_id)).content.decode()

    assert "conflict-panel" in body and world.a.partner1.name in body and world.a.partner2.name in body
    assert first.submitted_at.strftime("%Y-%m-%d %H:%M:%S") in body and "Another partner" in body


def test_a_manager_approves_from_the_registration_page(client, world):
    registration = pending(world)
    client.force_login(world.a.manager)
    response = client.post(url("approve", registration_id=registration.public_id), {"approve-reason": "Good."})
    assert response.status_code == 302 and status_of(world, registration) == "approved"


def test_a_rejection_without_a_reason_keeps_the_form_and_changes_nothing(client, world):
    registration = pending(world)
    client.force_login(world.a.manager)
    response = client.post(url("reject", registration_id=registration.public_id), {"reject-reason": " "})
    assert response.status_code == 400 and "Give a reason" in response.content.decode()
    assert status_of(world, registration) == "pending"


def test_a_failed_approval_keeps_the_typed_reason(client, world):
    pending(world)
    second = submit_as(
        world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="Customer 0", customer_domain="c0.example"
    )
    client.force_login(world.a.manager)
    response = client.post(url("approve", registration_id=second.registration.public_id), {"approve-reason": "Typed by hand"})
    body = response.content.decode()
    assert response.status_code == 400 and "Typed by hand" in body and "Another active registration" in body
    assert status_of(world, second.registration) == "under_review"


def test_an_analyst_reads_but_cannot_decide(client, world):
    registration = pending(world)
    client.force_login(world.a.analyst)
    assert client.get(url("registration", registration_id=registration.public_id)).status_code == 200
    assert client.post(url("approve", registration_id=registration.public_id)).status_code == 403
    assert client.post(url("rules"), {"protection_days": 5}).status_code == 403
    assert status_of(world, registration) == "pending"


def test_the_other_tenants_staff_get_404_and_nothing_changes(client, world):
    registration = pending(world)
    client.force_login(world.b.owner)
    assert client.get(url("registration", registration_id=registration.public_id)).status_code == 404
    own = reverse("deals:approve", kwargs={"tenant_slug": "beta", "registration_id": registration.public_id})
    assert client.post(own).status_code == 404
    assert status_of(world, registration) == "pending"


def test_partner_users_cannot_open_the_vendor_pages(client, world):
    registration = pending(world)
    client.force_login(world.a.partner1_admin)
    assert client.get(url("registration", registration_id=registration.public_id)).status_code == 404
    assert client.post(url("approve", registration_id=registration.public_id)).status_code == 404
    assert status_of(world, registration) == "pending"


def test_appeals_assigned_to_me_lists_only_mine(client, world):
    registration = pending(world)
    with tenant_context(world.a.tenant.pk):
        workflow.registration_reject(tenant=world.a.tenant, actor=world.a.manager, registration=registration, reason="No.")
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        workflow.appeal_submit(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            partner_id=world.a.partner1.pk,
            registration=registration,
            reason="Hm.",
        )
    client.force_login(world.a.owner)
    mine = client.get(url("appeals")).content.decode().split('data-testid="appeals-mine"')[1].split("</table>")[0]
    assert "Customer 0" in mine
    client.force_login(world.a.manager)
    theirs = client.get(url("appeals")).content.decode().split('data-testid="appeals-mine"')[1].split("</table>")[0]
    assert "Customer 0" not in theirs


def test_editing_the_rules_is_audited_and_bad_input_is_kept(client, world):
    client.force_login(world.a.manager)
    values = {
        "protection_days": "120",
        "currency": "eur",
        "approval_sla_hours": "24",
        "expiry_reminder_days": "10",
        "extension_days": "30",
        "direct_takeover": "never",
        "name_match_threshold": "90",
        "lead_response_hours": "24",
        "auto_approve_below": "",
        "notes": "",
    }
    bad = client.post(url("rules"), {**values, "protection_days": "9999"})
    assert bad.status_code == 400 and 'value="9999"' in bad.content.decode()

    assert client.post(url("rules"), values).status_code == 302
    with tenant_context(world.a.tenant.pk):
        rules = EngagementRules.objects.get()
        audit = AuditEntry.objects.get(action="deals.engagement_rules_update")
    assert (rules.protection_days, rules.currency) == (120, "EUR")
    assert audit.changes["protection_days"] == ["90", "120"]


def test_product_lines_are_added_and_retired(client, world):
    client.force_login(world.a.manager)
    assert client.post(url("product_lines"), {"name": "Edge AI"}).status_code == 302
    duplicate = client.post(url("product_lines"), {"name": "Edge AI"})
    assert duplicate.status_code == 400 and "Edge AI" in duplicate.content.decode()
    with tenant_context(world.a.tenant.pk):
        line = ProductLine.objects.get(slug="edge-ai")
    assert client.post(url("product_line_retire", line_id=line.public_id)).status_code == 302
    with tenant_context(world.a.tenant.pk):
        assert ProductLine.objects.get(pk=line.pk).is_active is False
        assert AuditEntry.objects.filter(action="deals.product_line_retire").count() == 1
