"""The directory list's ``?ordering=``: by partner name or tier, both ways, over cursor pages that never
repeat or skip a row, and never shaped by a profile the reader may not see."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from ecosystem.tenancy.context import tenant_context
from partners.directory.models import DirectoryProfile
from partners.models import PartnerStatus, Tier
from tests.factories import PartnerFactory

from ..support import profile_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/directory/"
ORDERINGS = ("", "name", "-name", "tier", "-tier")
HIDDEN_NAME = "Aardvark Hidden"  # sorts first by name and sits in the top tier: any leak would show at the top


@pytest.fixture
def directory(world):
    """Nine listed, published profiles with equal names and shared tiers, and two a partner may not see."""
    a = world.a
    with tenant_context(a.tenant.pk):
        entry = Tier.objects.create(tenant=a.tenant, name="Registered", rank=0)
        silver = Tier.objects.create(tenant=a.tenant, name="Silver", rank=1)
        gold = Tier.objects.create(tenant=a.tenant, name="Gold", rank=2)
    layout = [
        ("Acme", gold),
        ("Acme", entry),
        ("Acme", gold),
        ("Beta", silver),
        ("Delta", None),
        ("Gamma", silver),
        ("Kappa", silver),
        ("Omega", None),
        ("Zeta", silver),
    ]
    rows = []  # (partner public id, name, rank or -1 without a tier)
    for index, (name, tier) in enumerate(layout):
        partner = _partner(a, name, tier)
        profile_for(partner, headline=f"{name} {index}")
        rows.append((str(partner.public_id), name, tier.rank if tier else -1))
    hidden = _partner(a, HIDDEN_NAME, gold)
    profile_for(hidden, published=False)
    retired = _partner(a, "Aaron Retired", gold, status=PartnerStatus.RETIRED)
    profile_for(retired)  # published, but its partner has left the program
    unlisted = [str(hidden.public_id), str(retired.public_id)]
    return rows, unlisted


def _partner(a, name: str, tier, *, status: str = PartnerStatus.ACTIVE):
    with tenant_context(a.tenant.pk):
        return PartnerFactory(tenant=a.tenant, name=name, partner_type="si", tier=tier, status=status)


def expected(rows, ordering: str) -> list[str]:
    """The order the API promises, in Python: the chosen key, then name, then the partner's id (following name)."""
    keys = {
        "": lambda r: (r[1], r[0]),
        "name": lambda r: (r[1], r[0]),
        "tier": lambda r: (r[2], r[1], r[0]),
        "-tier": lambda r: (-r[2], r[1], r[0]),
    }
    if ordering == "-name":
        return list(reversed(expected(rows, "name")))
    return [r[0] for r in sorted(rows, key=keys[ordering])]


def _cursor_position(link: str) -> str:
    """The position a link's cursor carries (JSON: the order, ``o``, and the edge card's sort keys, ``v``)."""
    cursor = parse_qs(urlsplit(link).query)["cursor"][0]
    return parse_qs(base64.b64decode(cursor).decode())["p"][0]


def _cursor(position: str, *, reverse: bool = False) -> str:
    return base64.b64encode(urlencode({"p": position, **({"r": "1"} if reverse else {})}).encode()).decode()


def walk(client, url: str) -> tuple[list[str], list[str], list[str]]:
    """Every page forwards by ``next``, then back from the last page by ``previous``: (forwards, backwards, cursors)."""
    forwards, cursors, pages = [], [], 0
    page = client.get(url).json()
    while True:
        pages += 1
        forwards += [card["partner"] for card in page["results"]]
        if not page["next"]:
            break
        cursors.append(_cursor_position(page["next"]))
        page = client.get(page["next"]).json()
        assert pages < 20, "the cursor does not advance"
    backwards = [card["partner"] for card in page["results"]]
    while page["previous"]:
        cursors.append(_cursor_position(page["previous"]))
        page = client.get(page["previous"]).json()
        backwards = [card["partner"] for card in page["results"]] + backwards
    return forwards, backwards, cursors


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_every_ordering_walks_each_listed_profile_once_in_its_order_both_ways(client, world, directory, ordering):
    rows, _unlisted = directory
    client.force_login(world.a.partner2_admin)
    forwards, backwards, _cursors = walk(client, f"{BASE}?page_size=2&ordering={ordering}")
    assert forwards == expected(rows, ordering)
    assert backwards == forwards


def test_name_ties_keep_one_place_and_descending_is_the_exact_reverse(client, world, directory):
    client.force_login(world.a.partner2_admin)
    by_name, _b, _c = walk(client, f"{BASE}?page_size=1&ordering=name")
    descending, _b, _c = walk(client, f"{BASE}?page_size=1&ordering=-name")
    assert len(set(by_name)) == len(by_name) == 9
    assert descending == list(reversed(by_name))


