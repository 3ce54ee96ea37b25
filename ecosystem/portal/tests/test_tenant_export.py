"""The owners' full data export: one JSON-lines file per tenant table with exactly the tenant's rows,
secrets left out, a manifest with the right counts, progress per table, owners only, audited."""

from __future__ import annotations

import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.jobs.models import Job, JobStatus
from ecosystem.portal import tenant_export_tasks
from ecosystem.portal.tenant_export import (
    ALLOWED_FIELDS,
    DENIED_FIELDS,
    JOB_KIND,
    SECRET_LIKE,
    ExportEncoder,
    table_file_name,
    tenant_export_start,
    tenant_models,
)
from ecosystem.portal.tenant_export_tasks import tenant_export_run
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name: str, tenant: str = "alpha", **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant, **kwargs})


def run_export(tenant_world) -> Job:
    with tenant_context(tenant_world.tenant.pk):
        job = tenant_export_start(tenant=tenant_world.tenant, actor=tenant_world.owner)
    tenant_export_run(tenant_world.tenant.pk, job.pk)
    with tenant_context(tenant_world.tenant.pk):
        return Job.objects.get(pk=job.pk)


def read_zip(job: Job, settings) -> dict[str, bytes]:
    with zipfile.ZipFile(f"{settings.MEDIA_ROOT}/{job.result['path']}") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def lines(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode().splitlines()]


# --- the file ----------------------------------------------------------------------------------


def test_the_zip_has_one_file_per_tenant_table_with_exactly_the_tenants_rows(world, settings):
    a, b = world.a, world.b
    with tenant_context(b.tenant.pk):
        b_ids = {str(p) for p in PartnerOrganization.objects.values_list("public_id", flat=True)}
    job = run_export(a)

    files = read_zip(job, settings)
    assert job.status == JobStatus.SUCCEEDED and job.result["path"].startswith(f"exports/{a.tenant.public_id}/")
    assert set(files) == {table_file_name(m) for m in tenant_models()} | {"manifest.json"}
    assert len(files) == len(tenant_models()) + 1 and job.result["tables"] == len(tenant_models())

    partners = lines(files["partners.partnerorganization.jsonl"])
    assert sorted(p["name"] for p in partners) == ["Alpha MSP", "Alpha Reseller"]
    # owner, manager, analyst, two admins, one rep, one revoked member
    assert len(lines(files["accounts.membership.jsonl"])) == 7
    everything = b"".join(files.values()).decode()
    assert not any(public_id in everything for public_id in b_ids)
    assert str(b.tenant.public_id) not in everything
    for name, data in files.items():
        if name != "manifest.json":
            assert {row["tenant_id"] for row in lines(data)} <= {a.tenant.pk}, name


def test_the_manifest_counts_each_file_and_the_time(world, settings):
    job = run_export(world.a)
    files = read_zip(job, settings)
    manifest = json.loads(files["manifest.json"])
    assert manifest["tenant"] == str(world.a.tenant.public_id) and manifest["exported_at"]
    assert manifest["tables"]["partners.partnerorganization.jsonl"] == 2
    assert manifest["tables"]["accounts.membership.jsonl"] == 7
    for name, count in manifest["tables"].items():
        assert count == len(files[name].decode().splitlines()), name
    assert manifest["rows_total"] == sum(manifest["tables"].values()) == job.result["rows"]


def test_secrets_are_left_out(world, settings):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="BI export", scope="read")
    job = run_export(world.a)
    files = read_zip(job, settings)
    keys = lines(files["api.apikey.jsonl"])
    assert [k["name"] for k in keys] == ["BI export"] and "secret_hash" not in keys[0]
    everything = b"".join(files.values()).decode()
    assert issued.api_key.secret_hash not in everything and issued.plaintext not in everything
    assert "password" not in everything


def test_dates_decimals_and_uuids_are_strings():
    import datetime
    import uuid

    row = {"d": Decimal("1.50"), "on": datetime.date(2026, 3, 1), "id": uuid.UUID(int=1), "raw": b"\x00\x01"}
    assert json.loads(ExportEncoder().encode(row)) == {
        "d": "1.50",
        "on": "2026-03-01",
        "id": "00000000-0000-0000-0000-000000000001",
        "raw": "AAE=",
    }


def test_every_secret_looking_field_is_decided():
    """A new field named like a secret must go on DENIED_FIELDS (left out) or ALLOWED_FIELDS (kept)."""
    pattern = re.compile("|".join(SECRET_LIKE))
    undecided = [
        f"{model._meta.label}.{field.name}"
        for model in tenant_models()
        for field in model._meta.concrete_fields
        if pattern.search(field.name) and f"{model._meta.label}.{field.name}" not in DENIED_FIELDS | ALLOWED_FIELDS
    ]
    assert undecided == []
    known = {f"{m._meta.label}.{f.name}" for m in tenant_models() for f in m._meta.concrete_fields}
    assert known >= DENIED_FIELDS | ALLOWED_FIELDS  # no stale names


# --- the job -----------------------------------------------------------------------------------


def test_the_job_reports_progress_per_table_and_finishes(world, monkeypatch, settings):
    seen = []
    real = tenant_export_tasks.job_progress
    monkeypatch.setattr(tenant_export_tasks, "job_progress", lambda **kw: (seen.append(kw["progress"]), real(**kw)))
    job = run_export(world.a)
    n = len(tenant_models())
    assert len(seen) == n and seen == sorted(seen) and seen[-1] == 99 and seen[0] == 100 // n
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100 and job.kind == JOB_KIND


