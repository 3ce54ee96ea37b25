"""Isolation matrix rows for the attribution routes, and the tenant A objects they probe."""

from __future__ import annotations

from tests.isolation.routes import Route

ROUTES: dict[str, Route] = {}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope, before partner 1's onboarding plan).

    Return the ids the rows need, plus ``partner1_ids``: the ids partner 2's users must never see.
    """
    return {"partner1_ids": set()}
