"""The dashboard page and the rows behind it: staff only, the figures shown, drill-downs and exports,
bad filters shown with the defaults used, and a cache that never serves figures from before a change."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from attribution.insights.definitions import DEFINITIONS
from attribution.insights.tests.test_dashboard import _program
from attribution.models import Touchpoint, TouchpointSource
from attribution.tests.support import at
from deals.models import DealRegistration
from ecosystem.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db
Q1 = {"period": "2026-Q1"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _get(client, world, name, data=None, metric=None):
    client.force_login(world.a.manager)
    data = {**(data or {}), **({"figure": metric} if metric else {})}
    return client.get(reverse(name, kwargs={"tenant_slug": world.a.tenant.slug}), data)


@pytest.fixture
def q1_is_offered(monkeypatch):
    """Q1 2026 among the periods offered (eight quarters back from today)."""
    from attribution.insights import forms

    monkeypatch.setattr(forms, "QUARTERS_OFFERED", 40)


def test_the_dashboard_shows_the_figures_and_links_their_rows(client, world, q1_is_offered):
    _program(world)
    response = _get(client, world, "insights:dashboard", Q1)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.current.sourced == 6100.0 and figures.won == 3
    html = response.content.decode()
    assert "6,100" in html and "rows/?figure=sourced&amp;period=2026-Q1" in html
    assert "9,999" not in html  # tenant B's deal


def test_the_rows_behind_sourced_revenue_and_their_export(client, world, q1_is_offered):
    _program(world)
    response = _get(client, world, "insights:rows", Q1, metric="sourced")
    assert response.status_code == 200 and response.context["total"] == 2
    assert response.context["definition"] == DEFINITIONS["sourced"]  # the figure's definition above its rows
    customers = [row["cells"][0] for row in response.context["table"]]
    with tenant_context(world.a.tenant.pk):
        expected = list(
            DealRegistration.objects.filter(closed_on__in=[datetime.date(2026, 3, 15), datetime.date(2026, 2, 10)])
            .order_by("-closed_on")
            .values_list("customer_name", flat=True)
        )
    assert customers == expected
    exported = _get(client, world, "insights:rows", {**Q1, "export": "csv"}, metric="sourced")
    lines = exported.content.decode().strip().splitlines()
    assert lines[0].startswith("customer,partner,closed_on,amount") and len(lines) == 3
    assert _get(client, world, "insights:rows", Q1, metric="nothing").status_code == 404


def test_every_rows_page_answers(client, world, q1_is_offered):
    _program(world)
    totals = {
        m: _get(client, world, "insights:rows", Q1, metric=m).context["total"]
        for m in ("won", "influenced", "touched", "pipeline", "velocity", "active", "time_to_value", "tiers")
    }
    assert totals == {
        "won": 3,
        "influenced": 2,
        "touched": 3,
        "pipeline": 5,
        "velocity": 3,
        "active": 2,
        "time_to_value": 2,
        "tiers": 2,
    }


def test_bad_filters_are_shown_and_the_defaults_used(client, world):
    response = _get(client, world, "insights:dashboard", {"period": "1999-Q9", "tier": "nope", "active_days": "7"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"period", "tier", "active_days"}
    assert response.context["figures"].period == response.context["form"].default_period()


def test_partner_users_cannot_open_it(client, world):
    client.force_login(world.a.partner1_admin)
    url = reverse("insights:dashboard", kwargs={"tenant_slug": world.a.tenant.slug})
    assert client.get(url).status_code in (403, 404)


def test_a_saved_record_and_a_bulk_insert_both_refresh_the_figures(
    client, world, q1_is_offered, django_capture_on_commit_callbacks
):
    _program(world)
    assert _get(client, world, "insights:dashboard", Q1).context["figures"].current.influenced == 5800.0
    with tenant_context(world.a.tenant.pk):
        deal = DealRegistration.objects.get(closed_on=datetime.date(2026, 3, 15))
    # A touch written in bulk (no signal): the fingerprint moves the key.
    with tenant_context(world.a.tenant.pk):
        Touchpoint.objects.bulk_create(
            [
                Touchpoint(
                    tenant=world.a.tenant,
                    partner=world.a.partner1,
                    account_id=deal.account_id,
                    touch_type="referral",
                    occurred_at=at(datetime.date(2026, 3, 1)),
                    source=TouchpointSource.IMPORTED,
                )
            ]
        )
    assert _get(client, world, "insights:dashboard", Q1).context["figures"].current.influenced == 6900.0
    # A registration edited through the ORM (a signal after the commit): the version moves the key.
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.tenant.pk):
        deal.closed_amount = 2000
        deal.save()
    assert _get(client, world, "insights:dashboard", Q1).context["figures"].current.sourced == 5000.0 + 2200.0


def test_a_warm_dashboard_is_served_from_the_cache_in_a_fixed_number_of_queries(
    client, world, q1_is_offered, django_assert_num_queries
):
    _program(world)
    _get(client, world, "insights:dashboard", Q1)
    url = reverse("insights:dashboard", kwargs={"tenant_slug": world.a.tenant.slug})
    # session, user, tenant, the scope and membership, the tier choices, the fingerprint, the page's menus
    with django_assert_num_queries(15):
        assert client.get(url, Q1).status_code == 200


def test_the_api_answers_the_figures_and_400_for_a_bad_filter(client, world, q1_is_offered):
    _program(world)
    client.force_login(world.a.manager)
    url = reverse("api:insights-metrics", kwargs={"tenant_slug": world.a.tenant.slug})
    body = client.get(url, Q1).json()
    assert body["period"]["quarter"] == "2026-Q1" and body["currency"] == "USD"
    assert body["revenue"][-1]["sourced"] == 6100.0 and body["rates"]["win_rate"] == 0.75
    assert body["at_risk"]["top"][0]["public_id"] == str(world.a.partner2.public_id)
    assert "partner_id" not in body["at_risk"]["top"][0] and "sourced" in body["definitions"]
    bad = client.get(url, {"period": "2026-Q9"})
    assert bad.status_code == 400 and (bad.json()["code"], bad.json()["attr"]) == ("invalid_filter", "period")


def test_a_login_recomputes_only_the_activity_figures(
    client, world, q1_is_offered, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from partners.models import EngagementKind
    from partners.services import engagement_record

    _program(world)
    _get(client, world, "insights:dashboard", Q1)
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.tenant.pk):
        engagement_record(
            tenant=world.a.tenant,
            partner_id=world.a.partner2.pk,
            kind=EngagementKind.COURSE_COMPLETED,
            at=at(datetime.date(2026, 3, 2)),
        )
        engagement_record(
            tenant=world.a.tenant,
            partner_id=world.a.partner2.pk,
            kind=EngagementKind.REGISTRATION_SUBMITTED,
            at=at(datetime.date(2026, 3, 3)),
        )
    url = reverse("insights:dashboard", kwargs={"tenant_slug": world.a.tenant.slug})
    with django_assert_num_queries(15 + 1):  # the warm page and the one activity query
        response = client.get(url, Q1)
    assert (response.context["figures"].active, response.context["figures"].in_program) == (2, 2)
