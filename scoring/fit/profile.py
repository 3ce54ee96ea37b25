"""The ideal partner profile: which traits are common among a tenant's top performers, and how closely a
candidate (an applicant, a prospect partner) shares them. Pure numpy and pandas.

**Input.** A table of member partners, one row each, with trait columns and a boolean ``top``:

- categorical traits (one value or missing): ``partner_type``, ``country``, ``size`` (the expected
  deal volume of the partner's application);
- multi-valued traits (a list, possibly empty): ``regions``, ``capabilities``.

A missing value (None, NaN, ``""``, an empty list) is no evidence: the trait is skipped.

**Top performers** (:func:`top_performers`, applied by :mod:`scoring.fit_service`): among the
*eligible* members — active partners at least 180 days in the program — the top quartile by
closed-won revenue of the last 365 days: the first ``ceil(n / 4)`` by revenue (ties broken by the
table's order, i.e. partner id), of which only those with revenue > 0 count. Everyone else eligible
is "the others". **Minimum history** (:func:`enough_history`): at least 8 eligible partners and 2 top
performers; below that there is no profile, and the reason says so with the numbers.

**Model: smoothed weight of evidence.** For each trait value ``v`` seen among the members, with
``n_top`` top performers and ``n_rest`` others, of which ``top_with_v`` and ``rest_with_v`` have ``v``::

    woe(v) = ln((top_with_v + α) / (n_top + 2α)) − ln((rest_with_v + α) / (n_rest + 2α)),   α = 1

``exp(woe(v))`` is how many times as common ``v`` is among top performers as among the others
(smoothed, so one partner never makes an infinite ratio). A candidate's evidence is the sum over its
trait values (a value no member has: 0; a missing trait: skipped)::

    log_odds = Σ_v woe(v)          fit = 100 · sigmoid(log_odds) = 100 / (1 + exp(−log_odds))

so 50 means no evidence either way, above 50 the candidate looks like the top performers, below it
like the others. Traits are summed as if independent (naive Bayes): correlated traits (a country and
its region) count twice, which is why the score is a ranking aid and the page shows its reasons.

**Reasons** (:meth:`FitProfile.reasons`): the candidate's trait values with the largest ``|woe|``,
at most three, each as a sentence with its ratio ("Managed service providers are 2.3× as common among
top performers as among the others", "Few top performers work in Asia Pacific (0.4×)"); values with
``|woe| < 0.1`` (a ratio within about 10 % of 1) never make a sentence.

**Honesty check**: how well the profile separates top performers from the others on members it did
not see, as a ROC AUC (0.5 is chance, 1 is perfect). :func:`leave_one_out_auc` scores every member
by the profile built without it (its own counts removed from the totals, vectorised).
Leave-one-out is known to read *low* for AUC when a trait carries no signal (removing a top performer
lowers the evidence of exactly its own values), so :func:`leave_pair_out_auc` is computed too: each
(top performer, other) pair scored by the profile built without both, which is nearly unbiased.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

CATEGORICAL_TRAITS = ("partner_type", "country", "size")
MULTI_VALUED_TRAITS = ("regions", "capabilities")
TRAITS = ("partner_type", "capabilities", "regions", "country", "size")  # display order
ALPHA = 1.0
TOP_SHARE = 4  # the top quartile: ceil(n / 4)
MIN_DAYS_IN_PROGRAM = 180
REVENUE_WINDOW_DAYS = 365
MIN_ELIGIBLE = 8
MIN_TOP = 2
MIN_EFFECT = 0.1  # |woe| below this never makes a sentence (a ratio within ~10 % of 1)
MAX_REASONS = 3

# Sentences per trait: {label} as given, {lower} with a lower-case first letter, {ratio} like "2.3".
MORE_COMMON = {
    "partner_type": "{label} are {ratio}× as common among top performers as among the others",
    "capabilities": "Partners offering {lower} are {ratio}× as common among top performers as among the others",
    "regions": "Partners working in {label} are {ratio}× as common among top performers as among the others",
    "country": "Partners based in {label} are {ratio}× as common among top performers as among the others",
    "size": "Partners expecting {lower} are {ratio}× as common among top performers as among the others",
}
FEW_TOP = {
    "partner_type": "Few top performers are {lower} ({ratio}×)",
    "capabilities": "Few top performers offer {lower} ({ratio}×)",
    "regions": "Few top performers work in {label} ({ratio}×)",
    "country": "Few top performers are based in {label} ({ratio}×)",
    "size": "Few top performers expected {lower} ({ratio}×)",
}

Labels = Mapping[str, Mapping[str, str]]  # trait -> value -> what a person reads


def top_performers(revenue: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Who is a top performer: the first ``ceil(n / 4)`` eligible rows by revenue (stable: ties keep the
    table's order), of those only the ones with revenue > 0."""
    revenue = np.asarray(revenue, dtype=np.float64)
    eligible = np.asarray(eligible, dtype=bool)
    top = np.zeros(len(revenue), dtype=bool)
    candidates = np.flatnonzero(eligible)
    if not len(candidates):
        return top
    quota = math.ceil(len(candidates) / TOP_SHARE)
    ranked = candidates[np.argsort(-revenue[candidates], kind="stable")][:quota]
    top[ranked[revenue[ranked] > 0]] = True
    return top


