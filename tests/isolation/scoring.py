"""Isolation matrix rows for the health score pages, and the tenant A objects they probe.

The vendor's list and detail are staff pages (partner users get 404); a partner's own page shows its
own score only (row-level security on ``HealthScore.partner``).
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    "scoring:health": Route(no_ids, ("GET", "POST")),
    "scoring:health_settings": Route(no_ids, ("GET", "POST")),
    "scoring:health_detail": Route(lambda o: {"partner_id": o["scored_partner"]}, ("GET",)),
    "partner_scoring:health": Route(no_ids, ("GET",)),
    # API
    "api:health-score-list": Route(no_ids, ("GET",)),
    "api:my-health": Route(no_ids, ("GET",), own=True),
}


def objects(a) -> dict:
    """Tenant A's partners scored today (partner 1's score is what partner 2 must never see)."""
    from scoring.services import health_scores_compute

    health_scores_compute(tenant=a.tenant)
    return {"scored_partner": a.partner1.public_id, "partner1_ids": set()}
