"""Train and evaluate the churn pipeline on a CSV, for checking it on real churn data.

    manage.py churn_train_csv path.csv --label churned --time snapshot_date [--id customer_id] [--test-from 2024-07-01]

Every other numeric column is a feature (non-numeric columns are listed and ignored). The label must be
0/1 (or true/false); the time column must parse as dates or be numeric. Prints the training window,
row counts, each candidate's validation ROC AUC and fit time, the test-period metrics (and those of the
rule-based baseline when its columns exist) and the top features. ``--json`` prints the full result.
Bad input raises CommandError and trains nothing. No database access.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from scoring.churn.training import NotEnoughHistory, train_churn_model

TRUE_VALUES = {"1", "true", "yes", "t", "y"}
FALSE_VALUES = {"0", "false", "no", "f", "n"}


def _binary_label(column: pd.Series, name: str) -> pd.Series:
    if column.isna().any():
        raise CommandError(f"label column {name!r} has {int(column.isna().sum())} empty values")
    text = column.astype(str).str.strip().str.lower()
    text = text.where(~text.str.fullmatch(r"[01]\.0"), text.str[0])
    unknown = sorted(set(text) - TRUE_VALUES - FALSE_VALUES)
    if unknown:
        raise CommandError(f"label column {name!r} is not binary: found {', '.join(unknown[:5])} (expected 0/1 or true/false)")
    return text.isin(TRUE_VALUES).astype(np.int64)


def _time(column: pd.Series, name: str) -> pd.Series:
    values = column if pd.api.types.is_numeric_dtype(column) else pd.to_datetime(column, errors="coerce")
    if values.isna().any():
        raise CommandError(f"time column {name!r} has {int(values.isna().sum())} empty or unparseable values")
    return values


class Command(BaseCommand):
    help = "Train and evaluate the churn model on a CSV of features, a 0/1 label and a time column (no database)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--label", required=True, help="0/1 column: inactive / churned in the prediction horizon")
        parser.add_argument("--time", required=True, help="snapshot date (or number) of each row")
        parser.add_argument("--id", default=None, help="entity id column (excluded from the features)")
        parser.add_argument("--test-from", default=None, help="first time value of the test period (default: the last quarter)")
        parser.add_argument("--calibration", choices=["sigmoid", "isotonic"], default="sigmoid")
        parser.add_argument("--top", type=int, default=10, help="features to list")
        parser.add_argument("--json", action="store_true", help="print the full result as JSON")

    def handle(self, *args, **options):
        try:
            table = pd.read_csv(options["path"])
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {options['path']}: {error}") from error
        label, time_column, id_column = options["label"], options["time"], options["id"]
        missing = [c for c in (label, time_column, id_column) if c and c not in table.columns]
        if missing:
            raise CommandError(f"missing columns: {', '.join(missing)} (the file has: {', '.join(map(str, table.columns))})")
        table[label] = _binary_label(table[label], label)
        table[time_column] = _time(table[time_column], time_column)
        excluded = {label, time_column, id_column}
        features = [c for c in table.columns if c not in excluded and pd.api.types.is_numeric_dtype(table[c])]
        ignored = [c for c in table.columns if c not in excluded and c not in features]
        if not features:
            raise CommandError("no numeric feature columns")
        test_from = None
        if options["test_from"]:
            try:
                test_from = (
                    float(options["test_from"])
                    if pd.api.types.is_numeric_dtype(table[time_column])
                    else pd.Timestamp(options["test_from"])
                )
            except ValueError as error:
                raise CommandError(f"--test-from {options['test_from']!r} is not a valid time: {error}") from error
        try:
            result = train_churn_model(
                table,
                label=label,
                time_column=time_column,
                features=features,
                test_from=test_from,
                calibration_method=options["calibration"],
            )
        except NotEnoughHistory as error:
            raise CommandError(str(error)) from error
        except ValueError as error:
            raise CommandError(f"cannot train: {error}") from error

        if options["json"]:
            self.stdout.write(json.dumps(result.to_dict(), indent=2))
            return
        out = self.stdout.write
        if ignored:
            out(f"Ignored non-numeric columns: {', '.join(ignored)}")
        w = result.window
        out(f"Features: {len(features)}; chosen model: {result.chosen} ({result.calibration_method} calibration)")
        out(f"Fit {w['fit_from']} … {w['fit_to']} ({result.rows['fit']} rows, {result.positives['fit']} positive)")
        out(
            f"Calibration {w['calibration_from']} … {w['calibration_to']} ({result.rows['calibration']} rows, {result.positives['calibration']} positive)"
        )
        out(f"Test {w['test_from']} … {w['test_to']} ({result.rows['test']} rows, {result.positives['test']} positive)")
        out(f"Data hash: {result.data_hash}")
        out("")
        out(f"{'candidate':<22}{'validation ROC AUC':>20}{'fit s':>10}")
        for name, c in result.candidates.items():
            out(f"{name:<22}{c['validation_roc_auc']:>20.4f}{c['fit_seconds']:>10.2f}")
        out("")
        out(f"{'test period':<22}{'ROC AUC':>10}{'PR AUC':>10}{'Brier':>10}{'ECE':>10}")
        rows = [("model", result.test_metrics)]
        if result.baseline_metrics:
            rows.append(("rule-based baseline", result.baseline_metrics))
        for name, m in rows:
            out(f"{name:<22}{m['roc_auc']:>10.4f}{m['pr_auc']:>10.4f}{m['brier']:>10.4f}{m['ece']:>10.4f}")
        out("")
        out(f"{'top features':<36}{'mean |contribution|':>20}")
        for item in result.importance[: options["top"]]:
            out(f"{item['feature']:<36}{item['mean_abs_contribution']:>20.4f}")
