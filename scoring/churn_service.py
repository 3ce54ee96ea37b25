"""Churn in the product: train a tenant's model, predict every partner's risk, raise and work alerts.

- :func:`churn_model_train`: the churn table of the last :data:`TRAINING_MONTHS` month starts
  (:func:`scoring.churn_features.partner_month_table`, labelled rows only) through
  :func:`scoring.churn.training.train_churn_model`; the model is stored in the registry with the
  drift reference of its training rows and becomes the active one. With too little history nothing
  is stored and the tenant keeps the rule-based score; :attr:`ScoringSettings.churn_status` records the
  outcome and its reason either way, which the churn screen shows.
- :func:`churn_predict`: today's row of every partner in the program (onboarding, active or at risk),
  scored by the active model with its top three drivers, or by the transparent rules with the rules that
  fired; one :class:`ChurnPrediction` per partner and day; the drift check of the live rows against the
  model's training rows; an alert for each partner at or above the tenant's threshold that has no open
  alert, announced by email to the managers and by a signed webhook.
- :func:`intervention_record` / :func:`churn_alert_close`: what managers did and what came of it. The
  churn table reads interventions back as a feature (:mod:`scoring.churn_features`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events
from partners.models import PartnerOrganization, PartnerStatus

from .churn import drift
from .churn.rules import DEFAULT_RULES, applicable_rules, rule_based_risk
from .churn_features import FEATURES, LABEL, partner_month_table
from .models import (
    AlertStatus,
    ChurnAlert,
    ChurnPrediction,
    Intervention,
    InterventionAction,
    InterventionOutcome,
    ModelKind,
    PredictionMethod,
    ScoringSettings,
)
from .registry import active_model, prediction_model_load, prediction_model_register

TRAINING_MONTHS = 24
MIN_DRIVER = 0.005  # a driver raises the risk by at least half a percentage point, or it is not shown
PREDICTED_STATUSES = (PartnerStatus.ONBOARDING, PartnerStatus.ACTIVE, PartnerStatus.AT_RISK)

# The intervention suggested for an alert, by the feature of its strongest driver.
SUGGESTIONS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        ("days_since_last_login", "logins_30d", "login_trend_log"),
        (InterventionAction.CALL, "Call the partner's leadership: portal use has dropped. Ask what changed."),
    ),
    **dict.fromkeys(
        ("certs_lapsed_90d", "certified_people", "certifications_expiring", "courses_completed_90d"),
        (InterventionAction.ENABLEMENT, "Offer an enablement session to renew the lapsing certifications."),
    ),
    **dict.fromkeys(
        ("days_since_last_registration", "registrations_90d", "registrations_approved", "registrations_rejected"),
        (InterventionAction.PIPELINE, "Share leads or plan a co-selling account to restart registrations."),
    ),
}
DEFAULT_SUGGESTION = (InterventionAction.BUSINESS_REVIEW, "Hold a joint business review on the partner's plan and results.")


def scoring_settings(tenant: Tenant) -> ScoringSettings:
    """The tenant's settings row, or an unsaved one with the defaults."""
    return ScoringSettings.objects.filter(tenant=tenant).first() or ScoringSettings(tenant=tenant)


