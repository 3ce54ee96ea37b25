"""MDF return prediction from the database: a past campaign's spend (approved claims), pipeline (tagged
registrations in its currency) and won revenue, one query; the prediction for a new request excludes it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import DealRegistration
from deals.tests.support import product_lines_for, submit_as
from ecosystem.tenancy.context import tenant_context
from partners.mdf.models import MdfRequest
from partners.mdf.tests.support import budget_for, claim_as, claim_decide, funded, request_as
from scoring.mdf_return_service import mdf_return_for, past_campaigns

pytestmark = pytest.mark.django_db


def test_past_campaigns_and_a_prediction_for_a_new_request(world):
    a = world.a
    product_lines_for(a.tenant)
    budget_for(a, "100000", allocations={a.partner1: "50000", a.partner2: "50000"})
    campaigns = []
    for spend, values in (("1000", ("4000", "9000")), ("2000", ("6000",)), ("500", ())):
        campaign = funded(a, a.partner1, a.partner1_admin, spend=spend)
        claim_decide(a, claim_as(a, a.partner1, a.partner1_admin, campaign, amount=spend))
        for n, value in enumerate(values):
            registration = submit_as(
                a.tenant,
                a.partner1,
                a.partner1_admin,
                mdf_request=str(campaign.public_id),
                customer_name=f"Tagged {spend}-{n}",
                customer_domain=f"tagged-{spend}-{n}.example",
            ).registration
            with tenant_context(a.tenant.pk):
                DealRegistration.objects.filter(pk=registration.pk).update(value=Decimal(value))
        campaigns.append(campaign)
    with tenant_context(a.tenant.pk):
        # the first campaign's 9,000 deal was won for 8,000; every campaign ended last week
        DealRegistration.objects.filter(value=Decimal("9000")).update(status="won", closed_amount=Decimal("8000"))
        MdfRequest.objects.filter(pk__in=[c.pk for c in campaigns]).update(
            start_date=datetime.date.today() - datetime.timedelta(days=30),
            end_date=datetime.date.today() - datetime.timedelta(days=7),
        )
        with CaptureQueriesContext(connection) as queries:
            past = past_campaigns()
    assert len(queries) == 1
    assert sorted(past[["spend", "pipeline", "won"]].itertuples(index=False, name=None)) == [
        (500.0, 0.0, 0.0),
        (1000.0, 13000.0, 8000.0),
        (2000.0, 6000.0, 0.0),
    ]
    new = request_as(a, a.partner1, a.partner1_admin, planned_spend="3000")
    with tenant_context(a.tenant.pk):
        answer = mdf_return_for(new)
    # ratios pipeline/spend 0, 13, 3 → median 3; won/spend 0, 8, 0 → median 0; "all campaigns" (only 3)
    assert answer.group == "all campaigns" and answer.campaigns == 3
    assert answer.pipeline == pytest.approx(9000) and answer.ropi == pytest.approx(0)
    assert answer.pipeline_low == pytest.approx(3000 * 0.6) and answer.pipeline_high == pytest.approx(3000 * 11.0)
