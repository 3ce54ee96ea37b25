"""Isolation matrix rows for the personal data routes.

The member pages probe partner 1's rep's membership (the matrix's ``membership`` object): owners of
tenant A only; the other tenant's owner, partner users and removed members get 404. "My data" has no
ids: each person downloads their own data in their own program.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _member(o: dict) -> dict:
    return {"membership_id": o["membership"]}


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
}


def objects(a) -> dict:
    """Nothing of its own: the routes probe the core matrix's partner-1 membership."""
    return {}
