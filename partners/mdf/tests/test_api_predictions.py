"""The staff request API carries each waiting request's predicted return (scoring.mdf_return), computed once
per page: one query for the past campaigns, whatever the number of rows. Partner users never see it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from deals.models import DealRegistration
from deals.tests.support import product_lines_for, submit_as
from ecosystem.tenancy.context import tenant_context
from partners.mdf.models import MdfRequest

from .support import budget_for, claim_as, claim_decide, funded, request_as

T = "/api/v1/t/alpha"
PREDICTED = (
    "predicted_pipeline",
    "predicted_pipeline_low",
    "predicted_pipeline_high",
    "predicted_ropi",
    "predicted_ropi_low",
    "predicted_ropi_high",
    "prediction_campaigns",
    "prediction_group",
    "prediction_note",
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def history(world):
    """Three past campaigns of partner 1, ended last week, each with its approved claim (the spend):

    spend 1,000: tagged deals of 4,000 and 9,000 (the 9,000 won for 8,000) → pipeline/spend 13, won/spend 8;
    spend 2,000: a tagged deal of 6,000, won for 3,000                      → pipeline/spend 3,  won/spend 1.5;
    spend   500: nothing tagged                                             → 0 and 0.
    """
    a = world.a
    product_lines_for(a.tenant)
    budget_for(a, "100000", allocations={a.partner1: "50000", a.partner2: "50000"})
    campaigns = []
    for spend, deals in (("1000", (("4000", None), ("9000", "8000"))), ("2000", (("6000", "3000"),)), ("500", ())):
        campaign = funded(a, a.partner1, a.partner1_admin, spend=spend, title=f"Past {spend}")
        claim_decide(a, claim_as(a, a.partner1, a.partner1_admin, campaign, amount=spend))
        for n, (value, won) in enumerate(deals):
            registration = submit_as(
                a.tenant,
                a.partner1,
                a.partner1_admin,
                mdf_request=str(campaign.public_id),
                customer_name=f"Tagged {spend}-{n}",
                customer_domain=f"tagged-{spend}-{n}.example",
            ).registration
            with tenant_context(a.tenant.pk):
                changes = {"value": Decimal(value)}
                if won:
                    changes.update(status="won", closed_amount=Decimal(won))
                DealRegistration.objects.filter(pk=registration.pk).update(**changes)
        campaigns.append(campaign)
    today = timezone.localdate()
    with tenant_context(a.tenant.pk):
        MdfRequest.objects.filter(pk__in=[c.pk for c in campaigns]).update(
            start_date=today - datetime.timedelta(days=30), end_date=today - datetime.timedelta(days=7)
        )
    return campaigns


def test_a_waiting_request_carries_its_predicted_pipeline_and_ropi(client, world, history):
    a = world.a
    waiting = request_as(a, a.partner2, a.partner2_admin, planned_spend="3000", title="Waiting webinar")
    client.force_login(a.manager)
    rows = {r["title"]: r for r in client.get(f"{T}/mdf-requests/").json()["results"]}
    row = rows["Waiting webinar"]
    # pipeline/spend 0, 3, 13 → median 3; 10th pct 0 + 0.2 × 3 = 0.6; 90th pct 3 + 0.8 × 10 = 11 (× 3,000)
    # won/spend 0, 1.5, 8 → median 1.5; 10th pct 0.2 × 1.5 = 0.3; 90th pct 1.5 + 0.8 × 6.5 = 6.7
    assert {k: row[k] for k in PREDICTED} == {
        "predicted_pipeline": "9000.00",
        "predicted_pipeline_low": "1800.00",
        "predicted_pipeline_high": "33000.00",
        "predicted_ropi": "1.5000",
        "predicted_ropi_low": "0.3000",
        "predicted_ropi_high": "6.7000",
        "prediction_campaigns": 3,
        "prediction_group": "all campaigns",
        "prediction_note": None,
    }
    # a decided request is not predicted
    assert all(rows[f"Past {s}"]["predicted_pipeline"] is None for s in ("1000", "2000", "500"))
    detail = client.get(f"{T}/mdf-requests/{waiting.public_id}/").json()
    assert (detail["predicted_pipeline"], detail["predicted_ropi"]) == ("9000.00", "1.5000")


def test_with_too_few_past_campaigns_the_api_says_why(client, world):
    a = world.a
    budget_for(a, "10000", allocations={a.partner1: "3000"})
    request_as(a, a.partner1, a.partner1_admin, planned_spend="300")
    client.force_login(a.manager)
    [row] = client.get(f"{T}/mdf-requests/").json()["results"]
    assert row["predicted_pipeline"] is None and row["prediction_campaigns"] is None
    assert row["prediction_note"].startswith("Too few past campaigns to predict from: 0")


# Staff list: 1 session, 2 user, 3 tenant by slug, 4 savepoint + 5 set_config (scope opens), 6 membership,
# 7 the page of requests with the partner's funds (one statement), 8 the past campaigns (one statement for
# every waiting request of the page), 9 release savepoint + 10 set_config (scope closes).
LIST_QUERIES = 10


@pytest.mark.parametrize("waiting", [1, 4])
def test_the_prediction_costs_one_query_per_page_whatever_the_rows(client, world, history, django_assert_num_queries, waiting):
    a = world.a
    for n in range(waiting):
        request_as(a, a.partner2, a.partner2_admin, planned_spend="100", title=f"Waiting {n}")
    client.force_login(a.manager)
    client.get(f"{T}/mdf-requests/")
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(f"{T}/mdf-requests/")
    assert sum(r["predicted_pipeline"] is not None for r in response.json()["results"]) == waiting


def test_partner_users_never_see_a_prediction(client, world, history):
    a = world.a
    own = request_as(a, a.partner1, a.partner1_admin, planned_spend="3000", title="Own waiting")
    client.force_login(a.partner1_admin)
    listed = client.get(f"{T}/my-mdf-requests/").json()["results"]
    detail = client.get(f"{T}/my-mdf-requests/{own.public_id}/").json()
    assert listed and not any(key in row for row in listed for key in PREDICTED)
    assert not any(key in detail for key in PREDICTED)
    assert client.get(f"{T}/mdf-requests/").status_code == 404