def training_dates(today: datetime.date, months: int = TRAINING_MONTHS) -> list[datetime.date]:
    """The first day of each of the ``months`` months before ``today``'s month, oldest first."""
    first = today.replace(day=1)
    dates = []
    for back in range(months, 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        dates.append(datetime.date(year, month + 1, 1))
    return dates


def _record_status(tenant: Tenant, **status: Any) -> None:
    with tenant_atomic():
        row, _created = ScoringSettings.objects.select_for_update().get_or_create(tenant=tenant)
        row.churn_status = {"at": timezone.now().isoformat(), **status}
        row.save(update_fields=["churn_status", "updated_at"])


@dataclass(frozen=True)
class TrainingOutcome:
    outcome: str  # trained | rules
    reason: str
    version: int | None = None


def churn_model_train(
    *, tenant: Tenant, actor: Any, job=None, today: datetime.date | None = None, progress=None
) -> TrainingOutcome:
    """Train the tenant's churn model on its own history and make it the active one (see the module docstring)."""
    # scikit-learn takes seconds to import: only the worker's training pays for it, not every web process
    from .churn.training import NotEnoughHistory, train_churn_model

    today = today or timezone.localdate()
    progress = progress or (lambda percent, message: None)
    progress(10, "reading the history")
    with tenant_atomic():  # reads under the tenant's row-level security, also in a long (non-atomic) task
        horizon = scoring_settings(tenant).inactive_after_days
        table = partner_month_table(as_of_dates=training_dates(today), horizon_days=horizon, today=today)
    labelled = table[table[LABEL].notna()].reset_index(drop=True)
    progress(50, f"training on {len(labelled)} partner-months")
    try:
        if labelled["as_of"].nunique() < 2:
            raise NotEnoughHistory(
                f"Too little history for a trained model: {labelled['as_of'].nunique()} month(s) whose {horizon}-day "
                "horizon has ended (need several). Using the rule-based risk score."
            )
        result = train_churn_model(labelled, label=LABEL, time_column="as_of", features=list(FEATURES))
    except NotEnoughHistory as reason:
        _record_status(tenant, outcome="rules", reason=str(reason), rows=len(labelled))
        return TrainingOutcome("rules", str(reason))
    progress(85, "storing the model")
    train_rows = labelled["as_of"] < pd.Timestamp(result.window["test_from"])
    reference = drift.reference(labelled.loc[train_rows, result.features].to_numpy(dtype=np.float64), result.features)
    stored = prediction_model_register(
        tenant=tenant,
        actor=actor,
        kind=ModelKind.CHURN,
        result=result,
        job=job,
        extra_metrics={
            "drift_reference": reference,
            "horizon_days": horizon,
            "history_check": result.history_check,
            "timings": result.timings,
        },
    )
    _record_status(tenant, outcome="trained", reason=result.history_check, version=stored.version, rows=len(labelled))
    return TrainingOutcome("trained", result.history_check, stored.version)


def _rule_drivers(table: pd.DataFrame) -> list[list[dict]]:
    usable = sorted(applicable_rules(table.columns, DEFAULT_RULES), key=lambda r: -r.points)
    total = sum(r.points for r in usable)
    fired = [rule.fires(table) for rule in usable]
    return [
        [
            {"feature": rule.feature, "sentence": rule.sentence, "contribution": round(rule.points / total, 4)}
            for rule, hits in zip(usable, fired, strict=True)
            if hits[i]
        ]
        for i in range(len(table))
    ]


def suggestion_for(drivers: list[dict]) -> dict:
    action, sentence = SUGGESTIONS.get(drivers[0]["feature"], DEFAULT_SUGGESTION) if drivers else DEFAULT_SUGGESTION
    return {"action": str(action), "sentence": sentence}


def churn_predict(*, tenant: Tenant, today: datetime.date | None = None) -> dict:
    """Score every partner in the program today, store the predictions, check drift, raise alerts."""
    with tenant_atomic():
        return _predict(tenant=tenant, today=today or timezone.localdate())


def _predict(*, tenant: Tenant, today: datetime.date) -> dict:
    config = scoring_settings(tenant)
    ids = np.array(
        sorted(PartnerOrganization.objects.filter(status__in=PREDICTED_STATUSES).values_list("pk", flat=True)), dtype=np.int64
    )
    table = partner_month_table(as_of_dates=[today], horizon_days=config.inactive_after_days, today=today, partner_ids=ids)
    if table.empty:
        return {"predicted": 0, "method": None, "new_alerts": 0}
    model = active_model(ModelKind.CHURN)
    now = timezone.now()
    if model is not None:
        churn = prediction_model_load(model)
        probability = churn.predict_proba(table)
        drivers = [
            [
                {"feature": d.feature, "sentence": d.sentence, "contribution": round(d.contribution, 4)}
                for d in row
                if d.contribution >= MIN_DRIVER
            ]
            for row in churn.explain(table, top=3)
        ]
        method = PredictionMethod.MODEL
    else:
        probability = rule_based_risk(table)
        drivers = _rule_drivers(table)
        method = PredictionMethod.RULES
    partners = table["partner_id"].to_numpy()
    ChurnPrediction.objects.bulk_create(
        [
            ChurnPrediction(
                tenant=tenant,
                partner_id=int(partner_id),
                as_of=today,
                probability=float(np.clip(p, 0.0, 1.0)),
                method=method,
                model=model,
                drivers=row_drivers,
                computed_at=now,
            )
            for partner_id, p, row_drivers in zip(partners, probability, drivers, strict=True)
        ],
        batch_size=2_000,
        update_conflicts=True,
        unique_fields=["tenant", "partner", "as_of"],
        update_fields=["probability", "method", "model", "drivers", "computed_at"],
    )
    drift_flag = None
    if model is not None and model.metrics.get("drift_reference"):
        checked = drift.check(model.metrics["drift_reference"], table[model.features].to_numpy(dtype=np.float64), model.features)
        model.drift = {"checked_at": now.isoformat(), "as_of": today.isoformat(), **checked}
        model.save(update_fields=["drift"])
        drift_flag = checked["flag"]
    at_risk = probability >= config.at_risk_threshold
    already = set(ChurnAlert.objects.filter(status=AlertStatus.OPEN).values_list("partner_id", flat=True))
    alerts = [
        ChurnAlert(
            tenant=tenant,
            partner_id=int(partners[i]),
            raised_on=today,
            probability=float(probability[i]),
            method=method,
            drivers=drivers[i],
            suggestion=suggestion_for(drivers[i]),
        )
        for i in np.flatnonzero(at_risk)
        if int(partners[i]) not in already
    ]
    ChurnAlert.objects.bulk_create(alerts)
    if alerts:
        _announce(tenant=tenant, config=config, alerts=alerts)
        webhook_events.churn_alerts(tenant=tenant, alerts=alerts)
    return {"predicted": len(partners), "method": str(method), "new_alerts": len(alerts), "drift": drift_flag}


def _announce(*, tenant: Tenant, config: ScoringSettings, alerts: list[ChurnAlert]) -> None:
    """After the commit: one email to the managers listing the new alerts, one webhook call per alert."""
    from deals.notifications import manager_addresses

    from .tasks import churn_alert_webhook

    names = dict(PartnerOrganization.objects.filter(pk__in=[a.partner_id for a in alerts]).values_list("pk", "name"))
    if config.alert_emails:
        recipients = sorted(set(filter(None, manager_addresses(tenant=tenant))))
        if recipients:
            context = {
                "tenant": tenant,
                "alerts": [
                    {"alert": a, "partner": names.get(a.partner_id, ""), "percent": round(a.probability * 100)} for a in alerts
                ],
                "site_url": django_settings.SITE_URL.rstrip("/"),
            }
            message = render_to_string("scoring/email/churn_alerts.txt", context)
            subject = f"{len(alerts)} partner(s) at risk of going inactive — {tenant.name}"
            transaction.on_commit(lambda: send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients))
    if config.alert_webhook_url:
        for alert in alerts:
            transaction.on_commit(lambda pk=alert.pk: churn_alert_webhook.delay(tenant.pk, pk))


