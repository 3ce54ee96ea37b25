"""The job list filters by every kind of job the platform records, not only the kinds the API starts."""

from __future__ import annotations

import pytest

from ecosystem.jobs.api.filters import RECORDED_JOB_KINDS
from ecosystem.jobs.services import job_create
from ecosystem.portal.views import DASHBOARD_JOB
from ecosystem.tenancy.context import tenant_context
from onboarding.api.screening_views import RESCREEN_JOB_KIND

JOBS = "/api/v1/t/alpha/jobs/"


@pytest.fixture
def jobs(world):
    """One job of each kind in tenant A, and a re-screen in tenant B."""
    with tenant_context(world.a.tenant.pk):
        dashboard = job_create(tenant=world.a.tenant, actor=world.a.owner, kind=DASHBOARD_JOB)
        rescreen = job_create(tenant=world.a.tenant, actor=world.a.owner, kind=RESCREEN_JOB_KIND)
    with tenant_context(world.b.tenant.pk):
        job_create(tenant=world.b.tenant, actor=world.b.owner, kind=RESCREEN_JOB_KIND)
    return {"dashboard": dashboard, "rescreen": rescreen}


def test_every_kind_the_platform_creates_is_a_filter_choice():
    assert {DASHBOARD_JOB, RESCREEN_JOB_KIND} <= {kind for kind, _label in RECORDED_JOB_KINDS}


def test_filtering_by_the_rescreen_kind_lists_only_re_screens(client, world, jobs):
    client.force_login(world.a.analyst)

    response = client.get(JOBS, {"kind": "screening_rescreen"})

    assert response.status_code == 200
    assert [j["id"] for j in response.json()["results"]] == [str(jobs["rescreen"].public_id)]


def test_filtering_by_the_dashboard_kind_lists_only_dashboard_recounts(client, world, jobs):
    client.force_login(world.a.analyst)

    response = client.get(JOBS, {"kind": "dashboard_metrics"})

    assert [j["id"] for j in response.json()["results"]] == [str(jobs["dashboard"].public_id)]


def test_an_unknown_kind_answers_400_naming_the_parameter(client, world, jobs):
    client.force_login(world.a.analyst)

    response = client.get(JOBS, {"kind": "sideways"})

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("invalid_choice", "kind")


def test_the_api_still_starts_only_the_dashboard_recount(client, world):
    """Filtering by a kind does not make it startable: a re-screen starts by uploading a screening list."""
    client.force_login(world.a.manager)

    response = client.post(JOBS, {"kind": "screening_rescreen"}, content_type="application/json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("invalid_choice", "kind")
