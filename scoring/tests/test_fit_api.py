"""The ideal partner profile in the API: staff read the active profile with its traits (or why there is
none), the fit of prospects and open applications best first with cursor pages, filters and ordering;
editors start training (a job, queued after the commit); analysts 403, partner users and the other tenant 404."""

from __future__ import annotations

import pytest

from ecosystem.jobs.models import Job
from ecosystem.tenancy.context import tenant_context
from scoring import fit_tasks
from scoring.fit_service import fit_profile_train, fit_scores_refresh
from scoring.tests.test_fit_service import apply, planted_program

pytestmark = pytest.mark.django_db
BASE = "/api/v1/t/alpha/"


@pytest.fixture
def trained(world):
    a = world.a
    planted_program(a)
    applications = [apply(a, "alike.example"), apply(a, "unlike.example", partner_type="reseller", regions=["apac"])]
    with tenant_context(a.tenant.pk):
        model = fit_profile_train(tenant=a.tenant, actor=a.manager).model
        fit_scores_refresh(tenant=a.tenant)
    return {"model": model, "applications": applications}


def test_staff_read_the_active_profile_and_its_traits(client, world, trained):
    client.force_login(world.a.analyst)
    body = client.get(BASE + "fit-profile/").json()
    assert body["profile"]["id"] == str(trained["model"].public_id) and body["profile"]["version"] == 1
    assert body["profile"]["metrics"]["top"] == 3 and body["history"] is None
    traits = {row["trait"]: row for row in body["profile"]["traits"]}
    assert traits["partner_type"]["label"] and traits["partner_type"]["values"]


def test_without_history_the_profile_is_null_and_says_why(client, world):
    client.force_login(world.a.manager)
    body = client.get(BASE + "fit-profile/").json()
    assert body["profile"] is None and body["last_job"] is None
    assert body["history"]["enough"] is False and "need 8" in body["history"]["reason"]


def test_fit_scores_best_first_filtered_and_ordered(client, world, trained):
    client.force_login(world.a.analyst)
    page = client.get(BASE + "fit-scores/").json()
    names = [row["name"] for row in page["results"]]
    assert names.index("Alike") < names.index("Unlike")  # the applicant like the top performers first
    scores = [row["score"] for row in page["results"]]
    assert scores == sorted(scores, reverse=True) and "count" not in page
    applications = client.get(BASE + "fit-scores/", {"subject": "application"}).json()["results"]
    assert {row["application"] for row in applications} == {str(app.public_id) for app in trained["applications"]}
    assert all(row["subject"] == "application" and row["partner"] is None and row["reasons"] for row in applications)
    ascending = [row["score"] for row in client.get(BASE + "fit-scores/", {"ordering": "score"}).json()["results"]]
    assert ascending == sorted(ascending)
    bad = client.get(BASE + "fit-scores/", {"ordering": "reasons"})
    assert bad.status_code == 400 and bad.json()["attr"] == "ordering"


def test_training_is_for_editors_and_queued_after_the_commit(client, world, monkeypatch, django_capture_on_commit_callbacks):
    a = world.a
    sent = []
    monkeypatch.setattr(fit_tasks.fit_profile_train_task, "apply_async", lambda args: sent.append(args))
    client.force_login(a.analyst)
    assert client.post(BASE + "fit-profile/train/").status_code == 403
    for person in (a.partner1_admin, world.b.owner):
        client.force_login(person)
        assert client.post(BASE + "fit-profile/train/").status_code == 404
        assert client.get(BASE + "fit-profile/").status_code == 404
        assert client.get(BASE + "fit-scores/").status_code == 404
    with tenant_context(a.tenant.pk):
        assert not Job.objects.exists()  # nothing started
    client.force_login(a.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BASE + "fit-profile/train/")
    with tenant_context(a.tenant.pk):
        job = Job.objects.get(kind=fit_tasks.JOB_KIND)
    assert response.status_code == 202 and response.json()["id"] == str(job.public_id)
    assert sent == [[a.tenant.pk, job.pk]]
    assert client.get(BASE + "fit-profile/").json()["last_job"]["id"] == str(job.public_id)
