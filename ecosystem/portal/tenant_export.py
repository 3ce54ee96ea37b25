"""A full export of one tenant's data: every tenant table as JSON lines, zipped, in private storage.

One file per table, ``<app_label>.<model>.jsonl``, one JSON object per row (the ``.values()`` of the
row: foreign keys as their ``<name>_id``, dates, times, decimals and UUIDs as strings, file fields
as the stored file's name, never its content). Secrets are left out by field name (:data:`DENIED_FIELDS`);
a test fails when a model gains a field named like a secret that is on neither list. ``manifest.json``
gives the export time and each table's row count.

Each table is read in its own :func:`tenant_atomic` block in the staff scope (no partner narrowing),
with a server-side cursor (``iterator(chunk_size=2000)``), so memory stays flat whatever the size and
progress commits between tables. The snapshot is per table, not across tables.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.jobs.models import Job, JobStatus
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant, TenantModel

JOB_KIND = "tenant_export"
CHUNK_SIZE = 2000
STORAGE_PREFIX = "exports"
# A finished export's zip is kept this long, then removed by the nightly sweep (the job row stays, marked expired).
EXPORT_RETENTION = datetime.timedelta(days=7)

# Field names that look like secrets. Every field of a tenant model whose name matches must be on
# one of the two lists below (tests/.. test_every_secret_looking_field_is_decided).
SECRET_LIKE = ("secret", "digest", "password", "token", "hash")

# Left out of the export: secrets, their hashes, and stored answers that may carry a secret once shown.
DENIED_FIELDS = frozenset(
    {
        "api.ApiKey.secret_hash",
        "api.IdempotencyKey.response_body",  # the answer to a POST that created a key holds the key
        "accounts.Invitation.token_hash",
        "webhooks.WebhookEndpoint.secret",
        "webhooks.WebhookEndpoint.previous_secret",
        "onboarding.PartnerApplication.status_token_hash",
        "onboarding.CredentialIssuerSecret.secret",
        "onboarding.CredentialIssuerSecret.secret_tail",  # four characters of the secret: no use outside the lists
        "mapping.MappingPairSecret.secret",
        "scoring.ScoringSettings.alert_webhook_secret",
    }
)

# Named like a secret but not one: kept in the export.
ALLOWED_FIELDS = frozenset(
    {
        "api.IdempotencyKey.request_hash",  # SHA-256 of a request body, to spot a changed retry
        "deals.CustomerAccountToken.token",  # a search token: four letters of a word of an account's name
        "mapping.AccountOverlap.digest",  # HMAC of a domain under the pair's secret, which is left out
    }
)


class ExportEncoder(DjangoJSONEncoder):
    """Dates, times, decimals and UUIDs as strings (DjangoJSONEncoder), bytes as base64, arrays as lists."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (bytes, memoryview)):
            return base64.b64encode(bytes(o)).decode("ascii")
        if hasattr(o, "tolist"):  # numpy arrays (pgvector)
            return o.tolist()
        return super().default(o)


def tenant_models() -> list[type[TenantModel]]:
    """Every concrete tenant table, in a stable order (by file name)."""
    found = [m for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.proxy]
    return sorted(found, key=table_file_name)


def table_file_name(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}.jsonl"


def exported_columns(model: type[models.Model]) -> list[str]:
    """The ``.values()`` names of a model's columns, minus the denied ones."""
    label = model._meta.label
    return [f.attname for f in model._meta.concrete_fields if f"{label}.{f.name}" not in DENIED_FIELDS]


def export_path(*, tenant: Tenant, job: Job) -> str:
    return f"{STORAGE_PREFIX}/{tenant.public_id}/{job.public_id}.zip"


def _write_table(archive: zipfile.ZipFile, model: type[TenantModel], *, tenant: Tenant, encoder: json.JSONEncoder) -> int:
    columns = exported_columns(model)
    count = 0
    with tenant_atomic(), archive.open(table_file_name(model), "w") as member:
        # Scoped manager plus the explicit tenant filter; row-level security holds it to the tenant a third time.
        rows = model.objects.filter(tenant_id=tenant.pk).order_by("pk").values(*columns).iterator(chunk_size=CHUNK_SIZE)
        buffer: list[str] = []
        for row in rows:
            buffer.append(encoder.encode(row))
            count += 1
            if len(buffer) >= CHUNK_SIZE:
                member.write(("\n".join(buffer) + "\n").encode())
                buffer = []
        if buffer:
            member.write(("\n".join(buffer) + "\n").encode())
    return count


