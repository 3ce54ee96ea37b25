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
    # touchpoints (staff only; the probe touchpoint is partner 1's)
    "attribution:touchpoints": Route(no_ids, ("GET",)),
    "attribution:touchpoints_import": Route(no_ids, ("GET", "POST")),
    "attribution:touchpoints_export": Route(no_ids, ("GET",)),
    "api:touchpoint-list": Route(no_ids, ("GET", "POST")),
    "api:touchpoint-detail": Route(lambda o: {"public_id": o["touchpoint"]}, ("GET",), partner_owned=True),
    "api:touchpoint-import": Route(no_ids, ("POST",)),
    # a run's results (staff only): the probe deal is in the run's journeys
    "attribution:journeys": Route(_run, ("GET",)),
    "attribution:journeys_export": Route(_run, ("GET",)),
    "attribution:journey": Route(lambda o: {**_run(o), "registration_id": o["attributed_deal"]}, ("GET",)),
    "attribution:runs_export": Route(no_ids, ("GET",)),
    "attribution:trend": Route(no_ids, ("GET",)),
    "api:attribution-run-credits": Route(lambda o: {"public_id": o["attribution_run"]}, ("GET",)),
    "api:attribution-run-journeys": Route(lambda o: {"public_id": o["attribution_run"]}, ("GET",)),
    "api:attribution-run-journey": Route(
        lambda o: {"public_id": o["attribution_run"], "registration_id": o["attributed_deal"]}, ("GET",)
    ),
    # a partner's own attribution: partner 2 has no touch on the probe deal (partner 1's), so it is 404
    # to partner 2, whose own pages and lists name nothing of partner 1's
    "partner_attribution:overview": Route(no_ids, ("GET",)),
    "partner_attribution:export": Route(no_ids, ("GET",)),
    "partner_attribution:journey": Route(lambda o: {"registration_id": o["attributed_deal"]}, ("GET",), partner_owned=True),
    "api:my-attribution": Route(no_ids, ("GET",), own=True),
    "api:my-attribution-journey-list": Route(no_ids, ("GET",), own=True),
    "api:my-attribution-journey-detail": Route(lambda o: {"public_id": o["attributed_deal"]}, ("GET",), partner_owned=True),
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope, before partner 1's onboarding plan).

    Return the ids the rows need, plus ``partner1_ids``: the ids partner 2's users must never see.
    """
    import datetime

    from attribution.models import ChannelDimension
    from attribution.services import attribution_run_create, run_attribution

    today = datetime.date.today()
    attributed = _journey_probe(a, today)  # before the run: its journey is in it
    run = attribution_run_create(
        tenant=a.tenant,
        actor=a.owner,
        period_start=today.replace(day=1),
        period_end=today,
        dimension=ChannelDimension.PARTNER,
        enqueue=False,
    )
    run = run_attribution(tenant=a.tenant, actor=a.owner, run=run)
    touchpoint = _touchpoint_probe(a)
    return {
        "attribution_run": run.public_id,
        "touchpoint": touchpoint.public_id,
        "attributed_deal": attributed.public_id,
        "partner1_ids": {str(touchpoint.public_id), str(attributed.public_id)},
    }


def _journey_probe(a, today):
    """Partner 1's open registration on its own customer account, touched by partner 1 alone today."""
    from attribution.models import TouchpointType
    from attribution.tests.support import account, registration, touch

    customer = account(a.tenant, "Attribution Probe")
    deal = registration(a.tenant, a.partner1, customer, submitted=today)
    touch(a.tenant, a.partner1, customer, today, TouchpointType.REFERRAL)
    return deal


def _touchpoint_probe(a):
    """Partner 1's touchpoint on a customer account of A, posted as the API does."""
    from django.utils import timezone

    from attribution.touchpoint_imports import touchpoint_create
    from deals.models import CustomerAccount

    account = CustomerAccount.objects.create(
        tenant=a.tenant, name="Touchpoint Probe", name_key="touchpoint probe", domain="touch-probe.example"
    )
    touchpoint, _created = touchpoint_create(
        tenant=a.tenant,
        actor=a.owner,
        partner=a.partner1,
        account=account,
        touch_type="referral",
        occurred_at=timezone.now(),
        external_id="probe-touch-1",
    )
    return touchpoint
