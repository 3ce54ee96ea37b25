"""Attribution runs: create one (with its job), and compute it reproducibly.

A run loads the period's journeys (:mod:`attribution.journeys_loader`), runs the chosen models of the
engine (:mod:`attribution.engine`), and writes one :class:`~attribution.models.AttributionCredit` per
model and channel, and (unless ``per_touch_detail`` is off) one
:class:`~attribution.models.AttributionTouch` per touch with its share under each per-touch model,
by binary COPY (:mod:`attribution.copyio`); from :data:`PARALLEL_MIN_TOUCHES` touches the detail is
written by :data:`DETAIL_WRITERS` sessions at once before the run is marked succeeded. Only the
:data:`DETAILS_KEPT_RUNS` newest runs keep their detail (:func:`attribution_details_prune`).

It records ``inputs_sha256`` (the journeys arrays, channel keys and parameters) and ``code_version``
(:data:`attribution.version.ENGINE_VERSION`): the same data, parameters and version give the same
hash and the same numbers.
"""

from __future__ import annotations

import datetime
import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.jobs.services import job_create
from ecosystem.jobs.tasks import enqueue_on_commit
from ecosystem.tenancy.context import tenant_atomic, tenant_context
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events

from .copyio import copy_in
from .engine import heuristics, markov, shapley
from .engine.journeys import Credit, Journeys
from .journeys_loader import DEFAULT_LOOKBACK_DAYS, LoadedJourneys, inputs_sha256, load_journeys
from .models import AttributionCredit, AttributionRun, AttributionTouch, ChannelDimension, RunStatus
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
    "per_touch_detail": True,  # False: channel credits only (no AttributionTouch rows, no per-deal view)
}
PER_TOUCH_MODELS = (*heuristics.MODELS, SHAPLEY_COUNTS)  # the AttributionTouch share columns
DETAILS_KEPT_RUNS = 3  # runs whose per-touch detail is kept (per tenant)
PARALLEL_MIN_TOUCHES = 200_000  # from this many touches the detail is written by several sessions at once
DETAIL_WRITERS = 2
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
    if not isinstance(out["per_touch_detail"], bool):
        raise ApplicationError("per_touch_detail is true or false.", code="attribution_parameter_invalid")
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


