"""Health scores: compute them for a tenant (everyone, or the partners an event just moved) and store them.

:func:`health_scores_compute` assembles every partner's :class:`~scoring.health.score.HealthFeatures`
as of a date from the engagement events (:mod:`scoring.events_loader`, aggregated by
:mod:`scoring.health.aggregate`) and the platform's records (:mod:`scoring.facts`), scores them with
the tenant's weights (:class:`~scoring.models.ScoringSettings`), and writes one
:class:`~scoring.models.HealthScore` per partner and day: the components with the points each adds
to the total, what moved against the partner's previous score, and the three actions that would
raise it most. A second computation on the same day replaces the first.

Satisfaction (PSAT) is each partner's latest survey answers
(:func:`partners.surveys.selectors.psat_for_health`); a partner without answers has it left out and the
engine renormalises the other weights.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

import numpy as np
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from ecosystem import outbound
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.models import EngagementKind

from .events_loader import KINDS, Events, load_events
from .facts import partner_facts
from .health import aggregate as agg
from .health import score as engine
from .models import HealthScore, ScoringSettings

ENGINE_VERSION = "1.0.0"
HISTORY_DAYS = 365  # engagement read back this far for each score
# The health inputs read from the platform's records (scoring.facts), besides the engagement events.
FACT_INPUTS = (
    "certified_people",
    "certifications_expiring",
    "registrations_90d",
    "registrations_approved",
    "registrations_rejected",
    "deals_won",
    "deals_lost",
    "days_to_close",
    "revenue_recent",
    "revenue_previous",
    "open_security_items",
)
# Platform event kinds → the engine's codes (kinds the engine does not read are left out).
EVENT_CODES = {
    EngagementKind.LOGIN: agg.EventKind.LOGIN,
    EngagementKind.CONTENT_DOWNLOAD: agg.EventKind.CONTENT_VIEW,
    EngagementKind.COURSE_COMPLETED: agg.EventKind.COURSE_COMPLETED,
    EngagementKind.REGISTRATION_SUBMITTED: agg.EventKind.REGISTRATION_SUBMITTED,
    EngagementKind.MDF_REQUEST_SUBMITTED: agg.EventKind.MDF_REQUEST,
    EngagementKind.MDF_CLAIM_SUBMITTED: agg.EventKind.MDF_CLAIM,
}


def health_parameters(tenant: Tenant) -> engine.HealthParameters:
    """The tenant's weights and parameters over the engine's defaults (no row: the defaults)."""
    settings = ScoringSettings.objects.filter(tenant=tenant).values_list("weights", "parameters").first()
    weights, parameters = settings or ({}, {})
    return engine.HealthParameters.from_settings(
        {**(parameters or {}), **({"weights": {**engine.DEFAULT_WEIGHTS, **weights}} if weights else {})}
    )


def health_features(
    *,
    as_of: datetime.date,
    partner_ids: np.ndarray | None = None,
    events: Events | None = None,
    day_included: bool = False,
) -> tuple[np.ndarray, engine.HealthFeatures]:
    """(sorted partner ids, their features as of ``as_of``), point in time. Call in the tenant's staff scope.

    By default only what was recorded before ``as_of`` counts (churn rows, whose label starts that
    day). ``day_included``: what was recorded on ``as_of`` counts too, up to now when it is today, so
    the score stored for a day moves with a login or a claim a minute later; the windows then end
    with that day ("the last 30 days" are it and the 29 before) and a login that day is 0 days ago.

    ``events``: already loaded events covering at least [as_of − HISTORY_DAYS, as_of) (several dates
    scored from one read); only those in that range are used. Without it the events are read here.
    """
    from partners.surveys.selectors import psat_for_health

    if day_included:
        ids, features = health_features(as_of=as_of + datetime.timedelta(days=1), partner_ids=partner_ids, events=events)
        return ids, features.replace(days_since_login=features.days_since_login - 1)
    since = as_of - datetime.timedelta(days=HISTORY_DAYS)
    if events is None:
        events = load_events(as_of=as_of, since=since, partner_ids=partner_ids)
    ids = events.partner_ids
    codes = np.full(len(KINDS), -1, dtype=np.int16)
    for kind, code in EVENT_CODES.items():
        codes[KINDS.index(kind)] = int(code)
    mapped = codes[events.kind]
    read = (mapped >= 0) & (events.day >= np.datetime64(since, "D")) & (events.day < np.datetime64(as_of, "D"))
    engagement = agg.aggregate_engagement(
        events.partner[read],
        events.day[read],
        mapped[read],
        as_of=as_of,
        n_partners=len(ids),
        windows=(30, 60, 90, 365),
    )
    facts = partner_facts(as_of=as_of, partner_ids=ids)
    columns = {
        "days_since_login": engagement.days_since_last[:, agg.EventKind.LOGIN].copy(),
        "logins_30d": engagement.count(30, agg.EventKind.LOGIN).astype(np.float64),
        "portal_actions_30d": engine.portal_actions(engagement),
        "courses_completed_90d": engagement.count(90, agg.EventKind.COURSE_COMPLETED).astype(np.float64),
        "psat": psat_for_health(as_of=as_of, partner_ids=ids),
        **{name: facts[name] for name in FACT_INPUTS},
    }
    return ids, engine.HealthFeatures.from_columns(columns)


def _previous_points(partner_ids: list[int], as_of: datetime.date) -> dict[int, dict[str, float]]:
    """Each partner's points per component in its latest score before ``as_of`` (one query)."""
    latest = (
        HealthScore.objects.filter(partner_id__in=partner_ids, as_of__lt=as_of)
        .annotate(rank=Window(RowNumber(), partition_by=[F("partner_id")], order_by=F("as_of").desc()))
        .filter(rank=1)
        .values_list("partner_id", "components")
    )
    return {pid: {name: part.get("points", 0.0) for name, part in components.items()} for pid, components in latest}


