"""Per-capability parts of the isolation matrix: each module has ``ROUTES`` and ``objects(a)``."""

from tests.isolation import directory, mapping, plans, sla, solutions

AREAS = (solutions, plans, sla, directory, mapping)