def webhook_payload(alert: ChurnAlert) -> dict:
    """The JSON an at-risk webhook receives (public ids only)."""
    return {
        "event": "churn_risk.raised",
        "event_id": str(alert.public_id),
        "tenant": alert.tenant.slug,
        "partner": {"id": str(alert.partner.public_id), "name": alert.partner.name},
        "raised_on": alert.raised_on.isoformat(),
        "probability": round(alert.probability, 4),
        "method": alert.method,
        "drivers": [d["sentence"] for d in alert.drivers],
        "suggested_intervention": alert.suggestion,
    }


def intervention_record(
    *,
    tenant: Tenant,
    actor: Any,
    partner: PartnerOrganization,
    action: str,
    occurred_on: datetime.date,
    note: str = "",
    outcome: str = InterventionOutcome.PENDING,
    alert: ChurnAlert | None = None,
) -> Intervention:
    """Record what a manager did for a partner (optionally answering an alert of that partner)."""
    if action not in InterventionAction.values:
        raise ApplicationError("Choose what was done.", code="intervention_invalid", field="action")
    if outcome not in InterventionOutcome.values:
        raise ApplicationError("Choose an outcome.", code="intervention_invalid", field="outcome")
    if occurred_on > timezone.localdate():
        raise ApplicationError("An intervention cannot be in the future.", code="intervention_invalid", field="occurred_on")
    if alert is not None and alert.partner_id != partner.pk:
        raise ConflictError("This alert is about another partner.", code="alert_partner_mismatch")
    with tenant_atomic():
        intervention = Intervention.objects.create(
            tenant=tenant,
            partner=partner,
            alert=alert,
            action=action,
            occurred_on=occurred_on,
            note=note,
            outcome=outcome,
            recorded_by=person_of(actor),
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="scoring.intervention_record",
            target=intervention,
            changes={"action": action, "outcome": outcome, "alert": str(alert.public_id) if alert else None},
        )
    return intervention


def intervention_set_outcome(*, tenant: Tenant, actor: Any, intervention: Intervention, outcome: str) -> Intervention:
    if outcome not in InterventionOutcome.values:
        raise ApplicationError("Choose an outcome.", code="intervention_invalid", field="outcome")
    with tenant_atomic():
        before = intervention.outcome
        intervention.outcome = outcome
        intervention.save(update_fields=["outcome", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="scoring.intervention_outcome",
            target=intervention,
            changes={"before": before, "outcome": outcome},
        )
    return intervention


def churn_alert_close(*, tenant: Tenant, actor: Any, alert: ChurnAlert) -> ChurnAlert:
    """Close an open alert; the partner can raise a new one at a later prediction."""
    with tenant_atomic():
        locked = ChurnAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != AlertStatus.OPEN:
            raise ConflictError("This alert is already closed.", code="alert_closed")
        locked.status, locked.closed_at, locked.closed_by = AlertStatus.CLOSED, timezone.now(), person_of(actor)
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        audit_record(tenant=tenant, actor=actor, action="scoring.alert_close", target=locked, changes={})
    return locked
