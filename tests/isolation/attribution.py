"""Isolation matrix rows for the attribution routes, and the tenant A objects they probe.

Attribution runs are vendor staff's: no row is partner-owned, and partner users get 404 everywhere.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _run(o: dict) -> dict:
    return {"run_id": o["attribution_run"]}


ROUTES: dict[str, Route] = {
    # vendor portal
    "attribution:list": Route(no_ids, ("GET", "POST")),
    "attribution:detail": Route(_run, ("GET",)),
    "attribution:export": Route(_run, ("GET",)),
    # API, staff
    "api:attribution-run-list": Route(no_ids, ("GET", "POST")),
    "api:attribution-run-detail": Route(lambda o: {"public_id": o["attribution_run"]}, ("GET",)),
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope, before partner 1's onboarding plan).

    Return the ids the rows need, plus ``partner1_ids``: the ids partner 2's users must never see.
    """
    import datetime

    from attribution.models import ChannelDimension
    from attribution.services import attribution_run_create, run_attribution

    today = datetime.date.today()
    run = attribution_run_create(
        tenant=a.tenant,
        actor=a.owner,
        period_start=today.replace(day=1),
        period_end=today,
        dimension=ChannelDimension.PARTNER,
        enqueue=False,
    )
    run = run_attribution(tenant=a.tenant, actor=a.owner, run=run)
    return {"attribution_run": run.public_id, "partner1_ids": set()}
