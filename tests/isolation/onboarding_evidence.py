"""Isolation matrix rows for security-review evidence in the API (``onboarding-evidence/``).

The document probed is the matrix's ``evidence`` (partner 1's, already in ``partner1_ids``): other
tenants and partner 2's users get 404 for it, and partner 2's own list must not name it.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    "api:onboarding-evidence-list": Route(no_ids, ("GET",), own=True),
    "api:onboarding-evidence-detail": Route(lambda o: {"public_id": o["evidence"]}, ("GET",), partner_owned=True),
    "api:onboarding-evidence-download": Route(lambda o: {"public_id": o["evidence"]}, ("GET",), partner_owned=True),
}


def objects(a) -> dict:
    """Nothing of its own: the matrix's fixture already attaches partner 1's document."""
    return {"partner1_ids": set()}
