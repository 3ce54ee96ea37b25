"""A partner's own attribution in the API: ``my-attribution/`` and ``my-attribution/journeys/``.

Figures: March by partner (test_partner_selectors.py has them worked out).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attribution.models import TouchpointType
from ecosystem.api.services import api_key_create
from ecosystem.tenancy.context import tenant_context
from scoring.tests.test_api import walk

from .support import account, registration, touch
from .test_partner_selectors import MODELS, P1_SHARES, co_sell, run_by
from .world import END, START, build_march, d

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/my-attribution/"


@pytest.fixture
def march(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        built = build_march(a)
        run = run_by(a)
    return built, run


def test_without_a_run_the_answer_is_empty(client, world):
    client.force_login(world.a.partner1_rep)
    assert client.get(BASE).json() == {"run": None, "credits": []}
    assert client.get(f"{BASE}journeys/").json()["results"] == []


def test_my_attribution_gives_the_run_header_and_exactly_my_credit(client, world, march):
    a = world.a
    _built, run = march
    client.force_login(a.partner1_rep)
    body = client.get(BASE).json()
    assert body["run"] == {
        "id": str(run.public_id),
        "period_start": START.isoformat(),
        "period_end": END.isoformat(),
        "models": MODELS,
        "finished_at": body["run"]["finished_at"],
    }
    assert body["run"]["finished_at"] is not None and "summary" not in body["run"]
    assert [c["model"] for c in body["credits"]] == MODELS
    assert {c["model"]: c["value"] for c in body["credits"]} == pytest.approx({m: 5000 * s for m, s in P1_SHARES.items()})
    assert str(a.partner2.public_id) not in str(body)


def test_my_journeys_list_with_the_share_under_the_chosen_model(client, world, march):
    a = world.a
    built, _run = march
    client.force_login(a.partner2_admin)
    results = client.get(f"{BASE}journeys/?model=position_based").json()["results"]
    assert [(r["deal"], r["customer"], r["co_sold"], r["outcome"]) for r in results] == [
        (str(built.won.public_id), "a customer account", False, "Won"),
        (str(built.lost.public_id), built.lost.customer_name, True, "Lost"),
    ]
    won = results[0]
    assert (won["touches"], won["your_touches"], won["value"], won["conversion"]) == (3, 1, 5000, 1)
    assert won["share"] == pytest.approx(0.2) and won["your_value"] == pytest.approx(1000)
    assert str(a.partner1.public_id) not in str(results) and a.partner1.name not in str(results)


def test_a_journey_names_co_sellers_only(client, world, march):
    a = world.a
    built, _run = march
    client.force_login(a.partner2_admin)
    url = f"{BASE}journeys/{built.won.public_id}/"
    body = client.get(url).json()
    assert [(t["position"], t["you"], t["partner"], t["touch_type"]) for t in body["touches"]] == [
        (0, False, "Another partner", "referral"),
        (1, True, a.partner2.name, "cosell"),
        (2, False, "Another partner", "technical_validation"),
    ]
    assert body["journey"]["customer"] == "a customer account"
    assert {c["model"]: c["value"] for c in body["credits"]}["linear"] == pytest.approx(5000 / 3)
    assert str(a.partner1.public_id) not in str(body) and a.partner1.name not in str(body)
    with tenant_context(a.tenant.pk):
        co_sell(a, built.won, a.partner2)
    body = client.get(url).json()
    assert [t["partner"] for t in body["touches"]] == [a.partner1.name, a.partner2.name, a.partner1.name]
    assert body["journey"]["customer"] == built.won.customer_name
    assert str(a.partner1.public_id) not in str(body)


def test_a_deal_i_did_not_touch_is_404_with_the_envelope(client, world, march):
    built, _run = march
    client.force_login(world.a.partner2_admin)
    response = client.get(f"{BASE}journeys/{built.expired.public_id}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert built.expired.customer_name not in response.content.decode()


def test_staff_and_api_keys_get_404(client, world, march):
    a = world.a
    built, _run = march
    client.force_login(a.manager)
    for path in (BASE, f"{BASE}journeys/", f"{BASE}journeys/{built.won.public_id}/"):
        assert client.get(path).status_code == 404, path
    client.logout()
    with tenant_context(a.tenant.pk):
        key = api_key_create(tenant=a.tenant, actor=a.owner, name="BI", scope="read").plaintext
    for path in (BASE, f"{BASE}journeys/", f"{BASE}journeys/{built.won.public_id}/"):
        assert client.get(path, headers={"Authorization": f"Bearer {key}"}).status_code == 404, path


def test_the_journey_list_is_paginated_with_fixed_queries(client, world, march):
    client.force_login(world.a.partner1_rep)
    with CaptureQueriesContext(connection) as first:
        page = client.get(f"{BASE}journeys/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"] is not None and "count" not in page
    with CaptureQueriesContext(connection) as second:
        rest = client.get(page["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    # tenant, session, user; savepoint, settings, membership, settings with the partner; the latest run by
    # partner across partners (savepoint, settings, the run, release, settings back: 5); one page of the
    # caller's rows grouped by deal (no count); the page's deals and their accepted co-sellers across
    # partners (savepoint, settings, deals, co-sellers, release, settings back: 6); release, settings cleared
    assert len(first) == len(second) == JOURNEY_PAGE_QUERIES


JOURNEY_PAGE_QUERIES = 21


@pytest.fixture
def tied(world):
    """March plus six more open deals of partner 1, so seven of its deals end on 03-31 and six tie on value 0."""
    a = world.a
    with tenant_context(a.tenant.pk):
        built = build_march(a)
        for day in range(6):
            customer = account(a.tenant)
            registration(a.tenant, a.partner1, customer, submitted=d(1, 2))
            touch(a.tenant, a.partner1, customer, d(2 + day), TouchpointType.IMPLEMENTATION)
        run = run_by(a)
    return built, run


def test_every_page_of_my_tied_journeys_is_walked_once_in_order_both_ways(client, world, tied):
    built, _run = tied
    client.force_login(world.a.partner1_rep)
    everything = client.get(f"{BASE}journeys/?page_size=200").json()["results"]

    forward, backward = walk(client, f"{BASE}journeys/?page_size=2")
    by_value, by_value_back = walk(client, f"{BASE}journeys/?page_size=3&ordering=value")

    assert len(everything) == 9 and [j["outcome_on"] for j in everything].count("2026-03-31") == 7
    assert forward == backward == everything  # newest outcome first, ties newest registration first
    assert [j["outcome_on"] for j in forward] == sorted((j["outcome_on"] for j in forward), reverse=True)
    assert by_value == by_value_back and by_value[-1]["deal"] == str(built.won.public_id)
    assert sorted(j["deal"] for j in by_value) == sorted(j["deal"] for j in everything)


def test_my_journeys_filter_by_outcome_and_order_by_date(client, world, march):
    built, _run = march
    client.force_login(world.a.partner1_rep)

    won = client.get(f"{BASE}journeys/?outcome=won").json()["results"]
    oldest = client.get(f"{BASE}journeys/?ordering=outcome_on").json()["results"]

    assert [j["deal"] for j in won] == [str(built.won.public_id)]
    assert [j["outcome"] for j in oldest] == ["Expired", "Won", "Open at the period's end"]


@pytest.mark.parametrize(
    ("query", "attr", "code"),
    [
        ("outcome=Won", "outcome", "invalid_choice"),
        ("ordering=share", "ordering", "invalid_ordering"),
        ("ordering=registration_id", "ordering", "invalid_ordering"),
    ],
)
def test_a_bad_filter_or_ordering_of_my_journeys_is_a_400(client, world, march, query, attr, code):
    client.force_login(world.a.partner1_rep)
    response = client.get(f"{BASE}journeys/?{query}")
    assert response.status_code == 400
    assert (response.json()["attr"], response.json()["code"]) == (attr, code)