def health_scores_compute(*, tenant: Tenant, as_of: datetime.date | None = None, partner_ids: list[int] | None = None) -> int:
    """Score every partner of ``tenant`` (or ``partner_ids``) as of ``as_of`` (default today), counting
    what was recorded through that day, and store the scores; returns how many. Call inside the
    tenant's staff scope."""
    as_of = as_of or timezone.localdate()
    wanted = None if partner_ids is None else np.array(sorted(set(partner_ids)), dtype=np.int64)
    with tenant_atomic():
        params = health_parameters(tenant)
        ids, features = health_features(as_of=as_of, partner_ids=wanted, day_included=True)
        if not len(ids):
            return 0
        scores = engine.score(features, params)
        actions = engine.top_actions(features, params, k=3)
        previous = _previous_points([int(p) for p in ids], as_of)
        now = timezone.now()
        points = scores.contributions
        rows = []
        for i, partner_id in enumerate(ids.tolist()):
            components: dict[str, Any] = {}
            for c, name in enumerate(engine.COMPONENTS):
                value = scores.components[i, c]
                components[name] = {
                    "score": None if np.isnan(value) else round(float(value), 2),
                    "points": round(float(points[i, c]), 2),
                }
            before = previous.get(partner_id)
            moved = []
            if before is not None:
                changes = [(name, components[name]["points"] - before.get(name, 0.0)) for name in engine.COMPONENTS]
                changes.sort(key=lambda item: -abs(item[1]))
                moved = [{"component": name, "points": round(change, 2)} for name, change in changes[:3] if abs(change) >= 0.05]
            rows.append(
                HealthScore(
                    tenant=tenant,
                    partner_id=partner_id,
                    as_of=as_of,
                    computed_at=now,
                    total=round(float(scores.total[i]), 2),
                    components=components,
                    moved=moved,
                    actions=[
                        {"action": code, "sentence": sentence, "gain": round(gain, 2)}
                        for (code, gain), sentence in zip(actions.for_partner(i), actions.sentences(i), strict=True)
                    ],
                    engine_version=ENGINE_VERSION,
                )
            )
        HealthScore.objects.bulk_create(
            rows,
            batch_size=2_000,
            update_conflicts=True,
            unique_fields=["tenant", "partner", "as_of"],
            update_fields=["computed_at", "total", "components", "moved", "actions", "engine_version"],
        )
    return len(rows)


def scoring_settings_update(
    *,
    tenant: Tenant,
    actor: Any,
    weights: dict[str, float],
    parameters: dict[str, float],
    inactive_after_days: int,
    at_risk_threshold: float,
    partners_see_churn: bool,
    alert_emails: bool | None = None,
    alert_webhook_url: str | None = None,
) -> ScoringSettings:
    """Save the tenant's scoring settings after the engine has accepted them (ApplicationError otherwise)."""
    try:
        engine.HealthParameters.from_settings({**parameters, "weights": weights})
    except ValueError as error:
        raise ApplicationError(str(error).capitalize() + ".", code="scoring_settings_invalid") from error
    if not 1 <= inactive_after_days <= 730:
        raise ApplicationError("Inactive after is 1 to 730 days.", code="scoring_settings_invalid", field="inactive_after_days")
    if not 0 <= at_risk_threshold <= 1:
        raise ApplicationError(
            "The at-risk threshold is a probability from 0 to 1.", code="scoring_settings_invalid", field="at_risk_threshold"
        )
    if alert_webhook_url:
        try:
            outbound.validate_url(alert_webhook_url, resolve=False)
        except outbound.OutboundRefused as refused:
            raise ApplicationError(refused.message, code="scoring_settings_invalid", field="alert_webhook_url") from refused
    with tenant_atomic():
        settings, _created = ScoringSettings.objects.select_for_update().get_or_create(tenant=tenant)
        before = {
            "weights": settings.weights,
            "parameters": settings.parameters,
            "inactive_after_days": settings.inactive_after_days,
            "at_risk_threshold": settings.at_risk_threshold,
            "partners_see_churn": settings.partners_see_churn,
        }
        settings.weights, settings.parameters = weights, parameters
        settings.inactive_after_days, settings.at_risk_threshold = inactive_after_days, at_risk_threshold
        settings.partners_see_churn = partners_see_churn
        if alert_emails is not None:
            settings.alert_emails = alert_emails
        if alert_webhook_url is not None:
            if alert_webhook_url != settings.alert_webhook_url:
                before["alert_webhook_url"] = settings.alert_webhook_url
            settings.alert_webhook_url = alert_webhook_url
            if alert_webhook_url and not settings.alert_webhook_secret:
                settings.alert_webhook_secret = secrets.token_hex(32)
        settings.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="scoring.settings_update",
            target=settings,
            changes={
                "before": before,
                "weights": weights,
                "parameters": parameters,
                "alert_emails": settings.alert_emails,
                "alert_webhook_url": settings.alert_webhook_url,
            },
        )
    return settings
