"""``data-exports/``: the portal's full data export through the API (signed-in owners only)."""

from __future__ import annotations

import io
import zipfile

import pytest

from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.jobs.models import Job, JobStatus
from ecosystem.portal.tenant_export import JOB_KIND, tenant_export_start
from ecosystem.portal.tenant_export_tasks import tenant_export_run
from ecosystem.tenancy.context import tenant_context

URL = "/api/v1/t/alpha/data-exports/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_export(tenant_world) -> Job:
    with tenant_context(tenant_world.tenant.pk):
        job = tenant_export_start(tenant=tenant_world.tenant, actor=tenant_world.owner)
    tenant_export_run(tenant_world.tenant.pk, job.pk)
    with tenant_context(tenant_world.tenant.pk):
        return Job.objects.get(pk=job.pk)


def test_an_owner_starts_an_export_that_is_queued_after_commit(client, world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tenant_export_run, "apply_async", lambda args: sent.append(args))
    client.force_login(world.a.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL)
    assert response.status_code == 202, response.content
    assert (response.json()["kind"], response.json()["status"]) == (JOB_KIND, JobStatus.QUEUED)
    with tenant_context(world.a.tenant.pk):
        job = Job.objects.get(kind=JOB_KIND)
        assert AuditEntry.objects.filter(action="tenant.export").count() == 1
    assert sent == [[world.a.tenant.pk, job.pk]]
    assert [row["id"] for row in client.get(URL).json()["results"]] == [str(job.public_id)]


def test_the_owner_downloads_a_finished_export_audited(client, world):
    job = run_export(world.a)
    client.force_login(world.a.owner)
    response = client.get(f"{URL}{job.public_id}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.filter(action="tenant.export_download").count() == 1


def test_an_unfinished_export_is_not_downloadable(client, world):
    with tenant_context(world.a.tenant.pk):
        job = tenant_export_start(tenant=world.a.tenant, actor=world.a.owner)
    client.force_login(world.a.owner)
    assert client.get(f"{URL}{job.public_id}/download/").status_code == 404


@pytest.mark.parametrize("persona", ["manager", "analyst", "partner1_admin"])
def test_only_owners_export(client, world, persona):
    client.force_login(getattr(world.a, persona))
    assert client.post(URL).status_code in (403, 404)
    with tenant_context(world.a.tenant.pk):
        assert not Job.objects.filter(kind=JOB_KIND).exists()


def test_an_api_key_may_not_export_everything(client, world):
    job = run_export(world.a)
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="BI", scope="write")
    key = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    assert client.get(f"{URL}{job.public_id}/download/", **key).json()["code"] == "api_key_forbidden"
    assert client.post(URL, **key).status_code == 403
