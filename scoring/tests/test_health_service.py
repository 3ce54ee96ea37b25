"""Health scores computed from the platform's records and stored: the figures are the engine's on the
partner's facts, the points add up to the total, a later score says what moved, a second run the same
day replaces the first, a refresh of one partner touches only that partner, and the number of
queries does not grow with the partners."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attribution.tests.support import at
from ecosystem.tenancy.context import tenant_context
from partners.models import EngagementKind
from partners.services import engagement_record
from scoring.health import score as engine
from scoring.models import HealthScore, ScoringSettings
from scoring.services import health_features, health_scores_compute
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 6, 1)
DAY = datetime.timedelta(days=1)


def _logins(tenant, partner, days_before: list[int]):
    for d in days_before:
        engagement_record(tenant=tenant, partner_id=partner.pk, kind=EngagementKind.LOGIN, at=at(AS_OF - d * DAY))


def test_scores_are_the_engines_on_the_partners_facts_and_are_stored_with_their_points(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        _logins(a.tenant, a.partner1, [1, 3, 10, 45])  # 3 in the last 30 days, the last one yesterday
        assert health_scores_compute(tenant=a.tenant, as_of=AS_OF) == 2
        ids, features = health_features(as_of=AS_OF, day_included=True)
        expected = engine.score(features, engine.HealthParameters())
        stored = {s.partner_id: s for s in HealthScore.objects.all()}
    i = list(ids).index(a.partner1.pk)
    assert features.logins_30d[i] == 3 and features.days_since_login[i] == 1
    mine = stored[a.partner1.pk]
    assert mine.total == pytest.approx(round(float(expected.total[i]), 2))
    assert sum(part["points"] for part in mine.components.values()) == pytest.approx(mine.total, abs=0.05)
    assert mine.components["satisfaction"]["score"] is None  # no PSAT yet: left out, weights renormalised
    assert mine.actions and mine.actions[0]["gain"] >= mine.actions[-1]["gain"] > 0
    assert stored[a.partner1.pk].total > stored[a.partner2.pk].total  # partner 2 never logged in


def test_the_days_score_counts_what_happened_that_day_and_churn_rows_do_not(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.LOGIN, at=at(AS_OF))
        _logins(a.tenant, a.partner1, [30])  # the 30th day back is outside "the last 30 days, that day included"
        ids, through = health_features(as_of=AS_OF, day_included=True)
        _ids, before = health_features(as_of=AS_OF)
    i = list(ids).index(a.partner1.pk)
    assert through.days_since_login[i] == 0 and through.logins_30d[i] == 1
    assert before.days_since_login[i] == 30 and before.logins_30d[i] == 1  # the day's login not yet, day 30 in


def test_a_later_score_says_what_moved_and_the_same_day_replaces(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        health_scores_compute(tenant=a.tenant, as_of=AS_OF)
        _logins(a.tenant, a.partner1, [-3, -2])  # two logins after AS_OF: they count for the next score
        health_scores_compute(tenant=a.tenant, as_of=AS_OF + 5 * DAY)
        later = HealthScore.objects.get(partner=a.partner1, as_of=AS_OF + 5 * DAY)
        assert later.moved[0]["component"] == "engagement" and later.moved[0]["points"] > 0
        ScoringSettings.objects.create(
            tenant=a.tenant,
            weights={"engagement": 100, "enablement": 0, "pipeline": 0, "revenue": 0, "satisfaction": 0, "compliance": 0},
        )
        health_scores_compute(tenant=a.tenant, as_of=AS_OF + 5 * DAY)
        again = HealthScore.objects.filter(partner=a.partner1, as_of=AS_OF + 5 * DAY)
        assert again.count() == 1  # replaced, not added
        assert again.get().total == pytest.approx(again.get().components["engagement"]["score"], abs=0.01)


def test_refreshing_one_partner_touches_only_it(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        assert health_scores_compute(tenant=a.tenant, as_of=AS_OF, partner_ids=[a.partner2.pk]) == 1
        assert list(HealthScore.objects.values_list("partner_id", flat=True)) == [a.partner2.pk]


def test_queries_do_not_grow_with_the_partners(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        with CaptureQueriesContext(connection) as two:
            health_scores_compute(tenant=a.tenant, as_of=AS_OF)
        for _ in range(5):
            PartnerFactory(tenant=a.tenant)
        with CaptureQueriesContext(connection) as seven:
            health_scores_compute(tenant=a.tenant, as_of=AS_OF + DAY)
    assert len(two) == len(seven)
