"""Health score refreshes: an event asks for its partner's score within a minute (once per burst),
the refresh task scores that partner, and the nightly sweep sends one task per tenant."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ecosystem.tenancy.context import tenant_context
from partners.models import EngagementEvent, EngagementKind
from partners.services import engagement_record
from scoring import tasks
from scoring.models import HealthScore

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.health_score_refresh, "apply_async", lambda args, countdown: calls.append((args, countdown)))
    cache.clear()
    return calls


def test_a_burst_of_events_asks_for_one_refresh_after_the_commit(world, sent, django_capture_on_commit_callbacks):
    a = world.a
    with django_capture_on_commit_callbacks(execute=True), tenant_context(a.tenant.pk):
        engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.LOGIN)
        engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.CONTENT_DOWNLOAD)
        engagement_record(tenant=a.tenant, partner_id=a.partner2.pk, kind=EngagementKind.LOGIN)
        assert sent == []  # nothing before the commit
    assert sorted(sent) == sorted(
        [([a.tenant.pk, a.partner1.pk], tasks.REFRESH_DELAY_SECONDS), ([a.tenant.pk, a.partner2.pk], tasks.REFRESH_DELAY_SECONDS)]
    )


def test_the_refresh_scores_that_partner_and_opens_the_debounce_again(world, sent, django_capture_on_commit_callbacks):
    a = world.a
    with django_capture_on_commit_callbacks(execute=True), tenant_context(a.tenant.pk):
        engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.LOGIN)
    assert len(sent) == 1
    assert tasks.health_score_refresh(a.tenant.pk, a.partner1.pk) == 1
    with tenant_context(a.tenant.pk):
        assert list(HealthScore.objects.values_list("partner_id", flat=True)) == [a.partner1.pk]
    with django_capture_on_commit_callbacks(execute=True), tenant_context(a.tenant.pk):
        engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.LOGIN)
    assert len(sent) == 2  # the refresh ran: the next event asks again


def test_the_nightly_sweep_sends_one_task_per_active_tenant(world, monkeypatch):
    delivered = []
    monkeypatch.setattr(tasks.health_scores_nightly, "delay", lambda tenant_id: delivered.append(tenant_id))
    assert tasks.health_scores_nightly_all_tenants() == 2
    assert sorted(delivered) == sorted([world.a.tenant.pk, world.b.tenant.pk])
    assert tasks.health_scores_nightly(world.a.tenant.pk) == 2  # every partner of tenant A


def test_an_mdf_claim_asks_for_a_refresh_that_raises_the_partners_engagement(world, sent, django_capture_on_commit_callbacks):
    from partners.mdf.tests.support import budget_for, claim_as, funded

    a = world.a
    budget_for(a, allocations={a.partner1: "5000"})
    mdf_request = funded(a, a.partner1, a.partner1_admin)  # the request is an action too
    tasks.health_score_refresh(a.tenant.pk, a.partner1.pk)
    with tenant_context(a.tenant.pk):
        before = HealthScore.objects.get(partner=a.partner1)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        claim_as(a, a.partner1, a.partner1_admin, mdf_request)
    assert sent == [([a.tenant.pk, a.partner1.pk], tasks.REFRESH_DELAY_SECONDS)]  # within a minute
    with tenant_context(a.tenant.pk):
        kinds = list(EngagementEvent.objects.filter(partner=a.partner1).values_list("kind", flat=True))
    assert sorted(kinds) == [EngagementKind.MDF_CLAIM_SUBMITTED, EngagementKind.MDF_REQUEST_SUBMITTED]
    tasks.health_score_refresh(a.tenant.pk, a.partner1.pk)
    with tenant_context(a.tenant.pk):
        after = HealthScore.objects.get(partner=a.partner1)
    # Never logged in; one action then two in 30 days: engagement ½·100·n/(n + 8) = 5.56, then 10.
    assert before.components["engagement"]["score"] == pytest.approx(50 / 9, abs=0.01)
    assert after.components["engagement"]["score"] == pytest.approx(10.0, abs=0.01)
    assert after.total > before.total
