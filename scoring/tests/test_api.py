"""The health score API: staff list every partner's latest score; a partner user reads only its own."""

from __future__ import annotations

import pytest

from ecosystem.tenancy.context import tenant_context
from scoring.models import HealthScore
from scoring.services import health_scores_compute

pytestmark = pytest.mark.django_db


def test_staff_list_and_partner_own_score(client, world):
    a = world.a
    with tenant_context(a.tenant.pk):
        health_scores_compute(tenant=a.tenant)
        totals = {s.partner.public_id: s.total for s in HealthScore.objects.select_related("partner")}
    client.force_login(a.analyst)
    body = client.get("/api/v1/t/alpha/health-scores/").json()
    results = body["results"] if isinstance(body, dict) else body
    assert {r["partner"] for r in results} == {str(a.partner1.public_id), str(a.partner2.public_id)}
    first = results[0]
    assert sum(c["points"] for c in first["components"]) == pytest.approx(first["total"], abs=0.05)
    client.force_login(a.partner1_rep)
    mine = client.get("/api/v1/t/alpha/my-health/").json()
    assert mine["partner"] == str(a.partner1.public_id) and mine["total"] == totals[a.partner1.public_id]
    assert client.get("/api/v1/t/alpha/health-scores/").status_code == 404


def test_my_health_is_404_before_the_first_score_and_for_staff(client, world):
    client.force_login(world.a.partner1_rep)
    assert client.get("/api/v1/t/alpha/my-health/").status_code == 404
    client.force_login(world.a.manager)
    assert client.get("/api/v1/t/alpha/my-health/").status_code == 404
