"""The transparent rule-based risk score: the fallback with too little history, and the benchmark.

A partner collects points for each rule that fires; the score is ``points / maximum points`` of the
rules whose column exists in the table, a number in [0, 1] that ranks partners but is **not** a
calibrated probability. Default rules (column names of the synthetic tenant and of the product's
feature extraction):

====================================  ======  ==============================================
rule                                  points  fires when
====================================  ======  ==============================================
no login in 60 days                   3       days_since_last_login ≥ 60
logins down more than 50 %            2       login_trend_log < log(0.5)
a certification lapsed (90 days)      2       certs_lapsed_90d ≥ 1
no registration in 120 days           1       days_since_last_registration ≥ 120
====================================  ======  ==============================================

The minimum history for a trained model (:func:`enough_history`): at least 200 labelled training rows,
20 positives and 20 negatives in training, and 5 positives and 5 negatives in the test period. Below
that the tenant gets this score and the screen says why (the reason string).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_TRAIN_ROWS = 200
MIN_TRAIN_POSITIVES = 20
MIN_TRAIN_NEGATIVES = 20
MIN_TEST_POSITIVES = 5
MIN_TEST_NEGATIVES = 5

_OPS = {">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le}


@dataclass(frozen=True)
class Rule:
    feature: str
    op: str  # one of >=, >, <, <=
    threshold: float
    points: int
    sentence: str

    def fires(self, table: pd.DataFrame) -> np.ndarray:
        return _OPS[self.op](table[self.feature].to_numpy(dtype=np.float64), self.threshold)


DEFAULT_RULES = (
    Rule("days_since_last_login", ">=", 60, 3, "no login in 60 days"),
    Rule("login_trend_log", "<", math.log(0.5), 2, "logins down more than 50 %"),
    Rule("certs_lapsed_90d", ">=", 1, 2, "a certification lapsed in the last 90 days"),
    Rule("days_since_last_registration", ">=", 120, 1, "no registration in 120 days"),
)


def applicable_rules(columns, rules=DEFAULT_RULES) -> list[Rule]:
    return [r for r in rules if r.feature in set(columns)]


def rule_based_risk(table: pd.DataFrame, rules=DEFAULT_RULES) -> np.ndarray:
    """Points of the firing rules over the maximum points of the applicable rules, per row, in [0, 1].

    Raises ValueError if none of the rules' columns is in the table.
    """
    usable = applicable_rules(table.columns, rules)
    if not usable:
        raise ValueError("none of the rule-based risk columns is present: " + ", ".join(r.feature for r in rules))
    points = np.zeros(len(table))
    for rule in usable:
        points += rule.points * rule.fires(table)
    return points / sum(r.points for r in usable)


def rule_based_reasons(table: pd.DataFrame, rules=DEFAULT_RULES) -> list[list[str]]:
    """For each row, the sentences of the rules that fired, most points first."""
    usable = sorted(applicable_rules(table.columns, rules), key=lambda r: -r.points)
    fired = [rule.fires(table) for rule in usable]
    return [[rule.sentence for rule, f in zip(usable, fired, strict=True) if f[i]] for i in range(len(table))]


def enough_history(train_labels, test_labels=None) -> tuple[bool, str]:
    """Whether a model may be trained and evaluated; the reason states the numbers either way."""
    train = np.asarray(train_labels)
    test = np.asarray(test_labels) if test_labels is not None else np.zeros(0)
    pos, neg = int((train == 1).sum()), int((train == 0).sum())
    tpos, tneg = int((test == 1).sum()), int((test == 0).sum())
    problems = []
    if len(train) < MIN_TRAIN_ROWS:
        problems.append(f"{len(train)} labelled training rows (need {MIN_TRAIN_ROWS})")
    if pos < MIN_TRAIN_POSITIVES:
        problems.append(f"{pos} inactive partners in training (need {MIN_TRAIN_POSITIVES})")
    if neg < MIN_TRAIN_NEGATIVES:
        problems.append(f"{neg} active partners in training (need {MIN_TRAIN_NEGATIVES})")
    if test_labels is not None:
        if tpos < MIN_TEST_POSITIVES:
            problems.append(f"{tpos} inactive partners in the test period (need {MIN_TEST_POSITIVES})")
        if tneg < MIN_TEST_NEGATIVES:
            problems.append(f"{tneg} active partners in the test period (need {MIN_TEST_NEGATIVES})")
    if problems:
        return False, "Too little history for a trained model: " + "; ".join(problems) + ". Using the rule-based risk score."
    return True, f"{len(train)} training rows with {pos} inactive partners; {len(test)} test rows with {tpos} inactive."