def enough_history(n_eligible: int, n_top: int) -> tuple[bool, str]:
    """Whether a profile may be built; the reason states the numbers either way."""
    problems = []
    if n_eligible < MIN_ELIGIBLE:
        problems.append(f"{n_eligible} active partners at least {MIN_DAYS_IN_PROGRAM} days in the program (need {MIN_ELIGIBLE})")
    if n_top < MIN_TOP:
        problems.append(f"{n_top} top performers with closed-won revenue in the last {REVENUE_WINDOW_DAYS} days (need {MIN_TOP})")
    if problems:
        return False, "Too little history for an ideal partner profile: " + "; ".join(problems) + "."
    return True, f"{n_top} top performers among {n_eligible} active partners at least {MIN_DAYS_IN_PROGRAM} days in the program."


def _present(value) -> bool:
    if value is None or value == "":
        return False
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):  # an array-like: not a scalar missing value
        return True


def trait_values(table: pd.DataFrame) -> pd.DataFrame:
    """The table as (row, trait, value) triples: one per present categorical value and per distinct
    member of a multi-valued list; missing values give none."""
    rows, traits, values = [], [], []
    for trait in CATEGORICAL_TRAITS:
        if trait not in table:
            continue
        for row, value in enumerate(table[trait].tolist()):
            if _present(value):
                rows.append(row)
                traits.append(trait)
                values.append(str(value))
    for trait in MULTI_VALUED_TRAITS:
        if trait not in table:
            continue
        for row, items in enumerate(table[trait].tolist()):
            if items is None or (not isinstance(items, list | tuple | set | np.ndarray) and not _present(items)):
                continue
            for value in sorted({str(item) for item in items if _present(item)}):
                rows.append(row)
                traits.append(trait)
                values.append(value)
    return pd.DataFrame({"row": np.array(rows, dtype=np.int64), "trait": traits, "value": values})


def woe(top_with: np.ndarray, rest_with: np.ndarray, n_top, n_rest, alpha: float = ALPHA) -> np.ndarray:
    """``ln((top_with + α)/(n_top + 2α)) − ln((rest_with + α)/(n_rest + 2α))``, element-wise."""
    top_with, rest_with = np.asarray(top_with, dtype=np.float64), np.asarray(rest_with, dtype=np.float64)
    return np.log((top_with + alpha) / (np.asarray(n_top) + 2 * alpha)) - np.log(
        (rest_with + alpha) / (np.asarray(n_rest) + 2 * alpha)
    )


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, dtype=np.float64), -500, 500)))


def format_ratio(ratio: float) -> str:
    return f"{ratio:.1f}" if ratio >= 0.1 else f"{ratio:.2f}"


def sentence(trait: str, label: str, effect: float) -> str:
    """The reason sentence of one trait value with weight of evidence ``effect``."""
    template = (MORE_COMMON if effect > 0 else FEW_TOP).get(trait)
    ratio = format_ratio(math.exp(effect))
    if template is None:
        return f"{trait} {label}: {ratio}× as common among top performers"
    return template.format(label=label, lower=label[:1].lower() + label[1:], ratio=ratio)


def _label(labels: Labels | None, trait: str, value: str) -> str:
    return str((labels or {}).get(trait, {}).get(value, value))


