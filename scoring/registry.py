"""The model registry: store a trained model with what it was trained on, activate it, roll back.

Every training run that succeeds becomes a :class:`~scoring.models.PredictionModel` row of its
tenant and kind, with the next version number, its training window, data hash, metrics and feature
list, and the fitted model serialised with joblib. One model per kind is active (a partial unique
index); activating another one (a newer model, or an older one to roll back) is one transaction,
audited. A model's bytes are only ever loaded back from this table by the worker.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import joblib
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from ecosystem.audit.services import audit_record
from ecosystem.errors import ConflictError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from .models import PredictionModel


def _day(value: Any) -> datetime.date:
    return datetime.date.fromisoformat(str(value)[:10])


def prediction_model_register(
    *,
    tenant: Tenant,
    actor: Any,
    kind: str,
    result: Any,
    job=None,
    activate: bool = True,
    extra_metrics: dict | None = None,
) -> PredictionModel:
    """Store ``result`` (a :class:`scoring.churn.training.TrainingResult` with its fitted model) as the
    next version of ``kind``, active when ``activate``; ``extra_metrics`` are recorded with its metrics."""
    if result.model is None:
        raise ConflictError("This training result has no fitted model to store.", code="model_missing")
    window = result.window
    return prediction_model_store(
        tenant=tenant,
        actor=actor,
        kind=kind,
        fitted=result.model,
        method=f"{result.chosen}+{result.calibration_method}",
        window_start=_day(window["fit_from"]),
        window_end=_day(window["test_to"]),
        data_sha256=result.data_hash,
        features=list(result.features),
        metrics={
            "test": result.test_metrics,
            "baseline": result.baseline_metrics,
            "importance": result.importance,
            "rows": result.rows,
            "positives": result.positives,
            "candidates": result.candidates,
            "dropped_features": list(getattr(result, "dropped_features", [])),
            "window": window,
            **(extra_metrics or {}),
        },
        job=job,
        activate=activate,
    )


def prediction_model_store(
    *,
    tenant: Tenant,
    actor: Any,
    kind: str,
    fitted: Any,
    method: str,
    window_start: datetime.date,
    window_end: datetime.date,
    data_sha256: str,
    features: list[str],
    metrics: dict,
    job=None,
    activate: bool = True,
) -> PredictionModel:
    """Store any fitted model (``fitted`` is serialised with joblib) as the next version of ``kind``."""
    buffer = io.BytesIO()
    joblib.dump(fitted, buffer)
    with tenant_atomic():
        version = (PredictionModel.objects.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0) + 1
        stored = PredictionModel.objects.create(
            tenant=tenant,
            kind=kind,
            version=version,
            is_active=False,
            method=method,
            trained_at=timezone.now(),
            window_start=window_start,
            window_end=window_end,
            data_sha256=data_sha256,
            features=features,
            metrics=metrics,
            artefact=buffer.getvalue(),
            job=job,
            trained_by=actor if isinstance(actor, get_user_model()) else None,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="scoring.model_register",
            target=stored,
            changes={"kind": kind, "version": version, "data_sha256": data_sha256},
        )
        if activate:
            prediction_model_activate(tenant=tenant, actor=actor, model=stored)
    return stored


def prediction_model_activate(*, tenant: Tenant, actor: Any, model: PredictionModel) -> PredictionModel:
    """Make ``model`` the active one of its kind (a newer one, or an older one to roll back)."""
    with tenant_atomic():
        current = list(PredictionModel.objects.select_for_update().filter(kind=model.kind, is_active=True))
        PredictionModel.objects.filter(kind=model.kind, is_active=True).exclude(pk=model.pk).update(is_active=False)
        PredictionModel.objects.filter(pk=model.pk).update(is_active=True)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="scoring.model_activate",
            target=model,
            changes={"kind": model.kind, "version": model.version, "replaces": [m.version for m in current if m.pk != model.pk]},
        )
    model.is_active = True
    return model


def prediction_model_load(model: PredictionModel):
    """The fitted model stored in ``model`` (for the worker's predictions)."""
    return joblib.load(io.BytesIO(bytes(model.artefact)))


def active_model(kind: str) -> PredictionModel | None:
    """The tenant's active model of ``kind`` (in the current tenant scope), or None."""
    return PredictionModel.objects.filter(kind=kind, is_active=True).first()
