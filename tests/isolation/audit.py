"""Isolation matrix rows for ``audit-log/``: read-only, owners and API keys; no ids (entries have none).

Every partner user gets 404; the other tenant's owner reads only their own log (tenant A's entries, such as
the probe objects' creation, must never appear in it).
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    "api:audit-entry-list": Route(no_ids, ("GET",)),
}


def objects(a) -> dict:
    """Nothing of its own: creating the other areas' objects already writes tenant A's audit entries."""
    return {}
