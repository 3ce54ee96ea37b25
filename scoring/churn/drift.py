"""Drift check: has the live feature distribution moved away from what the model was trained on?

At training time :func:`reference` records, for each feature, bin edges at the deciles of the training
rows (observed values, ``method="lower"``; duplicates dropped, so a feature with few distinct values
gets fewer bins) and the share of training rows in each bin, with one more bin for missing values. At prediction time :func:`check`
puts the live rows in the same bins and computes the **population stability index** per feature:

    PSI = Σ_b (live_b − train_b) · ln(live_b / train_b)

over the bins b, with each share floored at 0.0001 so an empty bin counts as rare, not impossible.
Conventional reading (and the flags used here): below 0.1 stable, 0.1 to 0.25 a moderate shift,
0.25 or more a significant shift: the model is scoring a population it has not seen, and the
manager is told to retrain and to read its probabilities with care.
"""

from __future__ import annotations

import numpy as np

FLOOR = 1e-4
MODERATE = 0.1
SIGNIFICANT = 0.25


def _shares(values: np.ndarray, edges: list[float]) -> np.ndarray:
    """Shares of ``values`` in the bins (−∞, e1), [e1, e2) … [ek, ∞) and the missing bin (last)."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    bins = np.searchsorted(np.asarray(edges, dtype=np.float64), values[~missing], side="right")
    counts = np.bincount(bins, minlength=len(edges) + 1).astype(np.float64)
    counts = np.append(counts, missing.sum())
    return counts / max(len(values), 1)


def reference(matrix: np.ndarray, features: list[str]) -> dict:
    """Bin edges and training shares per feature (JSON-serialisable)."""
    out = {}
    for j, name in enumerate(features):
        column = np.asarray(matrix[:, j], dtype=np.float64)
        present = column[~np.isnan(column)]
        edges = np.unique(np.quantile(present, np.linspace(0.1, 0.9, 9), method="lower")).tolist() if len(present) else []
        out[name] = {"edges": edges, "shares": _shares(column, edges).tolist()}
    return out


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    e = np.maximum(np.asarray(expected, dtype=np.float64), FLOOR)
    a = np.maximum(np.asarray(actual, dtype=np.float64), FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def level(value: float) -> str:
    return "significant" if value >= SIGNIFICANT else "moderate" if value >= MODERATE else "stable"


def check(ref: dict, matrix: np.ndarray, features: list[str]) -> dict:
    """PSI per feature of the live ``matrix`` against ``ref``, largest first, and the overall flag."""
    rows = []
    for j, name in enumerate(features):
        if name not in ref:
            continue
        value = psi(ref[name]["shares"], _shares(matrix[:, j], ref[name]["edges"]))
        rows.append({"feature": name, "psi": round(value, 4), "level": level(value)})
    rows.sort(key=lambda r: -r["psi"])
    worst = rows[0]["psi"] if rows else 0.0
    return {
        "rows": len(matrix),
        "features": rows,
        "flag": level(worst),
        "shifted": [r["feature"] for r in rows if r["psi"] >= SIGNIFICANT],
    }
