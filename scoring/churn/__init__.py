"""Churn / inactivity prediction: pure engines (numpy, pandas, scikit-learn; no Django models, no database).

- :mod:`.synthetic`: a synthetic tenant with a known churn mechanism, the yardstick of the tests.
- :mod:`.training`: the generic pipeline (temporal split, candidates, selection, calibration, metrics,
  per-row drivers) on any table of features, a 0/1 label and a time column.
- :mod:`.metrics`: ROC AUC, PR AUC, Brier, ECE (10 equal-width bins), calibration curve, defined exactly.
- :mod:`.rules`: the transparent rule-based risk score and the minimum-history rule.

See docs/churn-model.md.
"""