def test_by_tier_the_top_tier_comes_first_descending_and_partners_without_a_tier_sort_below_the_entry_tier(
    client, world, directory
):
    client.force_login(world.a.partner2_admin)
    top_first = client.get(f"{BASE}?page_size=50&ordering=-tier").json()["results"]
    assert [(card["tier"], card["name"]) for card in top_first] == [
        ("Gold", "Acme"),
        ("Gold", "Acme"),
        ("Silver", "Beta"),
        ("Silver", "Gamma"),
        ("Silver", "Kappa"),
        ("Silver", "Zeta"),
        ("Registered", "Acme"),
        ("", "Delta"),
        ("", "Omega"),
    ]
    bottom_first = client.get(f"{BASE}?page_size=50&ordering=tier").json()["results"]
    assert [card["tier"] for card in bottom_first][:3] == ["", "", "Registered"]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_a_partner_sees_only_listed_published_profiles_in_any_order_and_no_cursor_names_another(
    client, world, directory, ordering
):
    rows, unlisted = directory
    client.force_login(world.a.partner2_admin)
    forwards, _backwards, cursors = walk(client, f"{BASE}?page_size=1&ordering={ordering}")
    assert sorted(forwards) == sorted(r[0] for r in rows)
    assert not set(unlisted) & set(forwards)
    assert not [c for c in cursors if "Aardvark" in c or "Aaron" in c]  # no position is a hidden profile's name
    body = client.get(f"{BASE}?page_size=50&ordering={ordering}").content.decode()
    assert HIDDEN_NAME not in body and "Aaron Retired" not in body
    assert not [public_id for public_id in unlisted if public_id in body]


def test_staff_order_every_profile_including_unpublished_ones(client, world, directory):
    rows, unlisted = directory
    client.force_login(world.a.manager)
    by_name, _b, _c = walk(client, f"{BASE}?page_size=3&ordering=name")
    assert by_name[:2] == unlisted  # "Aardvark Hidden", "Aaron Retired", then the listed ones
    assert by_name[2:] == expected(rows, "name")


@pytest.mark.parametrize(
    "ordering",
    ["partner__name", "id", "is_published", "contact_email", "tier,secret", "updated_at", "-rank"],
)
def test_an_unknown_ordering_answers_400_in_the_envelope(client, world, directory, ordering):
    client.force_login(world.a.partner2_admin)
    response = client.get(f"{BASE}?ordering={ordering}")
    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == ("validation_error", "invalid_ordering", "ordering")
    assert "name, tier" in body["detail"]


@pytest.mark.parametrize(
    ("ordering", "position"),
    [
        ("name", "not json"),
        ("name", '["Acme", "00000000-0000-0000-0000-000000000000"]'),  # not the cursor's shape
        ("name", '{"o": ["partner_name", "partner_public_id"], "v": ["Acme"]}'),  # too short for its order
        ("name", '{"o": ["partner_name", "partner_public_id"], "v": ["Acme", "not-a-uuid"]}'),
        ("name", '{"o": ["tier_rank", "partner_name", "partner_public_id"], "v": [1, "Acme", null]}'),  # another order
        ("tier", '{"o": ["tier_rank", "partner_name", "partner_public_id"], "v": ["gold", "Acme", null]}'),
        ("tier", '{"o": ["tier_rank", "partner_name", "partner_public_id"], "v": [1, "Acme", {"id": 1}]}'),
    ],
)
def test_a_tampered_cursor_answers_404_not_500(client, world, directory, ordering, position):
    client.force_login(world.a.partner2_admin)
    response = client.get(f"{BASE}?ordering={ordering}&cursor={_cursor(position)}")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_cursor_reads_on_from_its_place_even_when_that_card_is_gone(client, world, directory):
    rows, _unlisted = directory
    client.force_login(world.a.partner2_admin)
    first = client.get(f"{BASE}?page_size=4&ordering=name").json()
    fourth = first["results"][-1]["partner"]
    with tenant_context(world.a.tenant.pk):
        DirectoryProfile.objects.filter(partner__public_id=fourth).update(is_published=False)
    response = client.get(first["next"])
    assert [card["partner"] for card in response.json()["results"]] == expected(rows, "name")[4:8]


def test_ordering_combines_with_the_search_filters(client, world, directory):
    client.force_login(world.a.partner2_admin)
    results = client.get(f"{BASE}?q=a&partner_type=si&ordering=-name&page_size=50").json()["results"]
    names = [card["name"] for card in results]
    assert names == sorted(names, reverse=True) and "Zeta" in names and HIDDEN_NAME not in names


def test_an_ordered_cursor_page_costs_a_fixed_number_of_queries(client, world, directory, django_assert_num_queries):
    client.force_login(world.a.partner2_admin)
    second = client.get(f"{BASE}?page_size=3&ordering=-tier").json()["next"]
    # the request's own 9: tenant, session, user, savepoint, scope settings, membership, partner scope
    # settings, … release, settings reset; across_partners: savepoint, widened scope (2); the page (1);
    # capability names, certifications, solutions (3); the savepoint's release, the narrowed scope (2)
    with django_assert_num_queries(17) as captured:
        response = client.get(second)
    assert [card["name"] for card in response.json()["results"]] == ["Gamma", "Kappa", "Zeta"]
    [page] = [q["sql"] for q in captured.captured_queries if 'FROM "directory_directoryprofile"' in q["sql"]]
    assert "OFFSET" not in page and "COUNT(" not in page  # the page starts after the cursor's row
