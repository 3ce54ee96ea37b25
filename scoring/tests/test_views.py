"""Health score pages: the vendor's list (lowest first) and a partner's detail, the partner's own page
(its score only), recompute for editors only, and constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecosystem.tenancy.context import tenant_context
from partners.models import EngagementKind
from partners.services import engagement_record
from scoring.models import HealthScore
from scoring.services import health_scores_compute
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def url(name, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


@pytest.fixture
def scored(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        for _ in range(3):
            engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.LOGIN)
        health_scores_compute(tenant=a.tenant)
        return {s.partner_id: s for s in HealthScore.objects.all()}


def test_the_list_shows_every_partner_lowest_first_and_the_detail_its_components_and_actions(client, world, scored):
    a = world.a
    client.force_login(a.analyst)
    page = client.get(url("scoring:health")).content.decode()
    assert page.index(a.partner2.name) < page.index(a.partner1.name)  # partner 2 never logged in: lowest first
    assert page.count('data-testid="health-row"') == 2
    detail = client.get(url("scoring:health_detail", partner_id=a.partner1.public_id)).content.decode()
    mine = scored[a.partner1.pk]
    assert f'data-testid="health-total">{mine.total:.0f}<' in detail
    assert mine.actions[0]["sentence"] in detail and 'data-testid="component-satisfaction"' in detail


def test_a_partner_sees_only_its_own_score(client, world, scored):
    a = world.a
    client.force_login(a.partner2_admin)
    page = client.get(url("partner_scoring:health")).content.decode()
    assert f'data-testid="health-total">{scored[a.partner2.pk].total:.0f}<' in page
    assert client.get(url("scoring:health")).status_code == 404
    assert client.get(url("scoring:health_detail", partner_id=a.partner1.public_id)).status_code == 404


def test_recompute_is_for_editors_and_queued_after_the_commit(client, world, django_capture_on_commit_callbacks, monkeypatch):
    from scoring import tasks

    sent = []
    monkeypatch.setattr(tasks.health_scores_nightly, "apply_async", lambda args: sent.append(args))
    client.force_login(world.a.analyst)
    assert client.post(url("scoring:health")).status_code == 403
    client.force_login(world.a.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("scoring:health"))
    assert response.status_code == 302 and sent == [[world.a.tenant.pk]]


def test_the_list_runs_a_fixed_number_of_queries(client, world, scored):
    a = world.a
    client.force_login(a.manager)
    with CaptureQueriesContext(connection) as two:
        client.get(url("scoring:health"))
    with tenant_context(a.tenant.pk):
        for _ in range(4):
            PartnerFactory(tenant=a.tenant)
        health_scores_compute(tenant=a.tenant)
    with CaptureQueriesContext(connection) as six:
        client.get(url("scoring:health"))
    assert len(two) == len(six)


def test_without_a_score_the_pages_say_so(client, world):
    client.force_login(world.a.partner1_rep)
    assert 'data-testid="health-empty"' in client.get(url("partner_scoring:health")).content.decode()
    client.force_login(world.a.manager)
    assert (
        'data-testid="health-empty"'
        in client.get(url("scoring:health_detail", partner_id=world.a.partner1.public_id)).content.decode()
    )


def test_settings_are_validated_kept_when_wrong_and_change_the_next_score(client, world):
    a = world.a
    client.force_login(a.manager)
    page = client.get(url("scoring:health_settings"))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not False}
    data.update({f"weight_{c}": 0 for c in ("engagement", "enablement", "pipeline", "revenue", "satisfaction", "compliance")})
    data["weight_satisfaction"] = 5  # only satisfaction: partners without PSAT would have no total
    bad = client.post(url("scoring:health_settings"), data)
    assert bad.status_code == 200 and "at least one weight must be positive" in bad.content.decode().lower()
    assert 'name="weight_satisfaction" id="id_weight_satisfaction" value="5"' in bad.content.decode()  # kept
    data["weight_engagement"] = 1
    assert client.post(url("scoring:health_settings"), data).status_code == 302
    with tenant_context(a.tenant.pk):
        health_scores_compute(tenant=a.tenant)
        for score in HealthScore.objects.all():  # satisfaction is missing: engagement alone makes the total
            assert score.total == pytest.approx(score.components["engagement"]["score"], abs=0.01)
    client.force_login(a.analyst)
    assert client.post(url("scoring:health_settings"), data).status_code == 403
