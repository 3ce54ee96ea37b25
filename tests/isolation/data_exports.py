"""Isolation matrix rows for ``data-exports/``: tenant A's export job (made by the matrix fixture as ``export_job``).

Exports are the tenant owners': every partner user gets 404 for every route and id; the other tenant's owner
gets 404 for A's ids (the download too: it answers only a finished export of the caller's own program).
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _export(o: dict) -> dict:
    return {"public_id": o["export_job"]}


ROUTES: dict[str, Route] = {
    "api:data-export-list": Route(no_ids, ("GET", "POST")),
    "api:data-export-detail": Route(_export, ("GET",)),
    "api:data-export-download": Route(_export, ("GET",)),
}


def objects(a) -> dict:
    """Nothing of its own: the matrix fixture already starts tenant A's ``export_job``."""
    return {}
