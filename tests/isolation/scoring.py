"""Isolation matrix rows for the health score and churn pages, and the tenant A objects they probe.

The vendor's list and detail are staff pages (partner users get 404); a partner's own page shows its
own score only (row-level security on ``HealthScore.partner``). Every churn page is a staff page:
predictions, alerts, interventions and models are staff-only rows.
"""

from __future__ import annotations

import functools

from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    "scoring:health": Route(no_ids, ("GET", "POST")),
    "scoring:health_settings": Route(no_ids, ("GET", "POST")),
    "scoring:health_detail": Route(lambda o: {"partner_id": o["scored_partner"]}, ("GET",)),
    "partner_scoring:health": Route(no_ids, ("GET",)),
    "scoring:churn": Route(no_ids, ("GET", "POST")),
    "scoring:churn_job": Route(lambda o: {"job_id": o["churn_job"]}, ("GET",)),
    "scoring:churn_model": Route(no_ids, ("GET",)),
    "scoring:churn_model_version": Route(lambda o: {"model_id": o["churn_model"]}, ("GET",)),
    "scoring:churn_model_activate": Route(lambda o: {"model_id": o["churn_model"]}, ("POST",)),
    "scoring:churn_alert": Route(lambda o: {"alert_id": o["churn_alert"]}, ("GET", "POST")),
    "scoring:intervention_outcome": Route(lambda o: {"intervention_id": o["intervention"]}, ("POST",)),
    # API
    "api:health-score-list": Route(no_ids, ("GET",)),
    "api:my-health": Route(no_ids, ("GET",), own=True),
    "api:churn-prediction-list": Route(no_ids, ("GET",)),
    "api:churn-alert-list": Route(no_ids, ("GET",)),
    "api:churn-alert-detail": Route(lambda o: {"public_id": o["churn_alert"]}, ("GET",)),
    "api:churn-alert-interventions": Route(lambda o: {"public_id": o["churn_alert"]}, ("POST",)),
    "api:churn-alert-close": Route(lambda o: {"public_id": o["churn_alert"]}, ("POST",)),
    "api:churn-model-list": Route(no_ids, ("GET",)),
    "api:churn-model-activate": Route(lambda o: {"public_id": o["churn_model"]}, ("POST",)),
    "api:scoring-settings": Route(no_ids, ("GET", "PUT")),
    "api:churn-intervention-outcome": Route(lambda o: {"public_id": o["intervention"]}, ("POST",)),
}


def objects(a) -> dict:
    """Tenant A's partners scored today (partner 1's score is what partner 2 must never see), a churn
    model, an alert on partner 1 with an intervention, and a training job."""
    import datetime

    from ecosystem.jobs.services import job_create
    from scoring.models import ChurnAlert, Intervention
    from scoring.registry import prediction_model_register
    from scoring.services import health_scores_compute

    health_scores_compute(tenant=a.tenant)
    model = prediction_model_register(tenant=a.tenant, actor=a.owner, kind="churn", result=_trained())
    alert = ChurnAlert.objects.create(
        tenant=a.tenant,
        partner=a.partner1,
        raised_on=datetime.date.today(),
        probability=0.8,
        method="model",
        drivers=[],
        suggestion={},
    )
    done = Intervention.objects.create(
        tenant=a.tenant, partner=a.partner1, alert=alert, action="call", occurred_on=datetime.date.today()
    )
    job = job_create(tenant=a.tenant, actor=a.owner, kind="churn_train")
    return {
        "scored_partner": a.partner1.public_id,
        "churn_model": model.public_id,
        "churn_alert": alert.public_id,
        "intervention": done.public_id,
        "churn_job": job.public_id,
        "partner1_ids": set(),
    }


@functools.cache
def _trained():
    """A small churn model, trained once per test process (the matrix builds tenant A for every route)."""
    from scoring.churn.synthetic import LABEL, synthetic_tenant
    from scoring.churn.training import train_churn_model

    synthetic = synthetic_tenant(n_partners=300, n_months=10, seed=5).table
    return train_churn_model(synthetic.drop(columns=["true_probability", "partner_id"]), label=LABEL, time_column="as_of")
