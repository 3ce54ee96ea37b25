"""Churn pages: the rule-based fallback says so, the model card shows metrics, calibration, window and
features, versions roll back, alerts take interventions, partners see their own risk only when the
tenant allows it; staff pages are closed to partners and to roles that only read."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ecosystem.jobs.models import Job
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization
from scoring import churn_service
from scoring.churn.synthetic import LABEL, synthetic_tenant
from scoring.churn.training import train_churn_model
from scoring.models import ChurnAlert, ChurnPrediction, Intervention, PredictionModel, ScoringSettings
from scoring.registry import prediction_model_register
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def url(name, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


@pytest.fixture
def predicted(world):
    """Rule-based predictions for tenant A's partners (no model, in the program for 200 days, never
    active), and alerts for both (threshold 0.3)."""
    a = world.a
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.update(created_at=timezone.now() - datetime.timedelta(days=200))
        ScoringSettings.objects.create(tenant=a.tenant, at_risk_threshold=0.3, alert_emails=False)
        churn_service.churn_predict(tenant=a.tenant, today=datetime.date.today() + datetime.timedelta(days=1))
    return a


@pytest.fixture(scope="module")
def trained():
    tenant = synthetic_tenant(n_partners=600, n_months=12, seed=3)
    table = tenant.table.drop(columns=["true_probability", "partner_id"])
    return train_churn_model(table, label=LABEL, time_column="as_of")


def test_the_rule_based_fallback_says_so_and_lists_alerts_and_risks(client, predicted):
    a = predicted
    client.force_login(a.analyst)
    page = client.get(url("scoring:churn")).content.decode()
    assert "Rule-based risk score" in page and "It ranks partners; it is not a probability." in page
    assert page.count('data-testid="alert-row"') == 2 and page.count('data-testid="churn-row"') == 2
    assert "no login in 60 days" in page
    assert 'data-testid="churn-train"' not in page  # an analyst reads, does not train


def test_train_now_is_a_job_for_editors(client, world, django_capture_on_commit_callbacks, monkeypatch):
    from scoring import tasks

    sent = []
    monkeypatch.setattr(tasks.churn_train, "apply_async", lambda args: sent.append(args))
    client.force_login(world.a.analyst)
    assert client.post(url("scoring:churn")).status_code == 403
    client.force_login(world.a.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("scoring:churn"))
    with tenant_context(world.a.tenant.pk):
        job = Job.objects.get(kind="churn_train")
    assert response.status_code == 302 and sent == [[world.a.tenant.pk, job.pk]]
    page = client.get(url("scoring:churn")).content.decode()
    assert 'data-testid="churn-job"' in page and "Training the churn model" in page
    assert client.get(url("scoring:churn_job", job_id=job.public_id)).status_code == 200


def test_the_model_card_and_rolling_back(client, world, trained):
    a = world.a
    with tenant_context(a.tenant.pk):
        first = prediction_model_register(tenant=a.tenant, actor=a.manager, kind="churn", result=trained)
        prediction_model_register(tenant=a.tenant, actor=a.manager, kind="churn", result=trained)
    client.force_login(a.manager)
    page = client.get(url("scoring:churn_model")).content.decode()
    assert "Churn model v2" in page and f"{trained.test_metrics['roc_auc']:.3f}" in page
    assert f"{trained.baseline_metrics['roc_auc']:.3f}" in page  # against the rule-based baseline
    assert 'id="calibration-data"' in page and '"observed"' in page
    assert trained.window["test_from"][:10] in page and trained.features[0] in page
    assert 'data-testid="activate-1"' in page and 'data-testid="activate-2"' not in page
    response = client.post(url("scoring:churn_model_activate", model_id=first.public_id))
    assert response.status_code == 302
    with tenant_context(a.tenant.pk):
        assert PredictionModel.objects.get(is_active=True).version == 1
    client.force_login(a.analyst)
    assert client.post(url("scoring:churn_model_activate", model_id=first.public_id)).status_code == 403


def test_an_alert_takes_interventions_keeps_bad_input_and_closes(client, predicted):
    a = predicted
    with tenant_context(a.tenant.pk):
        alert = ChurnAlert.objects.get(partner=a.partner1)
    client.force_login(a.manager)
    page = client.get(url("scoring:churn_alert", alert_id=alert.public_id)).content.decode()
    assert escape(alert.suggestion["sentence"]) in page and alert.drivers[0]["sentence"] in page
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    bad = client.post(
        url("scoring:churn_alert", alert_id=alert.public_id),
        {"action": "call", "occurred_on": future, "note": "kept", "outcome": "pending"},
    )
    assert bad.status_code == 200 and "cannot be in the future" in bad.content.decode() and "kept" in bad.content.decode()
    ok = client.post(
        url("scoring:churn_alert", alert_id=alert.public_id),
        {"action": "call", "occurred_on": datetime.date.today().isoformat(), "note": "Called the CEO", "outcome": "pending"},
    )
    assert ok.status_code == 302
    with tenant_context(a.tenant.pk):
        done = Intervention.objects.get()
    client.post(url("scoring:intervention_outcome", intervention_id=done.public_id), {"outcome": "retained"})
    client.post(url("scoring:churn_alert", alert_id=alert.public_id), {"close": "1"})
    with tenant_context(a.tenant.pk):
        done.refresh_from_db()
        alert.refresh_from_db()
    assert done.outcome == "retained" and done.alert_id == alert.pk and alert.status == "closed"


def test_partners_see_their_own_risk_only_when_allowed(client, predicted):
    a = predicted
    client.force_login(a.partner1_admin)
    assert 'data-testid="own-churn"' not in client.get(url("partner_scoring:health")).content.decode()
    with tenant_context(a.tenant.pk):
        ScoringSettings.objects.update(partners_see_churn=True)
        mine = ChurnPrediction.objects.get(partner=a.partner1)
    page = client.get(url("partner_scoring:health")).content.decode()
    assert 'data-testid="own-churn"' in page and f"{mine.probability:.2f}" in page
    for name in ("scoring:churn", "scoring:churn_model"):
        assert client.get(url(name)).status_code == 404


def test_the_churn_page_runs_a_fixed_number_of_queries(client, predicted):
    a = predicted
    client.force_login(a.manager)
    with CaptureQueriesContext(connection) as two:
        client.get(url("scoring:churn"))
    with tenant_context(a.tenant.pk):
        for _ in range(4):
            PartnerFactory(tenant=a.tenant)
        PartnerOrganization.objects.update(created_at=timezone.now() - datetime.timedelta(days=200))
        churn_service.churn_predict(tenant=a.tenant, today=datetime.date.today() + datetime.timedelta(days=1))
    with CaptureQueriesContext(connection) as six:
        client.get(url("scoring:churn"))
    assert len(two) == len(six)
