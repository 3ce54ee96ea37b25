"""Isolation matrix rows for ``api-keys/``: tenant A's probe key (made by the matrix fixture as ``api_key``).

API keys are the tenant owners': every partner user gets 404 for every route and id; the other tenant's
owner gets 404 for A's ids.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _key(o: dict) -> dict:
    return {"public_id": o["api_key"]}


ROUTES: dict[str, Route] = {
    "api:api-key-list": Route(no_ids, ("GET", "POST")),
    "api:api-key-detail": Route(_key, ("GET",)),
    "api:api-key-revoke": Route(_key, ("POST",)),
}


def objects(a) -> dict:
    """Nothing of its own: the matrix fixture already issues tenant A's probe key (``api_key``)."""
    return {}