def tenant_export_write(
    *,
    tenant: Tenant,
    job: Job,
    on_table: Callable[[int, int, str], None] | None = None,
    only: Iterable[type[TenantModel]] | None = None,
) -> dict[str, Any]:
    """Write the zip for ``job`` to private storage; return the manifest. Call inside the tenant's scope."""
    models_ = list(only) if only is not None else tenant_models()
    encoder = ExportEncoder(ensure_ascii=False, separators=(",", ":"))
    counts: dict[str, int] = {}
    exported_at = timezone.now()
    with tempfile.TemporaryDirectory() as workdir:
        zip_path = os.path.join(workdir, "export.zip")
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for index, model in enumerate(models_):
                counts[table_file_name(model)] = _write_table(archive, model, tenant=tenant, encoder=encoder)
                if on_table is not None:
                    on_table(index + 1, len(models_), model._meta.label)
            manifest = {
                "tenant": str(tenant.public_id),
                "tenant_slug": tenant.slug,
                "exported_at": exported_at.isoformat(),
                "format": "one JSON object per line; file fields as stored names; secrets left out",
                "tables": counts,
                "rows_total": sum(counts.values()),
                "left_out": sorted(DENIED_FIELDS),
            }
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, cls=ExportEncoder))
        path = export_path(tenant=tenant, job=job)
        if default_storage.exists(path):  # a task delivered twice writes the same file again
            default_storage.delete(path)
        with open(zip_path, "rb") as handle:
            stored = default_storage.save(path, File(handle, name=os.path.basename(path)))
    manifest["path"] = stored
    manifest["size"] = default_storage.size(stored)
    return manifest


# --- the portal's calls ----------------------------------------------------------------------


def tenant_export_start(*, tenant: Tenant, actor: Any) -> Job:
    """Record the job and the audit row ``tenant.export``; the caller enqueues the task."""
    from ecosystem.jobs.services import job_create

    with transaction.atomic():
        job = job_create(tenant=tenant, actor=actor, kind=JOB_KIND)
        audit_record(tenant=tenant, actor=actor, action="tenant.export", target=job, changes={"job": str(job.public_id)})
    return job


def access_export(*, tenant: Tenant, public_id: Any) -> Job:
    """The finished export job of this tenant, or 404 (also for a job of another kind or tenant)."""
    from django.http import Http404

    job = Job.objects.filter(tenant=tenant, kind=JOB_KIND, public_id=public_id, status=JobStatus.SUCCEEDED).first()
    if job is None or not job.result.get("path") or not default_storage.exists(job.result["path"]):
        raise Http404
    return job


def tenant_export_expire(*, tenant: Tenant, now: datetime.datetime | None = None) -> list[str]:
    """Remove the tenant's export zips older than :data:`EXPORT_RETENTION`, and any zip under the tenant's
    folder that no export job names (a job row rolled back after its file was written). The job rows stay,
    with ``expired`` set and the path gone, so the page says the file was removed rather than offering a
    broken link. One audit row names what was removed. Call inside the tenant's scope; safe to run twice."""
    now = now or timezone.now()
    cutoff = now - EXPORT_RETENTION
    removed: list[str] = []
    with transaction.atomic():
        jobs = Job.objects.filter(tenant=tenant, kind=JOB_KIND, status=JobStatus.SUCCEEDED)
        named: set[str] = set()
        for job in jobs.only("pk", "result", "finished_at"):
            path = job.result.get("path")
            if not path:
                continue
            if job.finished_at and job.finished_at < cutoff:
                if default_storage.exists(path):
                    default_storage.delete(path)
                    removed.append(path)
                Job.objects.filter(pk=job.pk).update(
                    result={**job.result, "path": "", "expired": True, "kept_days": EXPORT_RETENTION.days}
                )
            else:
                named.add(path)
        folder = f"{STORAGE_PREFIX}/{tenant.public_id}"
        try:
            _, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            files = []
        for name in files:
            path = f"{folder}/{name}"
            if path not in named and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed.append(path)
        if removed:
            audit_record(tenant=tenant, actor=None, action="tenant.exports_expired", changes={"files": removed[:200]})
    return removed


def tenant_export_download(*, tenant: Tenant, actor: Any, job: Job) -> tuple[File, str]:
    """Open the zip and write the audit row ``tenant.export_download``."""
    if job.kind != JOB_KIND or job.tenant_id != tenant.pk:
        raise ApplicationError("Not an export of this program.", code="not_found")
    with transaction.atomic():
        audit_record(tenant=tenant, actor=actor, action="tenant.export_download", target=job, changes={"job": str(job.public_id)})
    stamp = (job.finished_at or timezone.now()).astimezone(datetime.UTC).strftime("%Y%m%d-%H%M")
    return default_storage.open(job.result["path"], "rb"), f"{tenant.slug}-export-{stamp}.zip"
