"""Per-capability parts of the isolation matrix: each module has ``ROUTES`` and ``objects(a)``."""

from tests.isolation import (
    attribution,
    currency,
    directory,
    economics,
    incentives,
    insights,
    mapping,
    mdf,
    plans,
    scorecard,
    scoring,
    scoring_fit,
    sla,
    solutions,
    surveys,
    weekly_summary,
)

AREAS = (
    solutions,
    plans,
    sla,
    directory,
    mapping,
    attribution,
    currency,
    scoring,
    scoring_fit,
    economics,
    insights,
    surveys,
    mdf,
    incentives,
    scorecard,
    weekly_summary,
)
