"""A real Celery worker, on the real Redis, computes an attribution run started through the API."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from attribution.models import AttributionCredit, AttributionRun, AttributionTouch, RunStatus
from ecosystem.celery import app
from ecosystem.jobs.tests.test_worker import wait_for
from ecosystem.tenancy.context import tenant_context

from .world import END, START, build_march


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_a_run_queued_by_the_api(client, committed_world):
    a = committed_world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
    client.force_login(a.manager)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        created = client.post(
            "/api/v1/t/alpha/attribution-runs/",
            {"period_start": str(START), "period_end": str(END), "dimension": "partner"},
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        url = f"/api/v1/t/alpha/attribution-runs/{created.json()['public_id']}/"
        body = wait_for(lambda: (run := client.get(url).json())["status"] in ("succeeded", "failed") and run, seconds=60)
    assert body["status"] == "succeeded", body
    with tenant_context(a.tenant.pk):
        run = AttributionRun.objects.get(public_id=body["public_id"])
        assert run.status == RunStatus.SUCCEEDED and run.details_kept and len(run.inputs_sha256) == 64
        # The task derived each registration's own touch first, so the deal won without any other touch
        # (700) now has one: 5000 + 700 is credited in full by every model. The 5000 deal's journey is its
        # registration touch (02-01) and its three March touches; the 700 deal's, its registration touch.
        assert run.summary["value"] == 5700
        for model in run.model_names:
            credited = sum(AttributionCredit.objects.filter(run=run, model=model).values_list("value", flat=True))
            assert credited == pytest.approx(5700), model
        assert AttributionTouch.objects.filter(run=run, conv=1).count() == 5
