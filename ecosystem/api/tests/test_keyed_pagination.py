"""``KeyedCursorPagination``: every row once, forward and back, over an order whose first term ties and
holds nulls (PostgreSQL puts them last ascending and first descending), for model rows and ``values()`` rows.
The API lists that use it (health scores, churn predictions, journeys) walk their own ties in their tests."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from ecosystem.api.pagination import KeyedCursorPagination
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization, Tier
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


class ByTier(KeyedCursorPagination):
    page_size = 2
    ordering = ("tier_id", "id")


class ByTierDescending(ByTier):
    ordering = ("-tier_id", "-id")


def read(paginator_class, queryset, url: str) -> tuple[list, str | None, str | None]:
    paginator = paginator_class()
    rows = paginator.paginate_queryset(queryset, Request(APIRequestFactory().get(url)))
    return rows, paginator.get_next_link(), paginator.get_previous_link()


def walk(paginator_class, queryset) -> tuple[list[int], list[int]]:
    """The ids of every page forward (``next``), and of every page backward from the last (``previous``)."""
    rows, following, previous = read(paginator_class, queryset, "/partners/")
    assert previous is None
    forward = [rows]
    while following:
        rows, following, previous = read(paginator_class, queryset, following)
        forward.append(rows)
    backward = [rows]
    while previous:
        rows, _following, previous = read(paginator_class, queryset, previous)
        backward.append(rows)

    def ids(pages):
        return [row["id"] if isinstance(row, dict) else row.pk for page in pages for row in page]

    return ids(forward), ids(reversed(backward))


@pytest.fixture
def tiered(world):
    """Nine partners: four without a tier (more than a page), three Gold, two Silver."""
    a = world.a
    with tenant_context(a.tenant.pk):
        gold = Tier.objects.create(tenant=a.tenant, name="Gold", rank=2)
        silver = Tier.objects.create(tenant=a.tenant, name="Silver", rank=1)
        for tier in (gold, None, silver, gold, None, gold, silver):
            PartnerFactory(tenant=a.tenant, tier=tier)
        partners = list(PartnerOrganization.objects.all())
    ascending = [p.pk for p in sorted(partners, key=lambda p: (p.tier_id is None, p.tier_id or 0, p.pk))]
    return a, ascending


def test_a_tied_order_with_nulls_walks_once_both_ways(tiered):
    a, ascending = tiered
    with tenant_context(a.tenant.pk):
        forward, backward = walk(ByTier, PartnerOrganization.objects.all())
        values_forward, values_backward = walk(ByTier, PartnerOrganization.objects.values("id", "tier_id"))
    assert len(ascending) == 9
    assert forward == backward == values_forward == values_backward == ascending


def test_descending_puts_the_nulls_first_and_walks_once_both_ways(tiered):
    a, ascending = tiered
    with tenant_context(a.tenant.pk):
        forward, backward = walk(ByTierDescending, PartnerOrganization.objects.all())
    assert forward == backward == list(reversed(ascending))


@pytest.mark.parametrize(
    "position",
    [
        "not json",
        '{"o":["tier_id","id"],"v":[1]}',  # one value short
        '{"o":["-tier_id","-id"],"v":[1,2]}',  # made for another order
        '{"o":["tier_id","id"],"v":[[1],2]}',  # not a plain value
        '{"o":["tier_id","id"],"v":["gold",2]}',  # a value the column cannot read
    ],
)
def test_a_cursor_that_does_not_fit_the_order_is_not_found(tiered, position):
    a, _ascending = tiered
    cursor = base64.b64encode(urlencode({"p": position}).encode()).decode()
    with tenant_context(a.tenant.pk), pytest.raises(NotFound):
        read(ByTier, PartnerOrganization.objects.all(), f"/partners/?cursor={cursor}")
