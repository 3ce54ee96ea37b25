"""A run's results in the API (staff): its credits, its deals' journeys (cursor pages that walk tied
outcome dates once, orderings, filters, fixed queries), one deal's journey with the shares of the won deal of March 2026 (see test_results_views),
the envelope for a pruned run, and 404 for other tenants, partner users and unknown deals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attribution.models import TouchpointType
from attribution.services import DETAILS_KEPT_RUNS, attribution_details_prune
from ecosystem.tenancy.context import tenant_context
from scoring.tests.test_api import walk

from .support import account, registration, touch
from .test_results_views import WON_SHARES, won_deal
from .test_views import finished_run
from .world import build_march, d

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/attribution-runs/"


def test_the_credits_of_a_run_sum_to_the_won_value_per_model(client, world):
    run = finished_run(world.a)
    client.force_login(world.a.analyst)
    credits = client.get(f"{BASE}{run.public_id}/credits/").json()
    assert {c["model"] for c in credits} == set(run.model_names)
    for model in run.model_names:
        assert sum(c["value"] for c in credits if c["model"] == model) == pytest.approx(5000), model
    linear = {c["partner"]: c["value"] for c in credits if c["model"] == "linear"}
    assert linear == pytest.approx({str(world.a.partner1.public_id): 10000 / 3, str(world.a.partner2.public_id): 5000 / 3})


def test_the_journeys_are_one_per_deal_paged_and_filtered(client, world):
    a = world.a
    run = finished_run(a)
    client.force_login(a.analyst)
    body = client.get(f"{BASE}{run.public_id}/journeys/?page_size=2").json()
    assert "count" not in body and body["next"] and body["previous"] is None
    assert [(j["outcome"], j["outcome_on"], j["touches"]) for j in body["results"]] == [
        ("expired", "2026-03-12", 1),
        ("lost", "2026-03-15", 1),
    ]
    second = client.get(body["next"]).json()["results"]
    assert [(j["outcome"], j["value"], j["touches"]) for j in second] == [("won", 5000, 3), ("open", 0, 1)]
    assert second[0]["registration"] == str(won_deal(a).public_id)
    assert set(second[0]["partners"]) == {str(a.partner1.public_id), str(a.partner2.public_id)}
    won = client.get(f"{BASE}{run.public_id}/journeys/?outcome=won").json()["results"]
    assert [j["outcome"] for j in won] == ["won"]
    by_p2 = client.get(f"{BASE}{run.public_id}/journeys/?partner={a.partner2.public_id}").json()["results"]
    assert [j["outcome"] for j in by_p2] == ["lost", "won"]
    foreign = client.get(f"{BASE}{run.public_id}/journeys/?partner={world.b.partner2.public_id}").json()
    assert foreign["results"] == [] and foreign["next"] is None
    won_by_p2 = client.get(f"{BASE}{run.public_id}/journeys/?partner={a.partner2.public_id}&outcome=won").json()["results"]
    assert [j["registration"] for j in won_by_p2] == [str(won_deal(a).public_id)]


@pytest.mark.parametrize(
    ("query", "attr", "code"),
    [
        ("outcome=maybe", "outcome", "invalid_choice"),
        ("partner=acme", "partner", "invalid"),
        ("ordering=customer", "ordering", "invalid_ordering"),
        ("ordering=registration_id", "ordering", "invalid_ordering"),
    ],
)
def test_a_bad_journey_filter_or_ordering_is_a_400(client, world, query, attr, code):
    run = finished_run(world.a)
    client.force_login(world.a.analyst)
    response = client.get(f"{BASE}{run.public_id}/journeys/?{query}")
    assert response.status_code == 400
    assert (response.json()["attr"], response.json()["code"]) == (attr, code)


def tied_run(a, extra_open: int = 6):
    """March plus ``extra_open`` more open deals: all open at the period's end, so seven deals tie on
    03-31 (and every deal but the won one ties on value 0)."""
    with tenant_context(a.tenant.pk):
        build_march(a)
        for day in range(extra_open):
            customer = account(a.tenant)
            registration(a.tenant, a.partner1, customer, submitted=d(1, 2))
            touch(a.tenant, a.partner1, customer, d(2 + day), TouchpointType.IMPLEMENTATION)
    return finished_run(a, build=False)


def test_every_page_of_tied_journeys_is_walked_once_in_order_both_ways(client, world):
    a = world.a
    run = tied_run(a)
    client.force_login(a.analyst)
    url = f"{BASE}{run.public_id}/journeys/"
    everything = client.get(f"{url}?page_size=200").json()["results"]

    forward, backward = walk(client, f"{url}?page_size=2")
    by_value, by_value_back = walk(client, f"{url}?page_size=3&ordering=-value")
    by_touch, _back = walk(client, f"{url}?page_size=4&ordering=first_touch_on")

    assert len(everything) == 10 and [j["outcome_on"] for j in everything].count("2026-03-31") == 7
    assert forward == backward == everything  # oldest outcome first, ties in registration order
    assert [j["outcome_on"] for j in forward] == sorted(j["outcome_on"] for j in forward)
    assert by_value == by_value_back and by_value[0]["value"] == 5000 and {j["value"] for j in by_value[1:]} == {0}
    assert sorted(j["registration"] for j in by_value) == sorted(j["registration"] for j in everything)
    assert [j["first_touch_on"] for j in by_touch] == sorted(j["first_touch_on"] for j in everything)
    assert len({j["registration"] for j in by_touch}) == 10


def test_the_journeys_list_costs_a_fixed_number_of_queries(client, world):
    a = world.a
    run = finished_run(a)
    client.force_login(a.manager)

    def count(path) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    # session, user, tenant; savepoint, tenant settings, membership; the run; one page grouped by
    # registration (no count); the page's registrations and its partners' public ids; release, cleared
    assert count(f"{BASE}{run.public_id}/journeys/") == QUERIES
    assert count(f"{BASE}{run.public_id}/journeys/?page_size=1") == QUERIES
    following = client.get(f"{BASE}{run.public_id}/journeys/?page_size=1&ordering=-value").json()["next"]
    assert count(following) == QUERIES  # a later page, keyed on the previous page's last row
    assert count(f"{BASE}{run.public_id}/journeys/?partner={a.partner2.public_id}&outcome=won") == QUERIES


QUERIES = 12


def test_one_journey_gives_each_touch_its_shares_and_credits(client, world):
    a = world.a
    run = finished_run(a)
    deal = won_deal(a)
    client.force_login(a.analyst)
    body = client.get(f"{BASE}{run.public_id}/journeys/{deal.public_id}/").json()
    assert (body["outcome"], body["value"], body["amount"], body["currency"], body["rate"]) == ("won", 5000, "5000.00", "USD", 1)
    assert body["registered_by"] == str(a.partner1.public_id)
    assert [(t["position"], t["touch_on"], t["partner"], t["touch_type"], t["days"]) for t in body["touches"]] == [
        (0, "2026-03-01", str(a.partner1.public_id), "referral", 19),
        (1, "2026-03-10", str(a.partner2.public_id), "cosell", 10),
        (2, "2026-03-20", str(a.partner1.public_id), "technical_validation", 0),
    ]
    for model, shares in WON_SHARES.items():
        assert [t["shares"][model] for t in body["touches"]] == pytest.approx(shares), model
        assert [t["credits"][model] for t in body["touches"]] == pytest.approx([5000 * s for s in shares]), model
    assert "markov" not in body["models"] and body["why"]["linear"] == "1/3 to each of the 3 touches"


def test_unknown_deals_other_tenants_and_partner_users_get_404(client, world):
    a = world.a
    run = finished_run(a)
    deal = won_deal(a)
    client.force_login(a.manager)
    untouched = won_deal(a, 700)
    assert client.get(f"{BASE}{run.public_id}/journeys/{untouched.public_id}/").status_code == 404
    client.force_login(a.partner1_admin)
    for path in ("credits/", "journeys/", f"journeys/{deal.public_id}/"):
        assert client.get(f"{BASE}{run.public_id}/{path}").status_code == 404
    client.force_login(world.b.owner)
    for path in ("credits/", "journeys/", f"journeys/{deal.public_id}/"):
        response = client.get(f"/api/v1/t/{world.b.tenant.slug}/attribution-runs/{run.public_id}/{path}")
        assert response.status_code == 404 and response.json()["type"] == "client_error"


def test_a_pruned_run_answers_409_with_its_own_code(client, world):
    a = world.a
    runs = [finished_run(a, build=i == 0) for i in range(DETAILS_KEPT_RUNS + 1)]
    with tenant_context(a.tenant.pk):
        attribution_details_prune(tenant=a.tenant)
    deal = won_deal(a)
    client.force_login(a.manager)
    for path in ("journeys/", f"journeys/{deal.public_id}/"):
        response = client.get(f"{BASE}{runs[0].public_id}/{path}")
        assert response.status_code == 409 and response.json()["code"] == "attribution_details_pruned"
    assert client.get(f"{BASE}{runs[0].public_id}/credits/").status_code == 200  # the channel credits stay
