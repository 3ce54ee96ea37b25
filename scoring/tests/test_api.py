"""The health score API: staff list every partner's latest score; a partner user reads only its own."""

from __future__ import annotations

import base64
import datetime
import json
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from ecosystem.tenancy.context import tenant_context
from partners.models import Tier
from scoring.models import HealthScore
from scoring.services import health_scores_compute
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_staff_list_and_partner_own_score(client, world):
    a = world.a
    with tenant_context(a.tenant.pk):
        health_scores_compute(tenant=a.tenant)
        totals = {s.partner.public_id: s.total for s in HealthScore.objects.select_related("partner")}
    client.force_login(a.analyst)
    body = client.get("/api/v1/t/alpha/health-scores/").json()
    results = body["results"] if isinstance(body, dict) else body
    assert {r["partner"] for r in results} == {str(a.partner1.public_id), str(a.partner2.public_id)}
    first = results[0]
    assert sum(c["points"] for c in first["components"]) == pytest.approx(first["total"], abs=0.05)
    client.force_login(a.partner1_rep)
    mine = client.get("/api/v1/t/alpha/my-health/").json()
    assert mine["partner"] == str(a.partner1.public_id) and mine["total"] == totals[a.partner1.public_id]
    assert client.get("/api/v1/t/alpha/health-scores/").status_code == 404


def test_my_health_is_404_before_the_first_score_and_for_staff(client, world):
    client.force_login(world.a.partner1_rep)
    assert client.get("/api/v1/t/alpha/my-health/").status_code == 404
    client.force_login(world.a.manager)
    assert client.get("/api/v1/t/alpha/my-health/").status_code == 404


# --- the staff list: cursor pages, ordering, filters --------------------------------------------------

SCORES = "/api/v1/t/alpha/health-scores/"
THIRD = 100 / 3  # a float without a short decimal form: the cursor must carry it exactly
TIED = [50.0, THIRD, 50.0, 50.0, THIRD, 50.0, 50.0, 0.0]  # five tied on 50 (more than a page of 2), two on a third


def scored_partners(a, totals: list[float], *, name: str = "Tied Partner") -> list:
    """One partner per total, all named ``name`` (tied on the name too), each also with an older score of
    99 that the list must skip. Returns the partners in creation order (their latest scores' id order)."""
    today = datetime.date(2026, 3, 31)
    partners = []
    with tenant_context(a.tenant.pk):
        for total in totals:
            partner = PartnerFactory(tenant=a.tenant, name=name)
            for as_of, value in ((today - datetime.timedelta(days=1), 99.0), (today, total)):
                HealthScore.objects.create(
                    tenant=a.tenant, partner=partner, as_of=as_of, computed_at=timezone.now(), total=value, engine_version="t"
                )
            partners.append(partner)
    return partners


def walk(client, url: str) -> tuple[list[dict], list[dict]]:
    """The rows of every page forward from ``url`` (following ``next``), and again backward from the last page
    (following ``previous``), each in list order. No page carries a count."""
    pages = [client.get(url).json()]
    while pages[-1]["next"]:
        pages.append(client.get(pages[-1]["next"]).json())
    back = [pages[-1]]
    while back[-1]["previous"]:
        back.append(client.get(back[-1]["previous"]).json())
    assert all(set(page) == {"next", "previous", "results"} for page in pages + back)
    return [row for page in pages for row in page["results"]], [row for page in reversed(back) for row in page["results"]]


def ids_in_order(partners: list, keys: list) -> list[str]:
    """The partners' public ids sorted by ``keys`` (one per partner), ties in creation order."""
    ranked = sorted(range(len(partners)), key=lambda i: (keys[i], i))
    return [str(partners[i].public_id) for i in ranked]


def test_every_page_of_tied_scores_is_walked_once_in_order_both_ways(client, world):
    a = world.a
    partners = scored_partners(a, TIED)
    client.force_login(a.analyst)

    forward, backward = walk(client, SCORES + "?page_size=2")

    expected = ids_in_order(partners, TIED)  # lowest first; equal totals (and names) by row
    assert [row["partner"] for row in forward] == expected
    assert [row["partner"] for row in backward] == expected
    assert [row["total"] for row in forward] == sorted(TIED)


