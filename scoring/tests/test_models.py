"""Scoring tables under row-level security: a partner user reads its own health scores and nothing
else of scoring; the database refuses out-of-range figures and a second active model of a kind."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ecosystem.tenancy.context import tenant_context
from scoring.models import ChurnPrediction, HealthScore, PredictionModel, ScoringSettings

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


def _score(tenant, partner, total=70.0, as_of=TODAY):
    return HealthScore.objects.create(
        tenant=tenant, partner=partner, as_of=as_of, computed_at=timezone.now(), total=total, engine_version="1"
    )


def _model(tenant, version, active):
    return PredictionModel.objects.create(
        tenant=tenant,
        kind="churn",
        version=version,
        is_active=active,
        method="logistic",
        trained_at=timezone.now(),
        window_start=TODAY - datetime.timedelta(days=365),
        window_end=TODAY,
        data_sha256="0" * 64,
        artefact=b"",
    )


def test_partner_users_read_their_own_health_scores_and_no_other_scoring_row(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        mine, theirs = _score(a.tenant, a.partner1), _score(a.tenant, a.partner2)
        ScoringSettings.objects.create(tenant=a.tenant)
        model = _model(a.tenant, 1, True)
        ChurnPrediction.objects.create(
            tenant=a.tenant,
            partner=a.partner1,
            as_of=TODAY,
            probability=0.3,
            method="model",
            model=model,
            computed_at=timezone.now(),
        )
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        assert list(HealthScore.objects.values_list("pk", flat=True)) == [mine.pk]
        assert not ScoringSettings.objects.exists()
        assert not PredictionModel.objects.exists()
        assert not ChurnPrediction.objects.exists()  # its own too: only a selector may show it, when allowed
    with tenant_context(world.b.tenant.pk):
        assert not HealthScore.objects.filter(pk__in=[mine.pk, theirs.pk]).exists()


def test_the_database_refuses_bad_figures_and_two_active_models(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        with pytest.raises(IntegrityError), transaction.atomic():
            _score(a.tenant, a.partner1, total=101)
        _score(a.tenant, a.partner1)
        with pytest.raises(IntegrityError), transaction.atomic():
            _score(a.tenant, a.partner1)  # one score a day per partner
        _model(a.tenant, 1, True)
        with pytest.raises(IntegrityError), transaction.atomic():
            _model(a.tenant, 2, True)
        _model(a.tenant, 2, False)
        with pytest.raises(IntegrityError), transaction.atomic():
            ChurnPrediction.objects.create(
                tenant=a.tenant, partner=a.partner1, as_of=TODAY, probability=1.5, method="rules", computed_at=timezone.now()
            )
