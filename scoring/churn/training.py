"""Train, calibrate, evaluate and explain a churn model on any table of features, a 0/1 label and a time.

The pipeline (:func:`train_churn_model`), every split by time, never shuffled across it:

1. **Test period**: rows with ``time ≥ test_from`` (default: the last quarter of the distinct time
   values). Training uses only the rows before it; the test period is touched once, for the metrics.
2. **Training rows** are split again by time: the earlier ~70 % of their distinct time values *fit* the
   candidates; the later ~30 % (the *calibration slice*) both **selects** the candidate (highest ROC AUC
   there) and **calibrates** the chosen one. The final model is the candidate fitted on the fit slice
   plus the calibrator fitted on the calibration slice (no refit on all training rows: the calibrator
   must see rows the model did not).
3. **Candidates**: logistic regression on standardised features (``StandardScaler`` + ``LogisticRegression``,
   L2, C = 1; missing values imputed with the fit-slice median) and gradient boosting
   (``HistGradientBoostingClassifier``: 100 iterations, learning rate 0.075, at most 15 leaves a tree, at
   least 100 rows a leaf, L2 penalty 1, early stopping off, missing values handled natively).
4. **Calibration**: ``CalibratedClassifierCV(FrozenEstimator(model), method=...)`` on the calibration
   slice; ``sigmoid`` (Platt scaling, the default: two parameters, smooth, steady on a slice of a few thousand rows) or ``isotonic``.
5. **Metrics** on the test period (:mod:`scoring.churn.metrics`: ROC AUC, PR AUC, Brier, ECE over 10
   equal-width bins, calibration curve), and those of the rule-based baseline when its columns exist.

**Explanations** (:meth:`ChurnModel.contributions`): for row x and feature j, the contribution is
``p(x) − p(x with x_j replaced by the training median of j)``, the change in the calibrated probability
when that one feature is made typical. Model-agnostic, deterministic, in probability points; positive
raises the risk. Global importance of a feature is the mean absolute contribution over the evaluated rows.
It is a one-at-a-time measure: with correlated features (logins over 30 and 60 days) the credit is shared
unevenly and the contributions do not sum to ``p(x) − p(median row)``.

**Data hash**: sha256 of the float64 C-order bytes of the training feature matrix (fit and calibration
slices, columns in the recorded order, NaN as stored) followed by the int8 bytes of the labels.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .metrics import evaluate
from .rules import applicable_rules, enough_history, rule_based_risk

TEST_FRACTION = 0.25
CALIBRATION_FRACTION = 0.3
IMPORTANCE_ROWS = 5000
CONTRIBUTION_CELLS = 200_000  # rows × (features + 1) predicted per call when explaining


class NotEnoughHistory(ValueError):
    """Raised instead of training when :func:`scoring.churn.rules.enough_history` says no."""


def candidate_models(random_state: int = 0) -> dict[str, object]:
    return {
        "logistic_regression": make_pipeline(
            SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(C=1.0, max_iter=1000)
        ),
        # Regularised (small trees, large leaves, slow rate): with the defaults (31 leaves, 20 rows a leaf)
        # it fits noise columns on a few tens of thousands of rows and ranks them above real drivers.
        "gradient_boosting": HistGradientBoostingClassifier(
            max_iter=100,
            learning_rate=0.075,
            max_leaf_nodes=15,
            min_samples_leaf=100,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=random_state,
        ),
    }


# A driver sentence: a template with {value}, {median}, {pct} (|value| as a percentage) fields, or a function
# (value, median) -> str. Default templates for the synthetic tenant's feature names.
DriverSentence = str | Callable[[float, float], str]


def _trend(value: float, median: float) -> str:
    change = (math.exp(value) - 1.0) * 100.0
    direction = "down" if change < 0 else "up"
    return f"logins {direction} {abs(change):.0f} % over 60 days (last 30 days against the 60 before)"


def _count(noun: str, suffix: str, plural: str | None = None) -> Callable[[float, float], str]:
    def sentence(value: float, median: float) -> str:
        n = round(value)
        words = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
        return f"{words.get(n, str(n))} {noun if n == 1 else plural or noun + 's'} {suffix}".strip()

    return sentence


def _days(what: str) -> Callable[[float, float], str]:
    def sentence(value: float, median: float) -> str:
        if value > 365:
            return f"no {what} in over a year"
        return f"no {what} in {value:.0f} days" if value == 365 else f"last {what} {value:.0f} days ago"

    return sentence


def _typical(noun: str, suffix: str) -> Callable[[float, float], str]:
    """ "1 registration in 90 days (typical 3)": the count against the training median, plural when not one."""

    def sentence(value: float, median: float) -> str:
        n, m = round(value), round(median)
        return f"{n} {noun}{'' if n == 1 else 's'} {suffix} (typical {m})"

    return sentence


def _money(what: str) -> Callable[[float, float], str]:
    def sentence(value: float, median: float) -> str:
        return f"{what} {value:,.0f} (typical {median:,.0f})"

    return sentence


DEFAULT_DRIVER_SENTENCES: dict[str, DriverSentence] = {
    "login_trend_log": _trend,
    "days_since_last_login": _days("login"),
    "days_since_last_registration": _days("registration"),
    "days_since_last_cert_lapse": _days("certification lapse"),
    "certs_lapsed_90d": _count("certification", "expired in the last 90 days"),
    "certs_lapsed_365d": _count("certification", "expired in the last year"),
    "certs_expiring_90d": _count("certification", "expiring in the next 90 days"),
    "certs_active": _count("active certification", ""),
    "logins_30d": _typical("login", "in 30 days"),
    "logins_60d": _typical("login", "in 60 days"),
    "logins_90d": _typical("login", "in 90 days"),
    "registrations_90d": _typical("registration", "in 90 days"),
    "registrations_180d": _typical("registration", "in 180 days"),
    "registrations_365d": _typical("registration", "in the last year"),
    "decided_365d": _typical("registration", "decided in the last year"),
    "wins_365d": _typical("deal", "won in the last year"),
    "login_days_30d": "logged in on {value:.0f} days of the last 30 (typical {median:.0f})",
    "login_days_90d": "logged in on {value:.0f} days of the last 90 (typical {median:.0f})",
    "win_rate_365d": "win rate {pct:.0f} % over the last year",
    # the platform's own churn table (scoring.churn_features)
    "courses_completed_90d": _typical("course", "completed in 90 days"),
    "certified_people": _count("person", "certified now", "people"),
    "certifications_expiring": _count("person", "whose certifications all expire within 60 days", "people"),
    "registrations_approved": _typical("registration", "approved in the last year"),
    "registrations_rejected": _typical("registration", "rejected in the last year"),
    "deals_won": _typical("deal", "won in the last year"),
    "deals_lost": _typical("deal", "lost in the last year"),
    "days_to_close": "median {value:.0f} days from registration to win (typical {median:.0f})",
    "revenue_recent": _money("won revenue in the last 180 days"),
    "revenue_previous": _money("won revenue 181–365 days ago"),
    "interventions_90d": _count("intervention", "in the last 90 days"),
}


# When the value is missing (NaN: nothing of the kind recorded yet).
MISSING_SENTENCES = {
    "days_since_last_login": "no login recorded",
    "days_since_last_registration": "no registration recorded",
    "days_to_close": "no deal won in the last year",
}


def driver_sentence(feature: str, value: float, median: float, sentences: Mapping[str, DriverSentence] | None = None) -> str:
    if math.isnan(value):
        return MISSING_SENTENCES.get(feature, f"{feature}: no data")
    template = (sentences if sentences is not None else DEFAULT_DRIVER_SENTENCES).get(feature)
    if template is None:
        return f"{feature} = {value:g} (typical {median:g})"
    if callable(template):
        return template(value, median)
    return template.format(value=value, median=median, pct=abs(value) * 100.0)


@dataclass(frozen=True)
class Driver:
    feature: str
    contribution: float  # probability points; > 0 raises the risk
    value: float
    sentence: str

    @property
    def sign(self) -> str:
        return "+" if self.contribution > 0 else "−"


@dataclass
class ChurnModel:
    """A fitted, calibrated model with the medians its explanations replace features by."""

    name: str
    features: list[str]
    medians: np.ndarray
    calibrated: object

    def _matrix(self, table: pd.DataFrame | np.ndarray) -> np.ndarray:
        if isinstance(table, pd.DataFrame):
            return table[self.features].to_numpy(dtype=np.float64)
        return np.asarray(table, dtype=np.float64)

    def predict_proba(self, table: pd.DataFrame | np.ndarray) -> np.ndarray:
        return self.calibrated.predict_proba(self._matrix(table))[:, 1]

    def contributions(self, table: pd.DataFrame | np.ndarray) -> np.ndarray:
        """(rows, features): p(x) − p(x with feature j at its training median). See the module docstring."""
        x = self._matrix(table)
        n, f = x.shape
        out = np.empty_like(x)
        # One predict call per chunk of rows on a stacked matrix (the rows, then f copies each with one
        # column at its median): a few large calls instead of f + 1 small ones, which keeps the model's
        # thread pool busy instead of waking it 33 times.
        chunk = max(1, CONTRIBUTION_CELLS // (f + 1))
        for start in range(0, n, chunk):
            rows = x[start : start + chunk]
            stacked = np.tile(rows, (f + 1, 1))
            m = len(rows)
            for j in range(f):
                stacked[(j + 1) * m : (j + 2) * m, j] = self.medians[j]
            p = self.predict_proba(stacked).reshape(f + 1, m)
            out[start : start + m] = (p[0] - p[1:]).T
        return out

    def explain(
        self, table: pd.DataFrame, top: int = 3, sentences: Mapping[str, DriverSentence] | None = None
    ) -> list[list[Driver]]:
        """For each row, the ``top`` features that raise its risk most (positive contributions only)."""
        x = self._matrix(table)
        c = self.contributions(x)
        order = np.argsort(-c, axis=1, kind="stable")[:, :top]
        return [
            [
                Driver(
                    self.features[j],
                    float(c[i, j]),
                    float(x[i, j]),
                    driver_sentence(self.features[j], x[i, j], self.medians[j], sentences),
                )
                for j in order[i]
                if c[i, j] > 0
            ]
            for i in range(len(x))
        ]


@dataclass
class TrainingResult:
    """What a training run records (``to_dict`` is JSON-serialisable)."""

    chosen: str
    features: list[str]
    label: str
    time_column: str
    window: dict  # fit_from, fit_to, calibration_from, calibration_to, test_from, test_to (ISO strings)
    rows: dict  # fit / calibration / test row counts
    positives: dict
    candidates: dict  # name → {fit_seconds, validation_roc_auc}
    calibration_method: str
    data_hash: str
    test_metrics: dict
    baseline_metrics: dict | None
    true_probability_metrics: dict | None
    importance: list[dict]  # [{feature, mean_abs_contribution}] most important first
    history_check: str
    dropped_features: list[str] = field(default_factory=list)  # no value in the fit slice: left out
    timings: dict = field(default_factory=dict)
    model: ChurnModel | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("model")
        return d


def _iso(value) -> str:
    return pd.Timestamp(value).isoformat() if not isinstance(value, int | float | np.integer | np.floating) else str(value)


def data_hash(x: np.ndarray, y: np.ndarray) -> str:
    h = hashlib.sha256(np.ascontiguousarray(x, dtype=np.float64).tobytes())
    h.update(np.ascontiguousarray(y, dtype=np.int8).tobytes())
    return h.hexdigest()


def temporal_split(
    times: pd.Series, test_from=None, test_fraction: float = TEST_FRACTION
) -> tuple[np.ndarray, np.ndarray, object]:
    """Boolean masks (train, test) and the cut: test is ``time ≥ cut``, train ``time < cut``.

    Without ``test_from`` the cut is the first of the last ``ceil(test_fraction · distinct times)`` values.
    """
    distinct = np.sort(pd.unique(times))
    if test_from is None:
        if len(distinct) < 2:
            raise ValueError("need at least two distinct time values for a temporal split")
        n_test = max(1, math.ceil(test_fraction * len(distinct)))
        cut = distinct[len(distinct) - n_test]
    else:
        cut = pd.Timestamp(test_from) if np.issubdtype(np.asarray(distinct).dtype, np.datetime64) else test_from
    t = times.to_numpy()
    return t < cut, t >= cut, cut


def train_churn_model(
    table: pd.DataFrame,
    *,
    label: str,
    time_column: str,
    features: list[str] | None = None,
    test_from=None,
    calibration_method: str = "sigmoid",
    candidates: Mapping[str, object] | None = None,
    true_probability: str | None = None,
    random_state: int = 0,
) -> TrainingResult:
    """The pipeline in the module docstring. Raises NotEnoughHistory (nothing trained) when history is short."""
    started = time.perf_counter()
    excluded = {label, time_column} | ({true_probability} if true_probability else set())
    features = list(features) if features is not None else [c for c in table.columns if c not in excluded]
    times = table[time_column]
    train_mask, test_mask, cut = temporal_split(times, test_from)
    y_all = table[label].to_numpy().astype(np.int64)
    ok, reason = enough_history(y_all[train_mask], y_all[test_mask])
    if not ok:
        raise NotEnoughHistory(reason)

    train_times = np.sort(pd.unique(times[train_mask]))
    if len(train_times) < 2:
        raise NotEnoughHistory("Too little history for a trained model: the training period has a single time value.")
    n_cal = max(1, math.ceil(CALIBRATION_FRACTION * len(train_times)))
    cal_cut = train_times[len(train_times) - n_cal]
    t = times.to_numpy()
    fit_mask = train_mask & (t < cal_cut)
    cal_mask = train_mask & (t >= cal_cut)
    for name, mask in (("fit", fit_mask), ("calibration", cal_mask)):
        positives = int(y_all[mask].sum())
        if positives < 5 or mask.sum() - positives < 5:
            raise NotEnoughHistory(
                f"Too little history for a trained model: the {name} slice has {positives} positives of {int(mask.sum())} rows (need 5 of each class)."
            )

    x_all = table[features].to_numpy(dtype=np.float64)
    # A feature with no value at all in the fit slice cannot be learned from (and gradient boosting
    # refuses it): it is left out, and the result says so.
    observed = ~np.all(np.isnan(x_all[fit_mask]), axis=0)
    dropped = [name for name, keep in zip(features, observed, strict=True) if not keep]
    features = [name for name, keep in zip(features, observed, strict=True) if keep]
    x_all = x_all[:, observed]
    x_fit, y_fit = x_all[fit_mask], y_all[fit_mask]
    x_cal, y_cal = x_all[cal_mask], y_all[cal_mask]
    x_test, y_test = x_all[test_mask], y_all[test_mask]

    fitted, report = {}, {}
    for name, estimator in (candidates or candidate_models(random_state)).items():
        t0 = time.perf_counter()
        model = clone(estimator).fit(x_fit, y_fit)
        seconds = time.perf_counter() - t0
        fitted[name] = model
        report[name] = {
            "fit_seconds": seconds,
            "validation_roc_auc": float(roc_auc_score(y_cal, model.predict_proba(x_cal)[:, 1])),
        }
    chosen = max(report, key=lambda n: report[n]["validation_roc_auc"])
    t0 = time.perf_counter()
    calibrated = CalibratedClassifierCV(FrozenEstimator(fitted[chosen]), method=calibration_method).fit(x_cal, y_cal)
    calibration_seconds = time.perf_counter() - t0
    train_x = x_all[train_mask]
    model = ChurnModel(name=chosen, features=features, medians=np.nanmedian(x_fit, axis=0), calibrated=calibrated)
    fit_seconds = time.perf_counter() - started

    p_test = model.predict_proba(x_test)
    test_metrics = evaluate(y_test, p_test)
    baseline = None
    test_table = table.loc[test_mask]
    if applicable_rules(table.columns):
        baseline = evaluate(y_test, rule_based_risk(test_table))
    truth = evaluate(y_test, test_table[true_probability].to_numpy()) if true_probability else None

    t0 = time.perf_counter()
    sample = np.arange(len(x_test))
    if len(sample) > IMPORTANCE_ROWS:
        sample = np.sort(np.random.default_rng(random_state).choice(len(x_test), IMPORTANCE_ROWS, replace=False))
    importance_values = np.abs(model.contributions(x_test[sample])).mean(axis=0)
    importance = [
        {"feature": features[j], "mean_abs_contribution": float(importance_values[j])}
        for j in np.argsort(-importance_values, kind="stable")
    ]
    explain_seconds = time.perf_counter() - t0

    train_times_all = t[train_mask]
    return TrainingResult(
        chosen=chosen,
        features=features,
        label=label,
        time_column=time_column,
        window={
            "fit_from": _iso(train_times_all.min()),
            "fit_to": _iso(t[fit_mask].max()),
            "calibration_from": _iso(cal_cut),
            "calibration_to": _iso(train_times_all.max()),
            "test_from": _iso(cut),
            "test_to": _iso(t[test_mask].max()),
        },
        rows={"fit": int(fit_mask.sum()), "calibration": int(cal_mask.sum()), "test": int(test_mask.sum())},
        positives={"fit": int(y_fit.sum()), "calibration": int(y_cal.sum()), "test": int(y_test.sum())},
        candidates=report,
        calibration_method=calibration_method,
        data_hash=data_hash(train_x, y_all[train_mask]),
        test_metrics=test_metrics,
        baseline_metrics=baseline,
        true_probability_metrics=truth,
        importance=importance,
        history_check=reason,
        dropped_features=dropped,
        timings={
            "fit_and_calibrate_seconds": fit_seconds,
            "calibration_seconds": calibration_seconds,
            "importance_seconds": explain_seconds,
        },
        model=model,
    )
