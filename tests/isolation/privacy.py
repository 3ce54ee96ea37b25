"""Isolation matrix rows for the personal data routes.

The member pages probe partner 1's rep's membership (the matrix's ``membership`` object): owners of
tenant A only; the other tenant's owner, partner users and removed members get 404. "My data" has no
ids: each person downloads their own data in their own program.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _member(o: dict) -> dict:
    return {"membership_id": o["membership"]}


def _public_id(o: dict) -> dict:
    return {"public_id": o["membership"]}


ROUTES: dict[str, Route] = {
    # vendor portal, owners
    "privacy:people": Route(no_ids, ("GET",)),
    "privacy:member": Route(_member, ("GET",), partner_owned=True),
    "privacy:member_export": Route(_member, ("POST",), partner_owned=True),
    "privacy:member_erase": Route(_member, ("POST",), partner_owned=True),
    "privacy:retention": Route(no_ids, ("GET", "POST")),
    # both portals: the signed-in person's own data
    "privacy:my_data": Route(no_ids, ("GET",)),
    "privacy:my_data_export": Route(no_ids, ("POST",)),
    "partner_privacy:my_data": Route(no_ids, ("GET",)),
    "partner_privacy:my_data_export": Route(no_ids, ("POST",)),
    # the API: owners for people and retention; everyone their own data (partner 2's admin gets its own)
    "api:privacy-person-list": Route(no_ids, ("GET",)),
    "api:privacy-person-detail": Route(_public_id, ("GET",), partner_owned=True),
    "api:privacy-person-export": Route(_public_id, ("POST",), partner_owned=True),
    "api:privacy-person-erase": Route(_public_id, ("POST",), partner_owned=True),
    "api:privacy-retention": Route(no_ids, ("GET", "PUT")),
    "api:my-data": Route(no_ids, ("GET",), own=True),
    "api:my-data-export": Route(no_ids, ("POST",), own=True),
}


def objects(a) -> dict:
    """Nothing of its own: the routes probe the core matrix's partner-1 membership."""
    return {}
