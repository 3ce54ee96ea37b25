"""Reads of scores: health (the latest per partner, one partner's history) and churn (latest predictions,
open alerts, interventions, a partner's own prediction when the tenant allows it)."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from .health.score import COMPONENTS
from .models import (
    AlertStatus,
    ChurnAlert,
    ChurnPrediction,
    HealthScore,
    Intervention,
    InterventionOutcome,
    ScoringSettings,
)

COMPONENT_LABELS = {
    "engagement": "Engagement",
    "enablement": "Enablement",
    "pipeline": "Pipeline",
    "revenue": "Revenue",
    "satisfaction": "Satisfaction",
    "compliance": "Compliance",
}


def latest_scores() -> QuerySet[HealthScore]:
    """Each partner's latest score (partner and tier joined), lowest total first. In a partner user's
    scope, row-level security leaves only that partner's."""
    ranked = HealthScore.objects.annotate(
        rank=Window(RowNumber(), partition_by=[F("partner_id")], order_by=[F("as_of").desc(), F("id").desc()])
    ).filter(rank=1)
    return (
        HealthScore.objects.filter(pk__in=ranked.values("pk"))
        .select_related("partner", "partner__tier")
        .order_by("total", "partner__name")
    )


def score_history(*, partner_id: int, days: int = 180, today: datetime.date | None = None) -> list[HealthScore]:
    """One partner's scores of the last ``days`` days, oldest first (for the trend chart)."""
    today = today or datetime.date.today()
    return list(
        HealthScore.objects.filter(partner_id=partner_id, as_of__gt=today - datetime.timedelta(days=days)).order_by("as_of")
    )


def component_rows(score: HealthScore) -> list[dict]:
    """The components of one score in display order: label, 0–100 (None: left out), points of the total."""
    rows = []
    for name in COMPONENTS:
        part = score.components.get(name) or {}
        rows.append(
            {"name": name, "label": COMPONENT_LABELS[name], "score": part.get("score"), "points": part.get("points", 0.0)}
        )
    return rows


def latest_churn_predictions() -> QuerySet[ChurnPrediction]:
    """Each partner's latest churn prediction (partner joined), highest risk first. Staff scope."""
    ranked = ChurnPrediction.objects.annotate(
        rank=Window(RowNumber(), partition_by=[F("partner_id")], order_by=[F("as_of").desc(), F("id").desc()])
    ).filter(rank=1)
    return (
        ChurnPrediction.objects.filter(pk__in=ranked.values("pk"))
        .select_related("partner", "partner__tier")
        .order_by("-probability", "partner__name")
    )


def open_alerts() -> QuerySet[ChurnAlert]:
    return ChurnAlert.objects.filter(status=AlertStatus.OPEN).select_related("partner").order_by("-probability", "id")


def intervention_counts() -> dict[str, int]:
    """How many interventions the tenant has recorded, and how many with a known outcome."""
    return Intervention.objects.aggregate(total=Count("id"), known=Count("id", filter=~Q(outcome=InterventionOutcome.PENDING)))


def own_churn_prediction(*, tenant, partner_id: int) -> ChurnPrediction | None:
    """A partner user's own latest churn prediction, only when the tenant lets partners see it.

    Churn rows are staff-only under row-level security; this crosses the partner boundary for the
    caller's own row and nothing else, after checking the setting.
    """
    from ecosystem.tenancy.context import across_partners

    with across_partners(reason="a partner reads its own churn prediction, when the tenant allows it"):
        allowed = ScoringSettings.objects.filter(tenant=tenant, partners_see_churn=True).exists()
        if not allowed:
            return None
        return ChurnPrediction.objects.filter(partner_id=partner_id).order_by("-as_of").first()
