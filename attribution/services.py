"""Attribution runs: create one (with its job), and compute it reproducibly.

A run loads the period's journeys (:mod:`attribution.journeys_loader`), runs the chosen models of the
engine (:mod:`attribution.engine`), and writes one :class:`~attribution.models.AttributionCredit` per
model and channel. It records ``inputs_sha256`` (the journeys arrays, channel keys and parameters)
and ``code_version`` (:data:`attribution.version.ENGINE_VERSION`): the same data, parameters and
version give the same hash and the same numbers.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
from django.utils import timezone

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.jobs.services import job_create
from ecosystem.jobs.tasks import enqueue_on_commit
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from .engine import heuristics, markov, shapley
from .engine.journeys import Credit, Journeys
from .journeys_loader import DEFAULT_LOOKBACK_DAYS, LoadedJourneys, inputs_sha256, load_journeys
from .models import AttributionCredit, AttributionRun, ChannelDimension, RunStatus
from .version import ENGINE_VERSION

JOB_KIND = "attribution_run"
MARKOV = markov.MODEL
SHAPLEY_COUNTS = "shapley_counts"
SHAPLEY_RATES = "shapley_rates"
MODELS = (*heuristics.MODELS, MARKOV, SHAPLEY_COUNTS, SHAPLEY_RATES)
DEFAULT_PARAMETERS: dict[str, Any] = {
    "position": list(heuristics.DEFAULT_POSITION),  # first, middle, last
    "half_life_days": heuristics.DEFAULT_HALF_LIFE_DAYS,
    "lookback_days": DEFAULT_LOOKBACK_DAYS,
    "shapley_unobserved": "zero",
    "shapley_min_journeys": 0,
}
MAX_PERIOD_DAYS = 3 * 366
DETAILS_LEFT_OUT = {"transition_matrix", "transition_weights"}  # (n + 3)² figures: not for the run's summary


def attribution_parameters(parameters: dict[str, Any] | None) -> dict[str, Any]:
    """The defaults overlaid with ``parameters``; raises ApplicationError for unknown or invalid ones."""
    given = dict(parameters or {})
    unknown = sorted(set(given) - set(DEFAULT_PARAMETERS))
    if unknown:
        raise ApplicationError(f"Unknown parameters: {', '.join(unknown)}.", code="attribution_parameter_unknown")
    out = {**DEFAULT_PARAMETERS, **given}
    try:
        position = [float(x) for x in out["position"]]
        half_life = float(out["half_life_days"])
        lookback = int(out["lookback_days"])
        min_journeys = float(out["shapley_min_journeys"])
    except (TypeError, ValueError) as error:
        raise ApplicationError("Parameters must be numbers.", code="attribution_parameter_invalid") from error
    if len(position) != 3 or min(position) < 0 or abs(sum(position) - 1) > 1e-9:
        raise ApplicationError(
            "Position-based shares are three numbers (first, middle, last) that add up to 1.",
            code="attribution_position_invalid",
            field="position",
        )
    if half_life <= 0 or lookback < 1 or min_journeys < 0:
        raise ApplicationError(
            "Half-life and look-back must be positive.", code="attribution_parameter_invalid", field="half_life_days"
        )
    if out["shapley_unobserved"] not in shapley.UNOBSERVED_RULES:
        raise ApplicationError("Unknown rule for unobserved channel sets.", code="attribution_parameter_invalid")
    return {
        **out,
        "position": position,
        "half_life_days": half_life,
        "lookback_days": lookback,
        "shapley_min_journeys": min_journeys,
    }


def attribution_run_create(
    *,
    tenant: Tenant,
    actor: Any,
    period_start: datetime.date,
    period_end: datetime.date,
    dimension: str,
    models: list[str] | tuple[str, ...] = MODELS,
    parameters: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> AttributionRun:
    """Record a queued run with its job and send it to the worker after commit."""
    if period_end < period_start or (period_end - period_start).days > MAX_PERIOD_DAYS:
        raise ApplicationError(
            "The period must end after it starts and span at most three years.", code="attribution_period_invalid"
        )
    if dimension not in ChannelDimension.values:
        raise ApplicationError("Unknown channel dimension.", code="attribution_dimension_invalid", field="dimension")
    chosen = [m for m in MODELS if m in set(models)]  # canonical order, no repeats
    if not chosen or len(chosen) != len(set(models)):
        raise ApplicationError(
            "Choose models among: " + ", ".join(MODELS) + ".", code="attribution_model_invalid", field="models"
        )
    checked = attribution_parameters(parameters)
    with tenant_atomic():
        job = job_create(tenant=tenant, actor=actor, kind=JOB_KIND)
        run = AttributionRun.objects.create(
            tenant=tenant,
            period_start=period_start,
            period_end=period_end,
            dimension=dimension,
            model_names=chosen,
            parameters=checked,
            job=job,
            created_by=person_of(actor),
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="attribution.run_create",
            target=run,
            changes={"period": [str(period_start), str(period_end)], "dimension": dimension, "models": chosen},
        )
        if enqueue:
            from .tasks import attribution_run_task

            enqueue_on_commit(attribution_run_task, tenant.pk, run.pk)
    return run


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items() if k not in DETAILS_LEFT_OUT}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def compute_credits(journeys: Journeys, models: list[str], parameters: dict[str, Any]) -> dict[str, Credit]:
    """Each chosen model's credit over ``journeys`` (pure: no database)."""
    out: dict[str, Credit] = {}
    rule_based = tuple(m for m in models if m in heuristics.MODELS)
    if rule_based:
        out.update(
            heuristics.all_heuristics(
                journeys,
                position=tuple(parameters["position"]),
                half_life_days=parameters["half_life_days"],
                models=rule_based,
            )
        )
    if MARKOV in models:
        out[MARKOV] = markov.markov_removal(journeys)
    if SHAPLEY_COUNTS in models:
        out[SHAPLEY_COUNTS] = shapley.shapley_counts(journeys)
    if SHAPLEY_RATES in models:
        out[SHAPLEY_RATES] = shapley.shapley_rates(
            journeys, unobserved=parameters["shapley_unobserved"], min_journeys=parameters["shapley_min_journeys"]
        )
    return {m: out[m] for m in models}


