"""The attribution engine: pure, vectorised computations over integer-coded journeys (no database).

Definitions are exactly those of ``ATTRIBUTION.md`` (written out again in each module's docstring):
rule-based models in :mod:`.heuristics`, the first-order Markov removal effect in :mod:`.markov`,
Shapley values in :mod:`.shapley`. Runs (loading touchpoints, writing results) live outside this
package and hand it a :class:`~.journeys.Journeys`.
"""
