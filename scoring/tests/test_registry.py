"""The model registry: a trained model is stored with its window, hash, metrics and features, comes
back predicting exactly as trained, and one model per kind is active; rolling back is activating."""

from __future__ import annotations

import numpy as np
import pytest

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from scoring.churn.synthetic import LABEL, synthetic_tenant
from scoring.churn.training import train_churn_model
from scoring.models import PredictionModel
from scoring.registry import prediction_model_activate, prediction_model_load, prediction_model_register

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def trained():
    tenant = synthetic_tenant(n_partners=600, n_months=12, seed=3)
    table = tenant.table.drop(columns=["true_probability"])
    result = train_churn_model(table.drop(columns=["partner_id"]), label=LABEL, time_column="as_of")
    return result, table


def test_a_model_is_stored_reloaded_identically_and_one_is_active_per_kind(world, trained):
    result, table = trained
    a = world.a
    with tenant_context(a.tenant.pk):
        first = prediction_model_register(tenant=a.tenant, actor=a.manager, kind="churn", result=result)
        second = prediction_model_register(tenant=a.tenant, actor=a.manager, kind="churn", result=result)
        assert [(m.version, m.is_active) for m in PredictionModel.objects.order_by("version")] == [(1, False), (2, True)]
        stored = PredictionModel.objects.get(pk=first.pk)
        assert stored.data_sha256 == result.data_hash and stored.features == result.features
        assert stored.metrics["test"]["roc_auc"] == result.test_metrics["roc_auc"]
        assert stored.window_start.isoformat() == str(result.window["fit_from"])[:10]
        rows = table[result.features].head(50)
        assert np.array_equal(prediction_model_load(stored).predict_proba(rows), result.model.predict_proba(rows))
        prediction_model_activate(tenant=a.tenant, actor=a.manager, model=stored)  # roll back to version 1
        assert [(m.version, m.is_active) for m in PredictionModel.objects.order_by("version")] == [(1, True), (2, False)]
        assert AuditEntry.objects.filter(action="scoring.model_activate").count() == 3
    with tenant_context(world.b.tenant.pk):
        assert not PredictionModel.objects.filter(pk__in=[first.pk, second.pk]).exists()
