"""Isolation matrix rows for the mapping routes, and the tenant A objects they probe.

Tenant A holds the vendor's list, partner 1's list and an active vendor ↔ partner 1 pair in which
partner 1 shares its overlapping customers (so overlap records exist). Partner 2 is on no pair: it
must get 404 for the pair and its overlaps, and see none of partner 1's ids, in either portal or the API.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _pair(o: dict) -> dict:
    return {"partnership_id": o["mapping_pair"]}


def _api_pair(o: dict) -> dict:
    return {"public_id": o["mapping_pair"]}


_PAIR_ROUTES = {
    "partnership": ("GET",),
    "export": ("GET",),
    "accept": ("POST",),
    "decline": ("POST",),
    "revoke": ("POST",),
    "sharing": ("POST",),
}

ROUTES: dict[str, Route] = {
    # vendor portal
    "mapping:home": Route(no_ids, ("GET",)),
    "mapping:list": Route(no_ids, ("GET", "POST")),
    "mapping:invite": Route(no_ids, ("POST",)),
    "mapping:sync": Route(no_ids, ("POST",)),
    **{f"mapping:{name}": Route(_pair, methods, partner_owned=True) for name, methods in _PAIR_ROUTES.items()},
    "mapping:shared_list": Route(
        lambda o: {"partnership_id": o["mapping_pair"], "population": "customer"}, ("GET",), partner_owned=True
    ),
    "mapping:lead": Route(
        lambda o: {"partnership_id": o["mapping_pair"], "overlap_id": o["mapping_overlap"]}, ("POST",), partner_owned=True
    ),
    # partner portal
    "partner_mapping:home": Route(no_ids, ("GET",)),
    "partner_mapping:list": Route(no_ids, ("GET", "POST")),
    "partner_mapping:invite": Route(no_ids, ("POST",)),
    **{f"partner_mapping:{name}": Route(_pair, methods, partner_owned=True) for name, methods in _PAIR_ROUTES.items()},
    "partner_mapping:shared_list": Route(
        lambda o: {"partnership_id": o["mapping_pair"], "population": "customer"}, ("GET",), partner_owned=True
    ),
    # API
    "api:my-account-list-list": Route(no_ids, ("GET",), own=True),
    "api:my-account-list-summary": Route(no_ids, ("GET",), own=True),
    "api:my-account-list-upload": Route(no_ids, ("POST",), own=True),
    "api:my-account-list-sync": Route(no_ids, ("POST",), own=True),
    "api:my-account-list-crm-sync": Route(no_ids, ("POST",), own=True),
    "api:mapping-partnership-list": Route(no_ids, ("GET", "POST"), own=True),
    "api:mapping-partnership-detail": Route(_api_pair, ("GET",), partner_owned=True),
    **{
        f"api:mapping-partnership-{name}": Route(_api_pair, (method,), partner_owned=True)
        for name, method in (
            ("accept", "POST"),
            ("decline", "POST"),
            ("revoke", "POST"),
            ("sharing", "POST"),
            ("overlaps", "GET"),
            ("recommendations", "GET"),
            ("shared-list", "GET"),
            ("lead", "POST"),
        )
    },
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope, before partner 1's onboarding plan).

    Return the ids the rows need, plus partner1_ids: the ids partner 2's users must never see.
    """
    from deals.mapping.models import AccountOverlap, MappingAccount
    from deals.mapping.tests.support import active_pair, load_lists

    load_lists(a)
    pair = active_pair(a, vendor_sharing={"customer": "all"}, partner_sharing={"customer": "overlaps"})
    overlap = AccountOverlap.objects.filter(partnership=pair).order_by("id").first()
    partner_accounts = {str(pk) for pk in MappingAccount.objects.filter(partner=a.partner1).values_list("public_id", flat=True)}
    return {
        "mapping_pair": pair.public_id,
        "mapping_overlap": overlap.public_id,
        "partner1_ids": {str(pair.public_id), str(overlap.public_id)} | partner_accounts,
    }
