"""Isolation matrix rows for the program metrics dashboard and the rows behind its figures.

Vendor staff only: partner users get 404 on every route, the other tenant's staff get 404 too. The
probe row is a won registration of partner 1 this quarter, listed on tenant A's rows pages only.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    "insights:dashboard": Route(no_ids, ("GET",)),
    "insights:rows": Route(no_ids, ("GET",)),
    "api:insights-metrics": Route(no_ids, ("GET",)),
}


def objects(a) -> dict:
    """A closed-won registration of partner 1 today; its id must never reach another tenant or partner 2."""
    import datetime

    from attribution.tests.support import account, registration
    from deals.models.registrations import DealStage, RegistrationStatus

    today = datetime.date.today()
    deal = registration(
        a.tenant,
        a.partner1,
        account(a.tenant, "Probe Insights Customer"),
        submitted=today,
        stage=DealStage.CLOSED_WON,
        status=RegistrationStatus.WON,
        closed_on=today,
        closed_amount="4321",
        protected_until=today,
    )
    return {"partner1_ids": {str(deal.public_id)}}
