"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing)."""

from __future__ import annotations


def seed(*, tenant, owner, partners: dict) -> None:
    """Top up this area's demo rows in the acme tenant. ``partners`` maps website domain to partner."""
