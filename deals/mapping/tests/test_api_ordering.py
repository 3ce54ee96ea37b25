"""A pair's overlaps in the API under ``?ordering=``: by the names and domains the records show, both ways,
over cursor pages that hold every row once; and never by anything the other side does not share."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant

from ..lists import ListRow
from ..models import MappingAccount
from .support import active_pair, load_lists

pytestmark = pytest.mark.django_db

SORT_KEYS = ("my_name", "my_domain", "their_name", "their_domain")
# Equal names on both sides, blank names on the vendor's, and each side's names in another order.
VENDOR = [
    ListRow("customer", "kiwi.example", "Same Name", "v-1"),
    ListRow("customer", "lime.example", "Same Name", "v-2"),
    ListRow("customer", "mango.example", "Same Name", "v-3"),
    ListRow("customer", "fig.example", "", "v-4"),
    ListRow("customer", "date.example", "", "v-5"),
    ListRow("customer", "plum.example", "Zebra Corp", "v-6"),
    ListRow("customer", "pear.example", "Apple Corp", "v-7"),
    ListRow("prospect", "quince.example", "Vendor Prospect", "v-8"),
]
PARTNER = [
    ListRow("customer", "kiwi.example", "Partner Z", "p-1"),
    ListRow("customer", "lime.example", "Partner A", "p-2"),
    ListRow("customer", "mango.example", "Partner A", "p-3"),
    ListRow("customer", "fig.example", "Partner M", "p-4"),
    ListRow("customer", "date.example", "Partner B", "p-5"),
    ListRow("customer", "plum.example", "Partner C", "p-6"),
    ListRow("customer", "pear.example", "Partner Y", "p-7"),
    ListRow("prospect", "quince.example", "Counts Only Prospect", "p-8"),  # partner 1 shares prospects as counts
]


@pytest.fixture(autouse=True)
def mfa_off(world):
    Tenant.objects.filter(pk=world.a.tenant.pk).update(require_staff_mfa=False)


@pytest.fixture
def pair(world):
    """Partner 1 shares its customers as records and its prospects as counts; the vendor shares both as records."""
    load_lists(world.a, vendor=VENDOR, partner=PARTNER)
    return active_pair(
        world.a,
        vendor_sharing={"customer": "overlaps", "prospect": "overlaps"},
        partner_sharing={"customer": "overlaps", "prospect": "counts"},
    )


def overlaps_url(world, pair) -> str:
    return reverse("api:mapping-partnership-overlaps", kwargs={"tenant_slug": world.a.tenant.slug, "public_id": pair.public_id})


def _position(link: str) -> list:
    """The sort values a cursor carries (``v``; ``o`` names the order they belong to)."""
    cursor = parse_qs(urlsplit(link).query)["cursor"][0]
    return json.loads(parse_qs(base64.b64decode(cursor).decode())["p"][0])["v"]


def walk(client, url: str) -> tuple[list[dict], list[str], list[list]]:
    """Every page by ``next``, then back by ``previous``: (records forwards, ids backwards, cursor positions)."""
    records, positions = [], []
    page = client.get(url).json()
    for _ in range(30):
        records += page["results"]
        if not page["next"]:
            break
        positions.append(_position(page["next"]))
        page = client.get(page["next"]).json()
    else:
        raise AssertionError("the cursor does not advance")
    backwards = [r["id"] for r in page["results"]]
    while page["previous"]:
        positions.append(_position(page["previous"]))
        page = client.get(page["previous"]).json()
        backwards = [r["id"] for r in page["results"]] + backwards
    return records, backwards, positions


def expected(records: list[dict], ordering: str) -> list[str]:
    """The order promised, in Python: each term in turn, then the record's id in the last term's direction."""
    terms = ordering.split(",")
    ordered = sorted(records, key=lambda r: r["id"], reverse=terms[-1].startswith("-"))
    for term in reversed(terms):  # stable sorts, the first term last
        field = term.removeprefix("-")
        ordered = sorted(ordered, key=lambda r, field=field: r[field], reverse=term.startswith("-"))
    return [r["id"] for r in ordered]


ORDERINGS = [*SORT_KEYS, *(f"-{key}" for key in SORT_KEYS), "their_name,-my_domain", "-my_name,their_name"]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_each_ordering_walks_every_shared_overlap_once_in_order_both_ways(client, world, pair, ordering):
    client.force_login(world.a.owner)
    everything = client.get(overlaps_url(world, pair) + "?page_size=100").json()["results"]
    assert len(everything) == 7  # the customers; partner 1's prospects are counts only
    records, backwards, _positions = walk(client, overlaps_url(world, pair) + f"?page_size=2&ordering={ordering}")
    assert [r["id"] for r in records] == expected(everything, ordering)
    assert backwards == [r["id"] for r in records]


def test_equal_names_keep_one_place_and_descending_is_the_exact_reverse(client, world, pair):
    client.force_login(world.a.owner)
    url = overlaps_url(world, pair)
    by_name, _b, _p = walk(client, url + "?page_size=1&ordering=my_name")
    descending, _b, _p = walk(client, url + "?page_size=1&ordering=-my_name")
    assert [r["my_name"] for r in by_name] == ["", "", "Apple Corp", "Same Name", "Same Name", "Same Name", "Zebra Corp"]
    assert [r["id"] for r in descending] == [r["id"] for r in reversed(by_name)]


def test_the_default_order_is_unchanged_and_pages_the_same(client, world, pair):
    client.force_login(world.a.owner)
    url = overlaps_url(world, pair)
    whole = [r["id"] for r in client.get(url + "?page_size=100").json()["results"]]
    records, backwards, _positions = walk(client, url + "?page_size=3")
    assert [r["id"] for r in records] == whole == backwards


@pytest.mark.parametrize(
    "ordering",
    ["name", "domain", "id", "created_at", "a_name", "b_name", "their_account__name", "external_id", "my_name,secret"],
)
def test_an_unknown_ordering_answers_400_in_the_envelope(client, world, pair, ordering):
    client.force_login(world.a.owner)
    response = client.get(overlaps_url(world, pair) + f"?ordering={ordering}")
    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == ("validation_error", "invalid_ordering", "ordering")
    assert "my_domain, my_name, their_domain, their_name" in body["detail"]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_a_counts_only_population_shapes_no_order_and_no_cursor(client, world, pair, ordering):
    client.force_login(world.a.owner)
    records, _backwards, positions = walk(client, overlaps_url(world, pair) + f"?page_size=2&ordering={ordering}")
    assert {r["their_population"] for r in records} == {"customer"}
    shown = {value for r in records for value in r.values()}
    # a cursor carries the edge record's sort keys and id, each a value the caller was shown
    assert all(value in shown for position in positions for value in position)
    body = json.dumps(records) + json.dumps(positions)
    assert "Counts Only Prospect" not in body and "quince" not in body


def test_their_names_sort_by_the_label_they_share_never_by_their_account_as_it_is_now(client, world, pair):
    """Partner 1 renames its accounts after the match: the vendor's order follows the labels it was shown."""
    live_names = {"kiwi.example": "Aaa", "lime.example": "Zzz", "mango.example": "Yyy", "fig.example": "Bbb"}
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        for domain, name in live_names.items():
            MappingAccount.objects.filter(partner=world.a.partner1, domain=domain).update(name=name)
    client.force_login(world.a.owner)
    records, _backwards, positions = walk(client, overlaps_url(world, pair) + "?page_size=2&ordering=their_name")
    assert [r["their_name"] for r in records] == [
        "Partner A",
        "Partner A",
        "Partner B",
        "Partner C",
        "Partner M",
        "Partner Y",
        "Partner Z",
    ]
    body = json.dumps(records) + json.dumps(positions)
    assert not [name for name in live_names.values() if name in body]


