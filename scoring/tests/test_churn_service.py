"""Churn in the product, on a planted history in PostgreSQL: training stores a model that finds the
planted signal, predictions carry drivers, alerts are raised once and announced, and a tenant with
too little history gets the rule-based score with the reason."""

from __future__ import annotations

import datetime

import pytest
from threadpoolctl import threadpool_limits

from attribution.tests.support import at
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization, PartnerStatus
from scoring import churn_service
from scoring.churn.history import plant_history
from scoring.churn_features import FEATURES
from scoring.models import (
    AlertStatus,
    ChurnAlert,
    ChurnPrediction,
    Intervention,
    InterventionAction,
    ModelKind,
    PredictionMethod,
    PredictionModel,
    ScoringSettings,
)
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 15)


@pytest.fixture
def planted(world):
    """Tenant A with 160 partners and two years of planted history (half go quiet at some point)."""
    a = world.a
    with tenant_context(a.tenant.pk):
        partners = [PartnerFactory(tenant=a.tenant, name=f"History {n:03d}") for n in range(160)]
        quiet = plant_history(tenant=a.tenant, partners=partners, today=TODAY, seed=11)
    return a, partners, quiet


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(limits=1):
        yield


def test_training_finds_the_planted_signal_and_becomes_active(planted):
    a, _partners, _quiet = planted
    with tenant_context(a.tenant.pk):
        outcome = churn_service.churn_model_train(tenant=a.tenant, actor=a.manager, today=TODAY)
        model = PredictionModel.objects.get(kind=ModelKind.CHURN)
        status = ScoringSettings.objects.get().churn_status
    assert outcome.outcome == "trained" and outcome.version == 1
    assert model.is_active and model.version == 1
    # the planted history has no deal records: the features read from them have no value and are left out
    assert model.metrics["dropped_features"] == ["days_to_close"]
    assert model.features == [f for f in FEATURES if f not in model.metrics["dropped_features"]]
    assert model.metrics["test"]["roc_auc"] > 0.9  # quiet partners are easy to see once they are quiet
    assert model.metrics["test"]["roc_auc"] > model.metrics["baseline"]["roc_auc"] - 0.02
    assert set(model.metrics["drift_reference"]) == set(model.features)
    assert model.metrics["horizon_days"] == 90
    top = [row["feature"] for row in model.metrics["importance"][:3]]
    assert "days_since_last_login" in top
    assert status["outcome"] == "trained" and status["version"] == 1


def test_predictions_with_drivers_alerts_once_and_announced(planted, mailoutbox, django_capture_on_commit_callbacks, monkeypatch):
    a, partners, quiet = planted
    sent = []
    monkeypatch.setattr("scoring.tasks.churn_alert_webhook.delay", lambda *args: sent.append(args))
    with tenant_context(a.tenant.pk):
        ScoringSettings.objects.create(
            tenant=a.tenant, alert_webhook_url="https://hooks.example.com/prm", alert_webhook_secret="s"
        )
        churn_service.churn_model_train(tenant=a.tenant, actor=a.manager, today=TODAY)
        with django_capture_on_commit_callbacks(execute=True):
            first = churn_service.churn_predict(tenant=a.tenant, today=TODAY)
        predictions = {p.partner_id: p for p in ChurnPrediction.objects.filter(as_of=TODAY)}
        alerts = list(ChurnAlert.objects.filter(status=AlertStatus.OPEN))
        with django_capture_on_commit_callbacks(execute=True):
            again = churn_service.churn_predict(tenant=a.tenant, today=TODAY)
        model = PredictionModel.objects.get(kind=ModelKind.CHURN)
    assert (
        first["method"] == "model" and first["predicted"] == len(predictions) == 160
    )  # the world's two partners join after TODAY
    gone = [p.pk for p in partners if quiet[p.pk] is not None and quiet[p.pk] < TODAY - datetime.timedelta(days=60)]
    staying = [p.pk for p in partners if quiet[p.pk] is None]
    mean = lambda ids: sum(predictions[i].probability for i in ids) / len(ids)  # noqa: E731
    assert mean(gone) > 0.8 > 0.2 > mean(staying)
    quiet_one = predictions[gone[0]]
    assert quiet_one.method == PredictionMethod.MODEL and quiet_one.drivers
    assert all(d["contribution"] > 0 and d["sentence"] for d in quiet_one.drivers)
    # one alert per partner at or above the threshold, the second run raises none
    assert {alert.partner_id for alert in alerts} == {pid for pid, p in predictions.items() if p.probability >= 0.5}
    assert again["new_alerts"] == 0 and first["new_alerts"] == len(alerts) > 0
    assert alerts[0].suggestion["action"] in InterventionAction.values and alerts[0].suggestion["sentence"]
    assert len(mailoutbox) == 1 and f"{len(alerts)} partner(s) at risk" in mailoutbox[0].subject
    assert sorted(alert_id for _tenant, alert_id in sent) == sorted(alert.pk for alert in alerts)
    assert model.drift["flag"] in ("stable", "moderate", "significant") and model.drift["rows"] == 160


