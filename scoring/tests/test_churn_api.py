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
from scoring.models import ChurnAlert, ChurnPrediction, Intervention, PredictionModel, ScoringSettings
from scoring.registry import prediction_model_register
from tests.factories import PartnerFactory

from .test_api import ids_in_order, walk

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


# --- the predictions list: cursor pages, ordering, filters --------------------------------------------

PREDICTIONS = BASE + "churn-predictions/"
RISKS = [0.5, 1 / 3, 0.5, 0.5, 1 / 3, 0.5, 0.9, 0.5]  # five tied on 0.5 (more than a page), two on a third
METHODS = ["rules", "model", "rules", "model", "rules", "model", "model", "rules"]


def predicted_partners(a, risks: list[float], methods: list[str]) -> list:
    """One partner per risk, all of the same name, each also with an older prediction of 0.99 that the list
    must skip. Returns the partners in creation order (their latest predictions' id order)."""
    today = datetime.date(2026, 3, 31)
    partners = []
    with tenant_context(a.tenant.pk):
        for probability, method in zip(risks, methods, strict=True):
            partner = PartnerFactory(tenant=a.tenant, name="Tied Partner")
            for as_of, value in ((today - datetime.timedelta(days=7), 0.99), (today, probability)):
                ChurnPrediction.objects.create(
                    tenant=a.tenant, partner=partner, as_of=as_of, probability=value, method=method, computed_at=timezone.now()
                )
            partners.append(partner)
    return partners


def test_every_page_of_tied_predictions_is_walked_once_highest_risk_first(client, world):
    a = world.a
    partners = predicted_partners(a, RISKS, METHODS)
    client.force_login(a.analyst)

    forward, backward = walk(client, PREDICTIONS + "?page_size=2")
    ascending, _back = walk(client, PREDICTIONS + "?page_size=3&ordering=probability")

    expected = ids_in_order(partners, [-r for r in RISKS])  # highest first; ties (same name) by row
    assert [row["partner"] for row in forward] == expected
    assert [row["partner"] for row in backward] == expected
    assert [row["probability"] for row in forward] == sorted(RISKS, reverse=True)
    assert [row["partner"] for row in ascending] == ids_in_order(partners, RISKS)


def test_predictions_filter_by_method_probability_and_partner(client, world):
    a = world.a
    partners = predicted_partners(a, RISKS, METHODS)
    client.force_login(a.analyst)

    def risks(query: str) -> list[tuple[float, str]]:
        response = client.get(PREDICTIONS + query)
        assert response.status_code == 200, response.content
        return [(row["probability"], row["method"]) for row in response.json()["results"]]

    assert risks("?method=model") == [(0.9, "model"), (0.5, "model"), (0.5, "model"), (1 / 3, "model")]
    assert risks("?probability_at_least=0.5&method=rules") == [(0.5, "rules")] * 3
    assert risks(f"?partner={partners[6].public_id}") == [(0.9, "model")]
    assert risks(f"?partner={world.b.partner1.public_id}") == []
    by_day = [row["partner"] for row in client.get(PREDICTIONS + "?ordering=as_of").json()["results"]]
    assert by_day == ids_in_order(partners, [-r for r in RISKS])  # one day: then the default order


@pytest.mark.parametrize(
    ("query", "attr", "code"),
    [
        ("?ordering=drivers", "ordering", "invalid_ordering"),
        ("?method=magic", "method", "invalid_choice"),
        ("?probability_at_least=high", "probability_at_least", "invalid"),
    ],
)
def test_a_bad_ordering_or_filter_value_is_a_400(client, world, query, attr, code):
    client.force_login(world.a.analyst)
    response = client.get(PREDICTIONS + query)
    assert response.status_code == 400
    assert (response.json()["attr"], response.json()["code"]) == (attr, code)


def test_a_page_of_predictions_costs_the_same_queries_whatever_its_size(client, world, django_assert_num_queries):
    predicted_partners(world.a, RISKS, METHODS)
    client.force_login(world.a.analyst)
    for size in (1, 8):
        # session, user, tenant; savepoint, tenant settings, membership; the page of latest predictions
        # with their partner (one query); savepoint release, settings cleared
        with django_assert_num_queries(PREDICTION_PAGE_QUERIES):
            assert len(client.get(f"{PREDICTIONS}?page_size={size}&probability_at_least=0").json()["results"]) == size


PREDICTION_PAGE_QUERIES = 9
