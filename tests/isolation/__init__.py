"""Per-capability parts of the isolation matrix: each module has ``ROUTES`` and ``objects(a)``."""

from tests.isolation import (
    attribution,
    currency,
    directory,
    economics,
    insights,
    mapping,
    mdf,
    plans,
    scoring,
    scoring_fit,
    sla,
    solutions,
    surveys,
)

AREAS = (solutions, plans, sla, directory, mapping, attribution, currency, scoring, scoring_fit, economics, insights, surveys, mdf)
