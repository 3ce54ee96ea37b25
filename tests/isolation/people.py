"""Isolation matrix rows for ``members/`` and ``invitations/``: tenant A's partner 1 rep's membership and a pending
invitation to partner 1 (both made by the matrix fixture, as ``membership`` and ``invitation``).

Staff read every membership; partner users their own organisation's (partner 2's admin gets its own list, and
404 for partner 1's ids); the other tenant's owner gets 404 for A's ids.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _membership(o: dict) -> dict:
    return {"public_id": o["membership"]}


def _invitation(o: dict) -> dict:
    return {"public_id": o["invitation"]}


ROUTES: dict[str, Route] = {
    "api:member-list": Route(no_ids, ("GET",), own=True),
    "api:member-detail": Route(_membership, ("GET",), partner_owned=True),
    "api:member-deactivate": Route(_membership, ("POST",), partner_owned=True),
    "api:invitation-list": Route(no_ids, ("GET", "POST"), own=True),
    "api:invitation-revoke": Route(_invitation, ("POST",), partner_owned=True),
}


def objects(a) -> dict:
    """Nothing of its own: the matrix fixture already makes partner 1's ``membership`` and ``invitation``."""
    return {}