def test_a_second_delivery_does_nothing(world, settings):
    job = run_export(world.a)
    tenant_export_run(world.a.tenant.pk, job.pk)
    with tenant_context(world.a.tenant.pk):
        assert Job.objects.get(pk=job.pk).finished_at == job.finished_at


# --- the pages ---------------------------------------------------------------------------------


def test_an_owner_starts_the_export_audited(client, world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tenant_export_run, "apply_async", lambda args: sent.append(args))
    client.force_login(world.a.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("portal:tenant_export"))
    assert response.status_code == 302 and response["Location"] == url("portal:tenant_export")
    with tenant_context(world.a.tenant.pk):
        job = Job.objects.get(kind=JOB_KIND)
        assert AuditEntry.objects.filter(action="tenant.export").count() == 1
    assert sent == [[world.a.tenant.pk, job.pk]] and job.status == JobStatus.QUEUED
    page = client.get(url("portal:tenant_export"))
    assert page.status_code == 200 and "Exporting all data" in page.content.decode()
    assert 'action="/t/alpha/data-export/"' in client.get(url("portal:audit_log")).content.decode()


@pytest.mark.parametrize(("persona", "status"), [("manager", 403), ("analyst", 403), ("partner1_admin", 404)])
def test_only_owners_export(client, world, persona, status):
    client.force_login(getattr(world.a, persona))  # a partner user has no vendor portal at all: 404
    assert client.post(url("portal:tenant_export")).status_code == status
    assert client.get(url("portal:tenant_export")).status_code == status
    with tenant_context(world.a.tenant.pk):
        assert not Job.objects.filter(kind=JOB_KIND).exists()


def test_the_owner_downloads_the_zip_as_an_attachment_audited(client, world, settings):
    job = run_export(world.a)
    client.force_login(world.a.owner)
    page = client.get(url("portal:tenant_export")).content.decode()
    assert url("portal:tenant_export_file", job_id=job.public_id) in page
    response = client.get(url("portal:tenant_export_file", job_id=job.public_id))
    assert response.status_code == 200 and response["Content-Disposition"].startswith('attachment; filename="alpha-export-')
    body = b"".join(response.streaming_content)
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.filter(action="tenant.export_download").count() == 1


def test_the_download_is_404_for_the_other_tenant_and_403_for_a_manager(client, world, settings):
    job = run_export(world.a)
    client.force_login(world.b.owner)
    assert client.get(url("portal:tenant_export_file", tenant="beta", job_id=job.public_id)).status_code == 404
    assert client.get(url("portal:tenant_export_file", job_id=job.public_id)).status_code == 404
    client.force_login(world.a.manager)
    assert client.get(url("portal:tenant_export_file", job_id=job.public_id)).status_code == 403


def test_an_unfinished_export_or_another_job_is_404(client, world):
    with tenant_context(world.a.tenant.pk):
        job = tenant_export_start(tenant=world.a.tenant, actor=world.a.owner)
    client.force_login(world.a.owner)
    assert client.get(url("portal:tenant_export_file", job_id=job.public_id)).status_code == 404


# --- expiry ------------------------------------------------------------------------------------


def test_the_nightly_sweep_removes_zips_past_retention_and_strays_and_keeps_recent_ones(client, world, settings):
    import datetime
    import os

    from django.utils import timezone

    from ecosystem.portal.tenant_export import EXPORT_RETENTION
    from ecosystem.upload_tasks import upload_orphans_sweep_task

    old, recent = run_export(world.a), run_export(world.a)
    old_path, recent_path = old.result["path"], recent.result["path"]
    with tenant_context(world.a.tenant.pk):
        Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - EXPORT_RETENTION - datetime.timedelta(hours=1))
    stray = settings.MEDIA_ROOT / "exports" / str(world.a.tenant.public_id) / "rolled-back.zip"
    stray.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    past = (timezone.now() - EXPORT_RETENTION - datetime.timedelta(days=1)).timestamp()
    os.utime(stray, (past, past))
    other_tenant = run_export(world.b)  # another tenant's zip: not this tenant's sweep to touch

    upload_orphans_sweep_task(world.a.tenant.pk)

    assert not (settings.MEDIA_ROOT / old_path).exists() and not stray.exists()
    assert (settings.MEDIA_ROOT / recent_path).exists() and (settings.MEDIA_ROOT / other_tenant.result["path"]).exists()
    with tenant_context(world.a.tenant.pk):
        expired = Job.objects.get(pk=old.pk)
        entry = AuditEntry.objects.get(action="tenant.exports_expired")
    assert expired.result["expired"] is True and expired.result["path"] == "" and expired.result["rows"] == old.result["rows"]
    assert sorted(entry.changes["files"]) == sorted([old_path, f"exports/{world.a.tenant.public_id}/rolled-back.zip"])

    client.force_login(world.a.owner)
    page = client.get(url("portal:tenant_export")).content.decode()
    assert page.count('data-testid="tenant-export-expired"') == 1 and "removed after 7 days" in page
    assert page.count('data-testid="tenant-export-download"') == 1
    assert client.get(url("portal:tenant_export_file", job_id=old.public_id)).status_code == 404
    assert client.get(url("portal:tenant_export_file", job_id=recent.public_id)).status_code == 200

    upload_orphans_sweep_task(world.a.tenant.pk)  # twice: nothing more to do, no second audit row
    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.filter(action="tenant.exports_expired").count() == 1
