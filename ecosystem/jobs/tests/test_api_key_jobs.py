"""Integrations start jobs with an API key: the job has no person behind it, the audit log names the key."""

from __future__ import annotations

from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.jobs.models import Job
from ecosystem.tenancy.context import tenant_context


def test_a_write_key_starts_a_job_and_polls_it(client, world):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="BI export", scope="write")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}

    response = client.post("/api/v1/t/alpha/jobs/", {"kind": "dashboard_metrics"}, content_type="application/json", **auth)
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["kind"], job["status"], job["progress"]) == ("dashboard_metrics", "queued", 0)

    polled = client.get(f"/api/v1/t/alpha/jobs/{job['id']}/", **auth)
    assert polled.status_code == 200
    assert polled.json()["id"] == job["id"]

    with tenant_context(world.a.tenant.pk):
        stored = Job.objects.get(public_id=job["id"])
        entry = AuditEntry.objects.get(action="job.create")
    assert stored.created_by_id is None
    assert entry.actor_label == f"API key BI export ({issued.api_key.prefix})"


def test_a_finished_export_job_shows_its_counts_but_not_where_the_file_is_stored(client, world):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="BI export", scope="read")
        job = Job.objects.create(
            tenant=world.a.tenant,
            kind="tenant_export",
            status="succeeded",
            progress=100,
            result={"path": f"exports/{world.a.tenant.public_id}/x.zip", "size": 10, "tables": 3, "rows": 7},
        )
    body = client.get(f"/api/v1/t/alpha/jobs/{job.public_id}/", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}").json()
    assert body["result"] == {"size": 10, "tables": 3, "rows": 7}
