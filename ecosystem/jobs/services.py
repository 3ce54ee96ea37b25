"""Job records: created with the request, moved along by the worker, each step its own short commit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ecosystem.audit.services import audit_record
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from .models import Job, JobStatus


def job_create(*, tenant: Tenant, actor: Any, kind: str) -> Job:
    with transaction.atomic():
        # A person, or None when an API key or the system starts the job (the audit row names the key).
        created_by = actor if isinstance(actor, get_user_model()) else None
        job = Job.objects.create(tenant=tenant, kind=kind, created_by=created_by)
        audit_record(tenant=tenant, actor=actor, action="job.create", target=job, changes={"kind": kind})
    return job


def job_start(*, job_id: int) -> Job | None:
    """Mark a queued (or re-delivered running) job as running; None if it already finished.

    Idempotent: a task delivered twice finds the job finished and does nothing.
    """
    with tenant_atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.progress = 0
        job.save(update_fields=["status", "started_at", "progress"])
        return job


def job_progress(*, job_id: int, progress: int, message: str = "") -> None:
    """Commit progress now, so the portal's progress bar moves while the job runs."""
    with tenant_atomic():
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            progress=max(0, min(100, int(progress))), message=message[:200]
        )


def job_finish(*, job_id: int, result: dict[str, Any] | None = None, error: str | None = None) -> None:
    with tenant_atomic():
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED if error else JobStatus.SUCCEEDED,
            progress=F("progress") if error else 100,
            message=(error or "")[:200],
            result=result or {},
            finished_at=timezone.now(),
        )
