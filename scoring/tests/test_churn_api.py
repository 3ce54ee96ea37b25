"""The churn API: predictions highest risk first, alerts with interventions (idempotent create, bad
input answered 400 with the envelope), closing once, models listed and rolled back; staff only."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization
from scoring import churn_service
from scoring.churn.synthetic import LABEL, synthetic_tenant
from scoring.churn.training import train_churn_model
from scoring.models import ChurnAlert, Intervention, PredictionModel, ScoringSettings
from scoring.registry import prediction_model_register

pytestmark = pytest.mark.django_db
BASE = "/api/v1/t/alpha/"


@pytest.fixture
def alerted(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.update(created_at=timezone.now() - datetime.timedelta(days=200))
        ScoringSettings.objects.create(tenant=a.tenant, at_risk_threshold=0.3, alert_emails=False)
        churn_service.churn_predict(tenant=a.tenant, today=datetime.date.today() + datetime.timedelta(days=1))
        return a, ChurnAlert.objects.get(partner=a.partner1)


def test_predictions_and_alerts_for_staff_only(client, alerted):
    a, alert = alerted
    client.force_login(a.analyst)
    predictions = client.get(BASE + "churn-predictions/").json()["results"]
    assert {p["partner"] for p in predictions} == {str(a.partner1.public_id), str(a.partner2.public_id)}
    assert predictions[0]["method"] == "rules" and predictions[0]["drivers"][0]["sentence"] == "no login in 60 days"
    alerts = client.get(BASE + "churn-alerts/?status=open").json()["results"]
    assert len(alerts) == 2 and alerts[0]["suggestion"]["sentence"]
    detail = client.get(BASE + f"churn-alerts/{alert.public_id}/").json()
    assert detail["partner"] == str(a.partner1.public_id) and detail["interventions"] == []
    client.force_login(a.partner1_admin)
    for path in ("churn-predictions/", "churn-alerts/", f"churn-alerts/{alert.public_id}/", "churn-models/"):
        assert client.get(BASE + path).status_code == 404


def test_interventions_are_idempotent_validated_and_alerts_close_once(client, alerted):
    a, alert = alerted
    client.force_login(a.manager)
    path = BASE + f"churn-alerts/{alert.public_id}/interventions/"
    body = {"action": "business_review", "occurred_on": datetime.date.today().isoformat(), "note": "QBR booked"}
    first = client.post(path, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    again = client.post(path, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    bad = client.post(path, {**body, "action": "pray"}, content_type="application/json")
    assert bad.status_code == 400 and "action" in str(bad.json())
    future = client.post(path, {**body, "occurred_on": "2999-01-01"}, content_type="application/json")
    assert future.status_code == 400 and "future" in str(future.json())
    with tenant_context(a.tenant.pk):
        assert Intervention.objects.count() == 1
    assert client.post(BASE + f"churn-alerts/{alert.public_id}/close/").json()["status"] == "closed"
    second = client.post(BASE + f"churn-alerts/{alert.public_id}/close/")
    assert second.status_code == 409 and second.json()["code"] == "alert_closed"
    client.force_login(a.analyst)
    assert client.post(path, body, content_type="application/json").status_code == 403


def test_models_listed_and_rolled_back(client, world):
    a = world.a
    table = synthetic_tenant(n_partners=300, n_months=10, seed=5).table
    result = train_churn_model(table.drop(columns=["true_probability", "partner_id"]), label=LABEL, time_column="as_of")
    with tenant_context(a.tenant.pk):
        first = prediction_model_register(tenant=a.tenant, actor=a.owner, kind="churn", result=result)
        prediction_model_register(tenant=a.tenant, actor=a.owner, kind="churn", result=result)
    client.force_login(a.manager)
    models = client.get(BASE + "churn-models/").json()["results"]
    assert [(m["version"], m["is_active"]) for m in models] == [(2, True), (1, False)]
    assert models[0]["test_metrics"]["roc_auc"] == pytest.approx(result.test_metrics["roc_auc"])
    assert client.post(BASE + f"churn-models/{first.public_id}/activate/").json()["is_active"] is True
    with tenant_context(a.tenant.pk):
        assert PredictionModel.objects.get(is_active=True).version == 1


def test_an_api_key_records_an_intervention_and_closes_an_alert_naming_no_person(client, alerted):
    # found by the API fuzz: the key itself was put in the recorded_by / closed_by user columns (a 500)
    from ecosystem.api.services import api_key_create

    a, alert = alerted
    with tenant_context(a.tenant.pk):
        issued = api_key_create(tenant=a.tenant, actor=a.owner, name="CRM", scope="write")
    key = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    body = {"action": "business_review", "occurred_on": datetime.date.today().isoformat(), "note": "QBR booked"}

    recorded = client.post(BASE + f"churn-alerts/{alert.public_id}/interventions/", body, content_type="application/json", **key)
    closed = client.post(BASE + f"churn-alerts/{alert.public_id}/close/", **key)

    assert recorded.status_code == 201
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    with tenant_context(a.tenant.pk):
        assert Intervention.objects.get().recorded_by is None
        alert.refresh_from_db()
        assert (alert.status, alert.closed_by) == ("closed", None)