@dataclass
class FitProfile:
    """The counts of every trait value among top performers and the others, and α. Picklable (the
    registry stores it with joblib); the weights of evidence are derived from the counts."""

    n_top: int
    n_rest: int
    alpha: float = ALPHA
    counts: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)  # trait -> value -> (top, rest)

    @classmethod
    def fit(cls, table: pd.DataFrame, *, alpha: float = ALPHA) -> FitProfile:
        """Count each trait value among the rows with ``top`` and the others."""
        top = table["top"].to_numpy(dtype=bool)
        long = trait_values(table)
        long["top"] = top[long["row"].to_numpy()] if len(long) else np.zeros(0, dtype=bool)
        counts: dict[str, dict[str, tuple[int, int]]] = {}
        if len(long):
            grouped = long.groupby(["trait", "value"])["top"].agg(["sum", "count"])
            for (trait, value), (n_with_top, n_with) in grouped.iterrows():
                counts.setdefault(trait, {})[value] = (int(n_with_top), int(n_with - n_with_top))
        return cls(n_top=int(top.sum()), n_rest=int((~top).sum()), alpha=alpha, counts=counts)

    def frame(self) -> pd.DataFrame:
        """Every trait value seen: trait, value, top, rest, woe."""
        records = [(t, v, c[0], c[1]) for t, values in self.counts.items() for v, c in values.items()]
        frame = pd.DataFrame(records, columns=["trait", "value", "top", "rest"])
        frame["woe"] = woe(frame["top"].to_numpy(), frame["rest"].to_numpy(), self.n_top, self.n_rest, self.alpha)
        return frame

    def woe(self, trait: str, value: str) -> float:
        """The weight of evidence of one value (0 for a value no member has)."""
        found = self.counts.get(trait, {}).get(str(value))
        if found is None:
            return 0.0
        return float(woe(found[0], found[1], self.n_top, self.n_rest, self.alpha))

    def _evidence(self, table: pd.DataFrame) -> pd.DataFrame:
        long = trait_values(table)
        frame = self.frame()[["trait", "value", "woe"]]
        merged = long.merge(frame, on=["trait", "value"], how="left")
        merged["woe"] = merged["woe"].fillna(0.0)
        return merged

    def log_odds(self, table: pd.DataFrame) -> np.ndarray:
        """Σ woe over each row's trait values."""
        evidence = self._evidence(table)
        return np.bincount(evidence["row"].to_numpy(dtype=np.int64), weights=evidence["woe"].to_numpy(), minlength=len(table))

    def score(self, table: pd.DataFrame) -> np.ndarray:
        """The fit of each row, 0–100 (50: no evidence either way)."""
        return 100.0 * sigmoid(self.log_odds(table))

    def reasons(self, table: pd.DataFrame, *, labels: Labels | None = None, k: int = MAX_REASONS) -> list[list[dict]]:
        """For each row, its ``k`` trait values with the largest ``|woe|`` (≥ 0.1), strongest first:
        ``{trait, value, label, sentence, effect, ratio}``."""
        evidence = self._evidence(table)
        evidence = evidence[evidence["woe"].abs() >= MIN_EFFECT].copy()
        evidence["strength"] = -evidence["woe"].abs()
        evidence = evidence.sort_values(["row", "strength", "trait", "value"]).groupby("row").head(k)
        out: list[list[dict]] = [[] for _ in range(len(table))]
        for row, trait, value, effect in evidence[["row", "trait", "value", "woe"]].itertuples(index=False):
            label = _label(labels, trait, value)
            out[int(row)].append(
                {
                    "trait": trait,
                    "value": value,
                    "label": label,
                    "sentence": sentence(trait, label, float(effect)),
                    "effect": round(float(effect), 4),
                    "ratio": round(math.exp(float(effect)), 3),
                }
            )
        return out

    def summary(self, *, labels: Labels | None = None, k: int = 5) -> dict:
        """Per trait, the values most over-represented among top performers (``woe ≥ 0.1``, largest
        first, at most ``k``), with their counts, shares and ratios."""
        frame = self.frame()
        traits: dict[str, list[dict]] = {}
        for trait in TRAITS:
            rows = frame[(frame["trait"] == trait) & (frame["woe"] >= MIN_EFFECT)].sort_values(
                ["woe", "value"], ascending=[False, True]
            )
            traits[trait] = [
                {
                    "value": value,
                    "label": _label(labels, trait, value),
                    "top": int(top),
                    "rest": int(rest),
                    "share_top": round(top / self.n_top, 4) if self.n_top else None,
                    "share_rest": round(rest / self.n_rest, 4) if self.n_rest else None,
                    "effect": round(float(effect), 4),
                    "ratio": round(math.exp(float(effect)), 3),
                    "sentence": sentence(trait, _label(labels, trait, value), float(effect)),
                }
                for value, top, rest, effect in rows[["value", "top", "rest", "woe"]].head(k).itertuples(index=False)
            ]
        return {"n_top": self.n_top, "n_rest": self.n_rest, "alpha": self.alpha, "traits": traits}


