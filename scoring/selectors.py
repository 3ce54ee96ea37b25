"""Reads of health scores: the latest per partner (the vendor's list), and one partner's history."""

from __future__ import annotations

import datetime

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from .health.score import COMPONENTS
from .models import HealthScore

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
