"""A real Celery worker, on the real Redis, runs a tenant job to 100 % while the portal watches."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from ecosystem.celery import app
from ecosystem.portal.models import DashboardMetrics
from ecosystem.tenancy.context import tenant_context


def wait_for(check, *, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the worker")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_dashboard_job_to_completion(client, committed_world):
    world = committed_world
    client.force_login(world.a.manager)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        created = client.post("/api/v1/t/alpha/jobs/", {"kind": "dashboard_metrics"}, content_type="application/json")
        assert created.status_code == 202
        assert created.json()["status"] == "queued"
        url = f"/api/v1/t/alpha/jobs/{created.json()['id']}/"
        job = wait_for(lambda: (body := client.get(url).json())["status"] in ("succeeded", "failed") and body)

    assert job["status"] == "succeeded", job
    assert job["progress"] == 100
    assert job["result"] == {"partners_total": 2}
    with tenant_context(world.a.tenant.pk):
        figures = DashboardMetrics.objects.get().figures
    assert figures["partners"]["by_type"] == {"reseller": 1, "msp": 1}
    assert figures["staff"] == 3  # owner, manager, analyst (the revoked one is not counted)
    # The portal's progress bar shows the finished job and stops polling.
    fragment = client.get(f"/t/alpha/jobs/{job['id']}/").content.decode()
    assert "100%" in fragment
    assert 'data-job-status="succeeded"' in fragment
    assert "hx-trigger" not in fragment


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_portal_button_queues_the_job_only_after_commit_and_shows_progress(client, committed_world):
    world = committed_world
    client.force_login(world.a.manager)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = client.post("/t/alpha/dashboard/refresh/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        fragment = response.content.decode()
        assert 'role="progressbar"' in fragment
        assert 'hx-trigger="every 1s"' in fragment
        job_id = fragment.split('id="job-')[1].split('"')[0]
        wait_for(lambda: 'data-job-status="succeeded"' in client.get(f"/t/alpha/jobs/{job_id}/").content.decode())


def test_a_task_delivered_twice_does_nothing_the_second_time(world):
    """acks_late means redelivery after a crash: the job row makes the task idempotent."""
    from ecosystem.jobs.models import Job, JobStatus
    from ecosystem.jobs.services import job_create
    from ecosystem.portal.tasks import dashboard_metrics_refresh_task

    with tenant_context(world.a.tenant.pk):
        job = job_create(tenant=world.a.tenant, actor=world.a.owner, kind="dashboard_metrics")
    dashboard_metrics_refresh_task.run(world.a.tenant.pk, job.pk)
    with tenant_context(world.a.tenant.pk):
        finished = Job.objects.get(pk=job.pk)
    dashboard_metrics_refresh_task.run(world.a.tenant.pk, job.pk)
    with tenant_context(world.a.tenant.pk):
        again = Job.objects.get(pk=job.pk)
    assert finished.status == JobStatus.SUCCEEDED
    assert (again.finished_at, again.status) == (finished.finished_at, finished.status)


def test_tenant_tasks_refuse_a_missing_tenant_id(world):
    from ecosystem.portal.tasks import dashboard_metrics_refresh_task

    with pytest.raises(TypeError):
        dashboard_metrics_refresh_task.run("alpha")


def test_tasks_are_declared_for_late_ack_and_worker_loss():
    from ecosystem.portal.tasks import dashboard_metrics_refresh_task

    assert dashboard_metrics_refresh_task.acks_late is True
    assert dashboard_metrics_refresh_task.reject_on_worker_lost is True
    assert dashboard_metrics_refresh_task.time_limit == 600


def test_every_registered_project_task_declares_its_scope():
    """A task must be a tenant_task (tenant_id first) or an explicit platform_task."""
    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert ours, "no project tasks registered"
    assert [
        name for name, task in app.tasks.items() if not name.startswith("celery.") and not hasattr(task, "is_tenant_task")
    ] == []


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_sweep_fans_out_one_task_per_tenant(committed_world):
    from ecosystem.portal.tasks import dashboard_metrics_refresh_all_tenants

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert dashboard_metrics_refresh_all_tenants.delay().get is not None
        for tenant in (committed_world.a.tenant, committed_world.b.tenant):

            def computed(tenant=tenant):
                with tenant_context(tenant.pk):
                    return DashboardMetrics.objects.exists()

            wait_for(computed)