def leave_one_out_log_odds(table: pd.DataFrame, *, alpha: float = ALPHA) -> np.ndarray:
    """Each row's log-odds under the profile built from all the *other* rows.

    Vectorised: a row's own contribution is removed from the counts of its values and from its
    group's total; a value that only this row had is then unseen (woe 0), as it would be.
    """
    top = table["top"].to_numpy(dtype=bool)
    n_top, n_rest = int(top.sum()), int((~top).sum())
    long = trait_values(table)
    if not len(long):
        return np.zeros(len(table))
    key = long["trait"] + "\x1f" + long["value"]
    codes, _uniques = pd.factorize(key)
    row = long["row"].to_numpy(dtype=np.int64)
    own_top = top[row].astype(np.float64)
    top_with = np.bincount(codes, weights=own_top)[codes] - own_top
    rest_with = np.bincount(codes, weights=1.0 - own_top)[codes] - (1.0 - own_top)
    weights = woe(top_with, rest_with, n_top - own_top, n_rest - (1.0 - own_top), alpha)
    weights = np.where(top_with + rest_with == 0, 0.0, weights)
    return np.bincount(row, weights=weights, minlength=len(table))


def leave_one_out_auc(table: pd.DataFrame, *, alpha: float = ALPHA) -> float | None:
    """ROC AUC of the leave-one-out fit scores against ``top`` (None with only one class)."""
    from sklearn.metrics import roc_auc_score

    top = table["top"].to_numpy(dtype=bool)
    if top.all() or not top.any():
        return None
    return float(roc_auc_score(top, 100.0 * sigmoid(leave_one_out_log_odds(table, alpha=alpha))))


def _indicators(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows × distinct values 0/1 matrix, count among top performers, count among the others)."""
    top = table["top"].to_numpy(dtype=bool)
    long = trait_values(table)
    codes, uniques = pd.factorize(long["trait"] + "\x1f" + long["value"])
    matrix = np.zeros((len(table), len(uniques)))
    matrix[long["row"].to_numpy(dtype=np.int64), codes] = 1.0
    return matrix, matrix[top].sum(axis=0), matrix[~top].sum(axis=0)


def leave_pair_out_auc(table: pd.DataFrame, *, alpha: float = ALPHA, chunk: int = 512) -> float | None:
    """ROC AUC by leaving out pairs: for every (top performer i, other j), both are scored by the profile
    built without the two of them, and the pair counts 1 if i scores higher, ½ on a tie.

    Unlike leave-one-out, this is (nearly) unbiased for AUC (Airola et al., "An experimental comparison
    of cross-validation techniques for estimating the area under the ROC curve", CSDA 2011):
    leave-one-out lowers every top performer's evidence a little and every other's a little, which for
    traits with no signal pushes the AUC below 0.5. Vectorised: with ``X`` the rows' 0/1 value matrix,
    the pair scores are two matrix products. None with only one class.
    """
    top = table["top"].to_numpy(dtype=bool)
    n_top, n_rest = int(top.sum()), int((~top).sum())
    if not n_top or not n_rest:
        return None
    matrix, top_with, rest_with = _indicators(table)
    nt, nr = n_top - 1, n_rest - 1

    def w(t: np.ndarray, r: np.ndarray) -> np.ndarray:
        # A negative count is a case that never arises (a value of i that no top performer has): 0.
        possible = (t >= 0) & (r >= 0)
        weights = woe(np.maximum(t, 0), np.maximum(r, 0), nt, nr, alpha)
        return np.where(possible & (t + r > 0), weights, 0.0)

    without_i = w(top_with - 1, rest_with)  # a value of i that j lacks
    without_both = w(top_with - 1, rest_with - 1)  # a value both have
    without_j = w(top_with, rest_with - 1)  # a value of j that i lacks
    x_top, x_rest = matrix[top], matrix[~top]
    rest_base = x_rest @ without_j  # each j's score when i shares none of its values
    correct = 0.0
    for start in range(0, n_top, chunk):
        xi = x_top[start : start + chunk]
        score_i = (xi @ without_i)[:, None] + (xi * (without_both - without_i)) @ x_rest.T
        score_j = rest_base[None, :] + xi @ (x_rest * (without_both - without_j)).T
        difference = score_i - score_j
        correct += float((difference > 1e-9).sum()) + 0.5 * float((np.abs(difference) <= 1e-9).sum())
    return correct / (n_top * n_rest)


def describe_top(table: pd.DataFrame, columns: tuple[str, ...] = ("certified_people", "time_to_value_days")) -> dict:
    """Medians of descriptive columns for top performers and the others (shown, never scored: applicants
    do not have them). None where a group has no value."""
    top = table["top"].to_numpy(dtype=bool)
    out = {}
    for column in columns:
        if column not in table:
            continue
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64)

        def median(mask: np.ndarray, values: np.ndarray = values) -> float | None:
            chosen = values[mask & ~np.isnan(values)]
            return round(float(np.median(chosen)), 1) if len(chosen) else None

        out[column] = {"top": median(top), "others": median(~top)}
    return out


def table_hash(table: pd.DataFrame) -> str:
    """SHA-256 of the table as JSON (rows in the table's order): the registry's training data hash."""
    return hashlib.sha256(table.to_json(orient="split", index=False).encode()).hexdigest()