def test_too_little_history_uses_the_rules_and_says_why(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.update(created_at=at(datetime.date(2026, 5, 1)))
        outcome = churn_service.churn_model_train(tenant=a.tenant, actor=a.manager, today=TODAY)
        result = churn_service.churn_predict(tenant=a.tenant, today=TODAY)
        status = ScoringSettings.objects.get().churn_status
        predictions = list(ChurnPrediction.objects.all())
        stored_models = PredictionModel.objects.count()
    assert outcome.outcome == "rules" and "Too little history" in outcome.reason
    assert status["outcome"] == "rules" and status["reason"] == outcome.reason
    assert stored_models == 0
    assert result["method"] == "rules" and {p.method for p in predictions} == {PredictionMethod.RULES}
    # two partners in the program since May, never active: no login in 60 days, no registration in 120
    assert [d["sentence"] for d in predictions[0].drivers] == ["no login in 60 days", "no registration in 120 days"]
    assert predictions[0].probability == pytest.approx((3 + 1) / (3 + 2 + 2 + 1))


def test_only_partners_in_the_program_are_predicted(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.update(created_at=at(datetime.date(2026, 5, 1)))
        prospect = PartnerFactory(tenant=a.tenant, status=PartnerStatus.PROSPECT)
        retired = PartnerFactory(tenant=a.tenant, status=PartnerStatus.RETIRED)
        PartnerOrganization.objects.update(created_at=at(datetime.date(2026, 5, 1)))
        churn_service.churn_predict(tenant=a.tenant, today=TODAY)
        predicted = set(ChurnPrediction.objects.values_list("partner_id", flat=True))
    assert predicted == {a.partner1.pk, a.partner2.pk}
    assert prospect.pk not in predicted and retired.pk not in predicted


def test_interventions_and_closing_alerts(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        alert = ChurnAlert.objects.create(
            tenant=a.tenant, partner=a.partner1, raised_on=TODAY, probability=0.7, method="model", drivers=[], suggestion={}
        )
        done = churn_service.intervention_record(
            tenant=a.tenant,
            actor=a.manager,
            partner=a.partner1,
            alert=alert,
            action=InterventionAction.CALL,
            occurred_on=datetime.date(2026, 11, 1),
            note="Spoke to the CEO",
        )
        with pytest.raises(Exception, match="another partner"):
            churn_service.intervention_record(
                tenant=a.tenant, actor=a.manager, partner=a.partner2, alert=alert, action="call", occurred_on=TODAY
            )
        with pytest.raises(Exception, match="future"):
            churn_service.intervention_record(
                tenant=a.tenant,
                actor=a.manager,
                partner=a.partner1,
                action="call",
                occurred_on=datetime.date.today() + datetime.timedelta(days=2),
            )
        churn_service.intervention_set_outcome(tenant=a.tenant, actor=a.manager, intervention=done, outcome="retained")
        churn_service.churn_alert_close(tenant=a.tenant, actor=a.manager, alert=alert)
        with pytest.raises(Exception, match="already closed"):
            churn_service.churn_alert_close(tenant=a.tenant, actor=a.manager, alert=alert)
        stored = Intervention.objects.get()
        # a closed alert lets the partner raise a new one later
        ChurnAlert.objects.create(
            tenant=a.tenant, partner=a.partner1, raised_on=TODAY, probability=0.8, method="model", drivers=[], suggestion={}
        )
    assert stored.outcome == "retained" and stored.alert_id == alert.pk and stored.note == "Spoke to the CEO"


def test_training_dates_are_month_starts_before_this_month():
    dates = churn_service.training_dates(datetime.date(2026, 3, 17), months=4)
    assert dates == [datetime.date(2025, 11, 1), datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]


def test_the_training_job_reads_under_row_level_security_in_its_own_transactions(committed_world):
    """The worker runs Train now without an enclosing transaction: every read must carry the scope
    (committed data, so no setting survives from one transaction into the next as it would in a test's)."""
    from ecosystem.jobs.services import job_create
    from scoring.tasks import churn_train

    a = committed_world.a
    with tenant_context(a.tenant.pk):
        partners = [PartnerFactory(tenant=a.tenant, name=f"History {n:03d}") for n in range(160)]
        plant_history(tenant=a.tenant, partners=partners, today=TODAY, seed=11)
        job = job_create(tenant=a.tenant, actor=a.manager, kind="churn_train")
    result = churn_train(a.tenant.pk, job.pk)  # run here, as the worker runs it
    with tenant_context(a.tenant.pk):
        job.refresh_from_db()
        model = PredictionModel.objects.get()
    assert result["outcome"] == "trained" and result["predicted"] == 160
    assert job.status == "succeeded" and job.result["version"] == 1 and model.job_id == job.pk
    assert model.trained_by == a.manager


def test_the_webhook_is_signed_and_its_outcome_audited(world, monkeypatch):
    from ecosystem import outbound
    from ecosystem.audit.models import AuditEntry
    from scoring.tasks import churn_alert_webhook

    a = world.a
    calls = []

    def post_json(url, payload, *, secret=None, headers=None, **kwargs):
        calls.append((url, payload, secret, headers))
        return outbound.OutboundResponse(status=204, headers={}, content=b"", elapsed_ms=3, url=url)

    monkeypatch.setattr(outbound, "post_json", post_json)
    with tenant_context(a.tenant.pk):
        ScoringSettings.objects.create(
            tenant=a.tenant, alert_webhook_url="https://hooks.example.com/prm", alert_webhook_secret="s3"
        )
        alert = ChurnAlert.objects.create(
            tenant=a.tenant,
            partner=a.partner1,
            raised_on=TODAY,
            probability=0.71,
            method="model",
            drivers=[{"feature": "logins_30d", "sentence": "0 logins in 30 days (typical 6)", "contribution": 0.3}],
            suggestion={"action": "call", "sentence": "Call."},
        )
    assert churn_alert_webhook(a.tenant.pk, alert.pk) == 204
    url, payload, secret, headers = calls[0]
    assert url == "https://hooks.example.com/prm" and secret == "s3"
    assert headers == {"X-PRM-Event": "churn_risk.raised", "X-PRM-Event-Id": str(alert.public_id)}
    assert payload["partner"] == {"id": str(a.partner1.public_id), "name": a.partner1.name}
    assert payload["drivers"] == ["0 logins in 30 days (typical 6)"] and payload["probability"] == 0.71
    with tenant_context(a.tenant.pk):
        audit = AuditEntry.objects.get(action="scoring.alert_webhook")
    assert audit.changes == {"status": 204, "error": ""}
