"""The scoring demo gives every partner eight weekly scores that differ between busy and quiet
partners and today's churn prediction, and seeding twice changes nothing."""

from __future__ import annotations

from ecosystem.tenancy.context import tenant_context
from partners.models import EngagementEvent
from scoring import demo
from scoring.models import ChurnPrediction, HealthScore, ScoringSettings


def test_the_demo_scores_eight_weeks_and_is_idempotent(world):
    a = world.a
    partners = {"northwind.example": a.partner1, "fabrikam.example": a.partner2}
    with tenant_context(a.tenant.pk):
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        assert HealthScore.objects.filter(partner=a.partner1).count() == 9
        latest = {s.partner_id: s for s in HealthScore.objects.order_by("as_of")}
        assert latest[a.partner1.pk].total != latest[a.partner2.pk].total
        assert latest[a.partner1.pk].moved or latest[a.partner2.pk].moved  # a later score says what moved
        # two partners are too few to train on: the rule-based score, and the reason recorded
        assert ScoringSettings.objects.get().churn_status["outcome"] == "rules"
        assert ChurnPrediction.objects.count() == 2
        counts = (EngagementEvent.objects.count(), HealthScore.objects.count(), ChurnPrediction.objects.count())
        demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        assert (EngagementEvent.objects.count(), HealthScore.objects.count(), ChurnPrediction.objects.count()) == counts