def _hashed_parameters(run: AttributionRun, parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "period": [str(run.period_start), str(run.period_end)],
        "dimension": run.dimension,
        "models": list(run.model_names),
        **parameters,
    }


def run_attribution(*, tenant: Tenant, actor: Any, run: AttributionRun) -> AttributionRun:
    """Compute ``run`` now and write its credits (replacing any from an earlier attempt). Idempotent."""
    with tenant_atomic():
        run = AttributionRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.SUCCEEDED:
            raise ConflictError("This run has already been computed.", code="attribution_run_done")
        parameters = attribution_parameters(run.parameters)
        run.status, run.started_at = RunStatus.RUNNING, run.started_at or timezone.now()
        loaded: LoadedJourneys = load_journeys(
            period_start=run.period_start,
            period_end=run.period_end,
            dimension=run.dimension,
            lookback_days=parameters["lookback_days"],
        )
        journeys = loaded.journeys
        credits = compute_credits(journeys, list(run.model_names), parameters) if journeys.n_journeys else {}
        AttributionCredit.objects.filter(run=run).delete()
        rows = [
            AttributionCredit(
                tenant=tenant,
                run=run,
                model=model,
                channel_key=loaded.channel_keys[k],
                channel_label=journeys.labels[k][:200],
                partner_id=loaded.channel_partner_ids[k],
                conversions=float(credit.conversions[k]),
                value=float(credit.value[k]),
            )
            for model, credit in credits.items()
            for k in range(journeys.n_channels)
        ]
        AttributionCredit.objects.bulk_create(rows, batch_size=5_000)
        run.inputs_sha256 = inputs_sha256(loaded, _hashed_parameters(run, parameters))
        run.code_version = ENGINE_VERSION
        run.summary = {
            "journeys": journeys.n_journeys,
            "touches": len(journeys.channels),
            "channels": journeys.n_channels,
            "conversions": float(journeys.conv.sum()),
            "value": float(journeys.value.sum()),
            "left_out_without_touch": loaded.skipped_without_touch,
            "left_out_won_value": loaded.skipped_won_value,
            "details": {model: _jsonable(credit.details) for model, credit in credits.items()},
        }
        run.status, run.finished_at = RunStatus.SUCCEEDED, timezone.now()
        run.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="attribution.run",
            target=run,
            changes={"inputs_sha256": run.inputs_sha256, "code_version": ENGINE_VERSION, "credits": len(rows)},
        )
    return run


def attribution_run_fail(*, run_id: int, error: str) -> None:
    """Mark a run failed (its own short commit, after the computation rolled back)."""
    with tenant_atomic():
        AttributionRun.objects.filter(pk=run_id).exclude(status=RunStatus.SUCCEEDED).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), summary={"error": error[:500]}
        )