def test_the_partner_orders_by_the_vendors_shared_labels_including_the_prospects_the_vendor_shares(client, world, pair):
    client.force_login(world.a.partner1_admin)
    records, backwards, _positions = walk(client, overlaps_url(world, pair) + "?page_size=3&ordering=-their_name")
    assert [r["their_name"] for r in records] == [
        "Zebra Corp",
        "Vendor Prospect",
        "Same Name",
        "Same Name",
        "Same Name",
        "Apple Corp",
        "",
        "",
    ]
    assert backwards == [r["id"] for r in records]


def test_another_partner_gets_404_for_the_pairs_overlaps_in_any_order(client, world, pair):
    client.force_login(world.a.partner2_admin)
    for ordering in ("", "their_name", "-my_domain"):
        response = client.get(overlaps_url(world, pair) + f"?ordering={ordering}")
        assert response.status_code == 404
        assert "Partner" not in response.content.decode() and "Same Name" not in response.content.decode()


def test_an_ordered_page_costs_the_same_queries_as_the_default(client, world, pair, django_assert_num_queries):
    client.force_login(world.a.owner)
    second = client.get(overlaps_url(world, pair) + "?page_size=2&ordering=-their_name").json()["next"]
    # the request's own 8 (tenant, session, user, savepoint, scope settings, membership, …, release,
    # settings reset); the pair, its partners' names, the page of overlaps with each own account joined (3)
    with django_assert_num_queries(11) as captured:
        response = client.get(second)
    assert [r["their_name"] for r in response.json()["results"]] == ["Partner M", "Partner C"]
    [page] = [q["sql"] for q in captured.captured_queries if 'FROM "mapping_accountoverlap"' in q["sql"]]
    assert "OFFSET" not in page and "COUNT(" not in page