def test_every_page_is_walked_once_under_each_ordering(client, world):
    a = world.a
    partners = scored_partners(a, TIED)
    client.force_login(a.analyst)

    descending, _back = walk(client, SCORES + "?page_size=3&ordering=-total")
    by_day, _back = walk(client, SCORES + "?page_size=3&ordering=-as_of")  # every row ties on the day

    assert [row["partner"] for row in descending] == ids_in_order(partners, [-t for t in TIED])
    assert [row["partner"] for row in by_day] == ids_in_order(partners, TIED)  # then the default order


def test_scores_order_by_partner_name(client, world):
    a = world.a
    zulu = scored_partners(a, [10.0], name="Zulu Systems")
    alpha = scored_partners(a, [90.0], name="Alpha Systems")
    client.force_login(a.analyst)

    names = [r["partner_name"] for r in client.get(SCORES + "?ordering=partner_name").json()["results"]]
    reverse = [r["partner"] for r in client.get(SCORES + "?ordering=-partner_name").json()["results"]]

    assert names == ["Alpha Systems", "Zulu Systems"]
    assert reverse == [str(zulu[0].public_id), str(alpha[0].public_id)]


def test_scores_filter_by_partner_tier_and_total(client, world):
    a = world.a
    low, middle, high = scored_partners(a, [20.0, 50.0, 80.0])
    with tenant_context(a.tenant.pk):
        gold = Tier.objects.create(tenant=a.tenant, name="Gold", rank=2)
        type(high).objects.filter(pk=high.pk).update(tier=gold)
    client.force_login(a.analyst)

    def partners(query: str) -> list[str]:
        response = client.get(SCORES + query)
        assert response.status_code == 200, response.content
        return [row["partner"] for row in response.json()["results"]]

    assert partners(f"?partner={middle.public_id}") == [str(middle.public_id)]
    assert partners(f"?tier={gold.public_id}") == [str(high.public_id)]
    assert partners("?total_below=50") == [str(low.public_id)]
    assert partners("?total_at_least=50") == [str(middle.public_id), str(high.public_id)]
    assert partners("?total_at_least=20&total_below=80") == [str(low.public_id), str(middle.public_id)]
    assert partners(f"?partner={world.b.partner1.public_id}") == []  # another program's partner: none here


@pytest.mark.parametrize(
    ("query", "attr", "code"),
    [
        ("?ordering=engine_version", "ordering", "invalid_ordering"),
        ("?ordering=partner__name", "ordering", "invalid_ordering"),
        ("?total_below=low", "total_below", "invalid"),
        ("?tier=gold", "tier", "invalid"),
    ],
)
def test_a_bad_ordering_or_filter_value_is_a_400(client, world, query, attr, code):
    client.force_login(world.a.analyst)
    response = client.get(SCORES + query)
    assert response.status_code == 400
    assert (response.json()["attr"], response.json()["code"]) == (attr, code)


def test_a_tampered_cursor_is_a_404(client, world):
    scored_partners(world.a, [10.0, 20.0])
    client.force_login(world.a.analyst)
    following = client.get(SCORES + "?page_size=1").json()["next"]
    other_order = client.get(SCORES + "?page_size=1&ordering=-total").json()["next"]
    assert client.get(SCORES + "?cursor=bm9wZQ").status_code == 404
    # the right order with a value its column cannot read: 404, not a 500
    forged = json.dumps({"o": ["total", "partner_name", "id"], "v": ["low", "Acme", 1]})
    assert client.get(SCORES + "?cursor=" + base64.b64encode(urlencode({"p": forged}).encode()).decode()).status_code == 404
    # a cursor made for another order (the client changed ?ordering= between pages) is not read in this one
    assert client.get(other_order.replace("ordering=-total", "ordering=as_of")).status_code == 404
    assert client.get(following).status_code == 200


def test_a_page_of_scores_costs_the_same_queries_whatever_its_size(client, world, django_assert_num_queries):
    scored_partners(world.a, TIED)
    client.force_login(world.a.analyst)
    for size in (1, 8):
        # session, user, tenant; savepoint, tenant settings, membership; the page of latest scores with
        # partner and tier (one query); savepoint release, settings cleared
        with django_assert_num_queries(SCORE_PAGE_QUERIES):
            assert len(client.get(f"{SCORES}?page_size={size}&total_at_least=0").json()["results"]) == size


SCORE_PAGE_QUERIES = 9
