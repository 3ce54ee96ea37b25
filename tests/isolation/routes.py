"""How the isolation matrix describes one route (shared by tests/test_isolation_matrix.py and the area modules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Route:
    """How to probe one route: its path ids (from tenant A's objects) and the methods it answers."""

    ids: Callable[[dict], dict]
    methods: tuple[str, ...]
    partner_owned: bool = False  # ids that belong to partner1 (so partner2's user must get 404)
    shared: bool = False  # ids of program configuration every partner of A reads (courses): partner2 gets its page
    own: bool = False  # no ids, API: every partner user gets their own organisation's answer (partner2 gets its own)


def no_ids(objects: dict) -> dict:
    return {}
