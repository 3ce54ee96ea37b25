"""Demo data for ``seed_demo`` (idempotent): two years of portal activity in which some partners go
quiet (:mod:`scoring.churn.history`), health scores for the last eight weeks so the trend charts have
a history, a churn model trained on that history, today's churn predictions and their alerts."""

from __future__ import annotations

import datetime

from django.utils import timezone
from threadpoolctl import threadpool_limits

from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .churn.history import plant_history
from .churn_service import churn_model_train, churn_predict
from .models import HealthScore, ScoringSettings
from .services import health_scores_compute

# The partners the demo logins belong to stay active (their people log in to a living partnership).
KEEP_ACTIVE = ("northwind.example", "contoso-ms.example", "fabrikam.example")


def seed(*, tenant: Tenant, owner, partners: dict[str, PartnerOrganization]) -> None:
    with tenant_atomic():
        if HealthScore.objects.exists():
            return
        today = timezone.localdate()
        keep = frozenset(p.pk for domain, p in partners.items() if domain in KEEP_ACTIVE)
        ordered = sorted(partners.values(), key=lambda p: p.name)
        plant_history(tenant=tenant, partners=ordered, today=today, quit_share=0.35, seed=7, keep_active=keep)
        # the alert emails of the first prediction would only go to the console: the managers see them in the portal
        ScoringSettings.objects.get_or_create(tenant=tenant, defaults={"alert_emails": False})
    for weeks_ago in range(8, -1, -1):  # oldest first, so each score says what moved since the week before
        health_scores_compute(tenant=tenant, as_of=timezone.localdate() - datetime.timedelta(weeks=weeks_ago))
    with threadpool_limits(limits=1):
        churn_model_train(tenant=tenant, actor=owner)
        churn_predict(tenant=tenant)
    ScoringSettings.objects.filter(tenant=tenant).update(alert_emails=True)
