"""Ideal partner profile fit: a pure engine (numpy and pandas; no Django models, no database).

- :mod:`.profile`: the top-performer rule, the minimum history, the smoothed weight-of-evidence
  profile, fit scores with their reasons, the profile summary and the leave-one-out honesty check.

The service that feeds it from the database is :mod:`scoring.fit_service`. See docs/partner-fit.md.
"""
