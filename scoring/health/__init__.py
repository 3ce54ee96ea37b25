"""Partner health score: pure engines (numpy only, no Django, no database).

- :mod:`.aggregate` turns engagement events (partner, day, kind) into per-partner counts in windows,
  days since the last event of each kind and a trend ratio, as of a date (point in time).
- :mod:`.score` turns per-partner features into the 0–100 health score, its six components, what moved
  since the last score (:func:`.score.delta`) and the actions that would raise it most
  (:func:`.score.top_actions`).

Definitions for the partner manager: ``docs/health-score.md``.
"""
