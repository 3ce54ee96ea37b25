"""The ideal partner profile pages and the review queue: the profile with its honesty check, the reason
with too little history, training for editors only (a job after the commit), the queue and the
application page showing the fit with its reasons in a fixed number of queries, and isolation
(another tenant's staff and partner users get 404 and none of our ids)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecosystem.jobs.models import Job
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import TenantModel
from partners.models import PartnerStatus
from scoring import fit_tasks
from scoring.fit_service import fit_profile_train, fit_scores_refresh
from scoring.tests.test_fit_service import apply, planted_program
from tests.factories import PartnerFactory
from tests.isolation import scoring_fit
from tests.test_isolation_matrix import assert_no_foreign_ids, fingerprint, probe

pytestmark = pytest.mark.django_db


def url(name, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


@pytest.fixture
def trained(world):
    a = world.a
    planted_program(a)
    applications = [apply(a, "alike.example"), apply(a, "unlike.example", partner_type="reseller", regions=["apac"])]
    with tenant_context(a.tenant.pk):
        model = fit_profile_train(tenant=a.tenant, actor=a.manager).model
        fit_scores_refresh(tenant=a.tenant)
    return {"model": model, "applications": applications}


def test_the_page_shows_the_profile_its_honesty_check_and_the_scored_candidates(client, world, trained):
    client.force_login(world.a.analyst)
    page = client.get(url("scoring:fit")).content.decode()
    assert 'data-testid="fit-version">v1<' in page and 'data-testid="fit-top">3<' in page
    assert 'data-testid="fit-auc">1.00<' in page and 'data-testid="fit-lpo-auc">1.00<' in page
    assert "Managed service providers" in page and "8.8×" in page  # the profile's values and ratios
    assert page.count('data-testid="fit-application"') == 2
    assert "Few top performers are resellers (0.2×)" in page  # the unlike applicant's reason
    assert 'data-testid="fit-train"' not in page  # analysts read, editors train


def test_with_too_little_history_the_page_says_why(client, world):
    client.force_login(world.a.manager)
    page = client.get(url("scoring:fit")).content.decode()
    assert 'data-testid="fit-no-profile"' in page and "0 active partners at least 180 days in the program (need 8)" in page


def test_training_is_for_editors_and_queued_after_the_commit(client, world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(fit_tasks.fit_profile_train_task, "apply_async", lambda args: sent.append(args))
    client.force_login(world.a.analyst)
    assert client.post(url("scoring:fit_train")).status_code == 403
    with tenant_context(world.a.tenant.pk):
        assert not Job.objects.exists()  # nothing changed
    client.force_login(world.a.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("scoring:fit_train"), headers={"HX-Request": "true"})
    with tenant_context(world.a.tenant.pk):
        job = Job.objects.get(kind=fit_tasks.JOB_KIND)
    assert response.status_code == 200 and 'data-testid="fit-job"' in response.content.decode()
    assert sent == [[world.a.tenant.pk, job.pk]]
    progress = client.get(url("scoring:fit_job", job_id=job.public_id)).content.decode()
    assert 'data-testid="job-progress">0%<' in progress


# The portal's frame around every tenant page: session, user, tenant, savepoint, RLS settings,
# membership; the navigation's savepoint, settings cleared, the user's memberships, settings again,
# release; the outer release and the settings cleared.
FRAME = 13


def test_the_queue_shows_fit_and_top_reason_in_a_fixed_number_of_queries(client, world, trained, django_assert_num_queries):
    a = world.a
    client.force_login(a.manager)
    queue = reverse("onboarding:application_list", kwargs={"tenant_slug": "alpha"})
    with django_assert_num_queries(FRAME + 2):  # + the count, one page of applications with partner and fit joined
        body = client.get(queue, {"sort": "fit"}).content.decode()
    assert body.index("Alike") < body.index("Unlike")  # best fit first
    assert 'data-testid="application-fit-reason">Partners offering security are 8.8×' in body
    for n in range(3):
        apply(a, f"more{n}.example")
    with tenant_context(a.tenant.pk):
        fit_scores_refresh(tenant=a.tenant)
    with django_assert_num_queries(FRAME + 2):  # the same with five applications as with two
        body = client.get(queue, {"sort": "fit"}).content.decode()
    assert body.count('data-testid="application-fit-reason"') == 5


def test_the_fit_page_runs_a_fixed_number_of_queries(client, world, trained, django_assert_num_queries):
    a = world.a
    client.force_login(a.analyst)
    # + the active model, the latest job, two counts, one page of prospects, one page of applications
    with tenant_context(a.tenant.pk):
        PartnerFactory(tenant=a.tenant, status=PartnerStatus.PROSPECT)
        fit_scores_refresh(tenant=a.tenant)
    with django_assert_num_queries(FRAME + 6):
        client.get(url("scoring:fit"))
    apply(a, "later.example")
    with tenant_context(a.tenant.pk):
        for _ in range(3):
            PartnerFactory(tenant=a.tenant, status=PartnerStatus.ONBOARDING)
        fit_scores_refresh(tenant=a.tenant)
    with django_assert_num_queries(FRAME + 6):
        body = client.get(url("scoring:fit")).content.decode()
    assert body.count('data-testid="fit-prospect"') == 4 and body.count('data-testid="fit-application"') == 3


def test_the_application_page_shows_the_score_and_every_reason(client, world, trained, django_assert_num_queries):
    a = world.a
    alike = trained["applications"][0]
    client.force_login(a.manager)
    detail = reverse("onboarding:application_detail", kwargs={"tenant_slug": "alpha", "application_id": alike.public_id})
    with CaptureQueriesContext(connection) as scored:
        body = client.get(detail).content.decode()
    with tenant_context(a.tenant.pk):
        fit = type(alike).objects.select_related("fit").get(pk=alike.pk).fit
    assert f"{fit.score:.0f} / 100" in body and len(fit.reasons) == 3
    for reason in fit.reasons:
        assert reason["sentence"] in body
    unscored = apply(a, "unscored.example")
    assert len(scored) == FRAME + 3  # + the application with partner and fit joined, capabilities, screening matches
    with django_assert_num_queries(FRAME + 3):  # unscored: the same queries
        body = client.get(
            reverse("onboarding:application_detail", kwargs={"tenant_slug": "alpha", "application_id": unscored.public_id})
        ).content.decode()
    assert "Not scored yet" in body


def test_partner_users_get_404_on_every_fit_page(client, world, trained):
    with tenant_context(world.a.tenant.pk):
        job_id = Job.objects.create(tenant=world.a.tenant, kind=fit_tasks.JOB_KIND).public_id
    client.force_login(world.a.partner1_admin)
    assert client.get(url("scoring:fit")).status_code == 404
    assert client.post(url("scoring:fit_train")).status_code == 404
    assert client.get(url("scoring:fit_job", job_id=job_id)).status_code == 404


def test_cannot_access_other_tenants_fit_pages_or_see_their_ids(client, world):
    """The isolation matrix rows of tests/isolation/scoring_fit.py, probed as the matrix does."""
    a = world.a
    with tenant_context(a.tenant.pk):
        objects = scoring_fit.objects(a)
        ours = {
            str(value)
            for model in apps.get_models()
            if issubclass(model, TenantModel) and any(f.name == "public_id" for f in model._meta.fields)
            for value in model.objects.values_list("public_id", flat=True)
        } | {str(a.tenant.public_id)}
    client.force_login(a.manager)  # the probe objects are on A's own page
    own = client.get(url("scoring:fit")).content.decode()
    assert str(objects["fit_prospect"]) in own and str(objects["fit_application"]) in own
    client.logout()
    before = fingerprint(a.tenant.pk, except_partner_id=a.partner2.pk)
    for name, route in scoring_fit.ROUTES.items():
        ids = {k: str(v) for k, v in route.ids(objects).items()}
        a_url = reverse(name, kwargs={"tenant_slug": "alpha", **ids})
        b_url = reverse(name, kwargs={"tenant_slug": "beta", **ids})
        foreign = next(iter(ids.values()), str(objects["fit_prospect"]))
        personas = [
            (world.b.owner, a_url, {404}),
            (a.revoked, a_url, {404}),
            (world.outsider, a_url, {404}),
            (world.b.owner, b_url, {404} if ids else {200, 202, 302}),  # 202: beta's own training job queued
            (a.partner2_admin, a_url, {404}),
        ]
        for user, where, expected in personas:
            client.force_login(user)
            for method in route.methods:
                response = probe(client, method, where, foreign)
                assert response.status_code in expected, f"{user} {method} {where}: {response.status_code}"
                assert_no_foreign_ids(response, ours, f"{user} {method} {where}")
            client.logout()
    if fingerprint(a.tenant.pk, except_partner_id=a.partner2.pk) != before:
        with tenant_context(a.tenant.pk):
            for model in apps.get_models():
                if issubclass(model, TenantModel):
                    print(model._meta.label, model.objects.count())
    assert fingerprint(a.tenant.pk, except_partner_id=a.partner2.pk) == before
