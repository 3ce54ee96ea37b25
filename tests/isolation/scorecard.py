"""Isolation matrix rows for the partner scorecard, and the tenant A object they probe.

The partner's own card (portal and API) answers for the caller's organisation only: partner 2's users
get their own card, never partner 1's ids. The staff page and endpoint take a partner id: staff only,
so partner users (partner 1's own included) get 404, and so does the other tenant's staff.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _partner(o: dict) -> dict:
    return {"partner_id": o["scorecard_partner"]}


ROUTES: dict[str, Route] = {
    "scorecard:partner": Route(_partner, ("GET",), partner_owned=True),
    "partner_scorecard:mine": Route(no_ids, ("GET",)),
    "api:partner-scorecard": Route(lambda o: {"public_id": o["scorecard_partner"]}, ("GET",), partner_owned=True),
    "api:my-scorecard": Route(no_ids, ("GET",), own=True),
}


def objects(a) -> dict:
    """Partner 1, with a health score on its card (what partner 2 must never see)."""
    import datetime

    from django.utils import timezone

    from scoring.models import HealthScore

    HealthScore.objects.create(
        tenant=a.tenant,
        partner=a.partner1,
        as_of=datetime.date(2026, 1, 2),
        computed_at=timezone.now(),
        total=42.0,
        components={},
        engine_version="probe",
    )
    return {"scorecard_partner": a.partner1.public_id, "partner1_ids": {str(a.partner1.public_id)}}