def touch_shares(journeys: Journeys, parameters: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per touch, its share of its journey under each per-touch model (the :class:`AttributionTouch` columns)."""
    first, middle, last = parameters["position"]
    out = {
        model: heuristics.touch_shares(
            journeys, model, first=first, middle=middle, last=last, half_life_days=parameters["half_life_days"]
        )
        for model in heuristics.MODELS
    }
    out[SHAPLEY_COUNTS] = shapley.touch_shares_counts(journeys)
    return out


TOUCH_COLUMNS = (
    ("tenant_id", "int8"),
    ("run_id", "int8"),
    ("registration_id", "int8"),
    ("touchpoint_id", "int8"),
    ("partner_id", "int8"),
    ("position", "int2"),
    ("length", "int2"),
    ("channel", "int4"),
    ("touch_on", "date"),
    ("days", "float8"),
    ("outcome", "int2"),
    ("outcome_on", "date"),
    ("conv", "float8"),
    ("value", "float8"),
    ("rate", "float8"),
    *((model, "float8") for model in PER_TOUCH_MODELS),
)


def _touch_rows(*, tenant: Tenant, run: AttributionRun, loaded: LoadedJourneys, shares: dict[str, np.ndarray]):
    """The :class:`AttributionTouch` columns as arrays, and the row offset of each journey.

    Rows go out in registration order (touches in position order within a journey), so the table's
    block-range index on (run, registration) stays tight and the heap holds each journey together.
    """
    journeys = loaded.journeys
    lengths = journeys.lengths
    position = np.arange(len(journeys.channels), dtype=np.int64) - np.repeat(journeys.offsets[:-1], lengths)
    by_registration = np.argsort(loaded.registration_ids, kind="stable")
    ordered_lengths = lengths[by_registration]
    ordered_offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(ordered_lengths, out=ordered_offsets[1:])
    touch_order = np.arange(len(journeys.channels), dtype=np.int64) + np.repeat(
        journeys.offsets[:-1][by_registration] - ordered_offsets[:-1], ordered_lengths
    )

    def per_journey(values: np.ndarray) -> np.ndarray:
        return np.repeat(np.asarray(values)[by_registration], ordered_lengths)

    arrays = {
        "tenant_id": tenant.pk,
        "run_id": run.pk,
        "registration_id": per_journey(loaded.registration_ids),
        "touchpoint_id": loaded.touchpoint_ids[touch_order],
        "partner_id": loaded.touch_partner_ids[touch_order],
        "position": position[touch_order],
        "length": per_journey(np.minimum(lengths, np.iinfo(np.int16).max)),
        "channel": journeys.channels[touch_order],
        "touch_on": loaded.touch_days[touch_order],
        "days": journeys.days[touch_order],
        "outcome": per_journey(loaded.outcomes),
        "outcome_on": per_journey(loaded.outcome_days),
        "conv": per_journey(journeys.conv),
        "value": per_journey(journeys.value),
        "rate": per_journey(loaded.rates),
        **{model: shares[model][touch_order] for model in PER_TOUCH_MODELS},
    }
    return arrays, ordered_offsets


def _write_touches(arrays: dict[str, Any]) -> int:
    """COPY the rows on the current connection (inside the caller's transaction)."""
    with connection.cursor() as cursor:
        return copy_in(cursor, AttributionTouch._meta.db_table, TOUCH_COLUMNS, arrays)


def _write_touches_in_parallel(*, tenant_id: int, arrays: dict[str, Any], journey_offsets: np.ndarray) -> int:
    """COPY the rows in :data:`DETAIL_WRITERS` slices at once, each on its own connection and committed
    on its own (PostgreSQL fills one table from several sessions in parallel; one INSERT … SELECT
    uses one core). Slices end on journey boundaries.

    Called before the run's final transaction: the rows are committed while the run is still
    *running*, and every reader shows detail only for a succeeded run; a failure deletes them
    (:func:`attribution_run_fail`), a retry replaces them.
    """
    total = int(journey_offsets[-1])
    bounds = [0]
    for k in range(1, DETAIL_WRITERS):
        j = int(np.searchsorted(journey_offsets, total * k // DETAIL_WRITERS))
        bounds.append(int(journey_offsets[min(j, len(journey_offsets) - 1)]))
    bounds.append(total)
    failures: list[BaseException] = []

    def write(start: int, stop: int) -> None:
        part = {name: (v[start:stop] if np.ndim(v) else v) for name, v in arrays.items()}
        try:
            with tenant_context(tenant_id):  # one transaction on this thread's connection
                _write_touches(part)
        except BaseException as error:  # reported to the caller, which fails the run
            failures.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=write, args=(a, b), name=f"attribution-detail-{i}")
        for i, (a, b) in enumerate(itertools.pairwise(bounds))
        if b > a
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return total


def _delete_touches(run_ids: list[int]) -> int:
    if not run_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{AttributionTouch._meta.db_table}" WHERE run_id = ANY(%s)', [run_ids]
        )  # the table's policies keep this to the scope's tenant
        return cursor.rowcount


@contextmanager
def _computing(run_id: int) -> Iterator[None]:
    """One computation of a run at a time: a session advisory lock on the run, released at the end.

    A task delivered twice (acks late, a worker lost) would otherwise compute twice at once, and the
    second would delete the per-touch rows the first had just written.
    """
    key = f"attribution_run:{run_id}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [key])
        if not cursor.fetchone()[0]:
            raise ConflictError("This run is being computed.", code="attribution_run_busy")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])


def run_attribution(
    *, tenant: Tenant, actor: Any, run: AttributionRun, progress: Callable[[int, str], None] | None = None
) -> AttributionRun:
    """Compute ``run`` now and write its credits and per-touch detail (replacing any from an earlier attempt).

    Three steps, so the worker can report progress between them: mark the run running (its own
    commit); read the journeys (one transaction) and compute the models (no transaction open);
    write everything in one transaction that first locks the run and refuses one already computed.
    One computation of a run at a time (:func:`_computing`): another gets ConflictError.
    """
    with _computing(run.pk):
        return _compute(tenant=tenant, actor=actor, run=run, progress=progress)


