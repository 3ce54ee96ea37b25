"""Evaluation metrics of a churn model, defined exactly.

For predictions ``p_i ∈ [0, 1]`` and outcomes ``y_i ∈ {0, 1}``, i = 1 … N:

- **ROC AUC**: the probability that a randomly chosen positive row scores higher than a randomly chosen
  negative one (ties count one half); ``sklearn.metrics.roc_auc_score``. 0.5 is chance, 1 is perfect.
- **PR AUC**: average precision, ``Σ_k (R_k − R_{k−1}) · P_k`` over decreasing thresholds (precision P_k and
  recall R_k at the k-th threshold); ``sklearn.metrics.average_precision_score``. Chance is the base rate.
- **Brier score**: ``(1/N) Σ (p_i − y_i)²``. Lower is better; 0 is perfect.
- **Expected calibration error (ECE)**: 10 **equal-width** bins on [0, 1] — bin b holds the p in
  ``[b/10, (b+1)/10)``, the last bin also holds p = 1 — and
  ``ECE = Σ_b (n_b / N) · |mean(y in b) − mean(p in b)|`` over non-empty bins (Naeini, Cooper and
  Hauskrecht, "Obtaining well calibrated probabilities using Bayesian binning", AAAI 2015; Guo et al.,
  "On calibration of modern neural networks", ICML 2017). Note it is biased upwards by sampling noise:
  even the true probabilities show an ECE of order ``sqrt(p(1−p)/n_b)`` per bin.
- **Calibration curve**: for the same bins, (bin edges, n_b, mean predicted, observed rate).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

N_BINS = 10


def _bins(p: np.ndarray, n_bins: int) -> np.ndarray:
    return np.minimum((np.asarray(p, dtype=np.float64) * n_bins).astype(np.int64), n_bins - 1)


def brier_score(y: np.ndarray, p: np.ndarray) -> float:
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    return float(np.mean((p - y) ** 2))


def calibration_curve(y: np.ndarray, p: np.ndarray, n_bins: int = N_BINS) -> list[dict]:
    """Non-empty equal-width bins: ``{bin_from, bin_to, n, mean_predicted, observed_rate}``."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    b = _bins(p, n_bins)
    n = np.bincount(b, minlength=n_bins)
    sum_p = np.bincount(b, weights=p, minlength=n_bins)
    sum_y = np.bincount(b, weights=y, minlength=n_bins)
    return [
        {
            "bin_from": k / n_bins,
            "bin_to": (k + 1) / n_bins,
            "n": int(n[k]),
            "mean_predicted": float(sum_p[k] / n[k]),
            "observed_rate": float(sum_y[k] / n[k]),
        }
        for k in range(n_bins)
        if n[k]
    ]


def expected_calibration_error(y: np.ndarray, p: np.ndarray, n_bins: int = N_BINS) -> float:
    """ECE over equal-width bins, weighted by the share of rows in each bin (see the module docstring)."""
    total = len(np.asarray(p))
    if total == 0:
        return 0.0
    return float(sum(c["n"] / total * abs(c["observed_rate"] - c["mean_predicted"]) for c in calibration_curve(y, p, n_bins)))


def evaluate(y: np.ndarray, p: np.ndarray) -> dict:
    """All the metrics above as a JSON-serialisable dict (AUCs are None when only one class is present)."""
    y = np.asarray(y)
    both = len(np.unique(y)) == 2
    return {
        "n": len(y),
        "positives": int(np.sum(y)),
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "pr_auc": float(average_precision_score(y, p)) if both else None,
        "brier": brier_score(y, p),
        "ece": expected_calibration_error(y, p),
        "calibration_curve": calibration_curve(y, p),
    }