def _compute(*, tenant: Tenant, actor: Any, run: AttributionRun, progress: Callable[[int, str], None] | None) -> AttributionRun:
    report = progress or (lambda percent, message: None)
    with tenant_atomic():
        locked = AttributionRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RunStatus.SUCCEEDED:
            raise ConflictError("This run has already been computed.", code="attribution_run_done")
        parameters = attribution_parameters(locked.parameters)
        locked.status, locked.started_at = RunStatus.RUNNING, locked.started_at or timezone.now()
        locked.save(update_fields=["status", "started_at"])
    run = locked
    report(35, "reading touchpoints and deals")
    with tenant_atomic():
        loaded: LoadedJourneys = load_journeys(
            period_start=run.period_start,
            period_end=run.period_end,
            dimension=run.dimension,
            lookback_days=parameters["lookback_days"],
        )
    journeys = loaded.journeys
    report(50, f"computing {len(run.model_names)} models over {journeys.n_journeys:,} journeys")
    credits = compute_credits(journeys, list(run.model_names), parameters) if journeys.n_journeys else {}
    detail = bool(journeys.n_journeys) and parameters["per_touch_detail"]
    shares = touch_shares(journeys, parameters) if detail else {}
    inputs = inputs_sha256(loaded, _hashed_parameters(run, parameters))
    report(70, f"writing {len(journeys.channels) if detail else 0:,} attributed touches")
    touches = 0
    touch_rows, journey_offsets = _touch_rows(tenant=tenant, run=run, loaded=loaded, shares=shares) if detail else ({}, None)
    in_parallel = detail and len(journeys.channels) >= PARALLEL_MIN_TOUCHES
    if in_parallel:
        with tenant_atomic():
            _delete_touches([run.pk])  # an earlier attempt's
        touches = _write_touches_in_parallel(tenant_id=tenant.pk, arrays=touch_rows, journey_offsets=journey_offsets)
    with tenant_atomic():
        run = AttributionRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.SUCCEEDED:
            raise ConflictError("This run has already been computed.", code="attribution_run_done")
        with connection.cursor() as cursor:
            # derived figures a rerun recomputes: the commit need not wait for the WAL flush
            cursor.execute("SET LOCAL synchronous_commit = off")
        AttributionCredit.objects.filter(run=run).delete()
        if not in_parallel:
            _delete_touches([run.pk])
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
        if detail and not in_parallel:
            touches = _write_touches(touch_rows)
        run.inputs_sha256 = inputs
        run.code_version = ENGINE_VERSION
        run.details_kept = detail
        run.summary = {
            "journeys": journeys.n_journeys,
            "touches": len(journeys.channels),
            "channels": journeys.n_channels,
            "channel_keys": list(loaded.channel_keys),
            "conversions": float(journeys.conv.sum()),
            "value": float(journeys.value.sum()),
            "left_out_without_touch": loaded.skipped_without_touch,
            "left_out_won_value": loaded.skipped_won_value,
            "left_out_without_rate": loaded.skipped_without_rate,
            "missing_rates": list(loaded.missing_rates),
            "details": {model: _jsonable(credit.details) for model, credit in credits.items()},
        }
        run.status, run.finished_at = RunStatus.SUCCEEDED, timezone.now()
        run.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="attribution.run",
            target=run,
            changes={
                "inputs_sha256": run.inputs_sha256,
                "code_version": ENGINE_VERSION,
                "credits": len(rows),
                "touches": touches,
            },
        )
        webhook_events.attribution_run(tenant=tenant, run=run)
    return run


def attribution_details_prune(*, tenant: Tenant, keep: int = DETAILS_KEPT_RUNS) -> int:
    """Delete the per-touch detail of all but the ``keep`` newest computed runs; returns the rows deleted.

    Their channel credits, summary and inputs hash stay: a pruned run's figures are still there and
    can be recomputed (same inputs, same version, same numbers); only its per-deal view is gone.
    """
    with tenant_atomic():
        kept = AttributionRun.objects.filter(status=RunStatus.SUCCEEDED, details_kept=True).order_by("-finished_at", "-id")
        old = list(kept.values_list("pk", flat=True)[keep:])
        deleted = _delete_touches(old)
        AttributionRun.objects.filter(pk__in=old).update(details_kept=False)
    return deleted


def attribution_run_fail(*, run_id: int, error: str) -> None:
    """Mark a run failed (its own short commit, after the computation rolled back), and delete any
    per-touch rows a parallel write had committed for it."""
    with tenant_atomic():
        failed = (
            AttributionRun.objects.filter(pk=run_id)
            .exclude(status=RunStatus.SUCCEEDED)
            .update(status=RunStatus.FAILED, finished_at=timezone.now(), summary={"error": error[:500]}, details_kept=False)
        )
        if failed:
            _delete_touches([run_id])
