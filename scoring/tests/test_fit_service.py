"""The ideal partner profile on real PostgreSQL: the members table, training into the registry (or the
reason, with nothing stored), scoring applications and prospects, a submitted application scored
through the receiver and the task, the job-backed training task, the weekly sweep, and the demo."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import CustomerAccount, DealRegistration
from deals.models.registrations import DealStage, RegistrationStatus
from ecosystem.audit.models import AuditEntry
from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_create
from ecosystem.tenancy.context import tenant_context
from onboarding.models import PartnerApplication
from onboarding.services import application_submit
from partners.models import Capability, PartnerOrganization, PartnerStatus
from scoring import fit_demo, fit_tasks
from scoring.fit_service import fit_members_table, fit_profile_train, fit_score_application, fit_scores_refresh
from scoring.models import FitScore, ModelKind, PredictionModel
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

YEAR_AGO = 400  # days in the program of the planted members


def won(tenant, partner, amount: int, *, days_ago: int = 30, n: int = 1) -> None:
    today = timezone.localdate()
    for k in range(n):
        name = f"{partner.name} customer {k} {amount}"
        account = CustomerAccount.objects.create(tenant=tenant, name=name, name_key=name.lower())
        closed = today - datetime.timedelta(days=days_ago)
        submitted = timezone.now() - datetime.timedelta(days=days_ago + 30)
        DealRegistration.objects.create(
            tenant=tenant,
            partner=partner,
            account=account,
            customer_name=name,
            contact_name="Casey Buyer",
            product_lines=["platform"],
            value=Decimal(amount),
            currency="USD",
            expected_close_date=closed,
            stage=DealStage.CLOSED_WON,
            status=RegistrationStatus.WON,
            submitted_at=submitted,
            decided_at=submitted,
            protected_until=closed,
            closed_on=closed,
            closed_amount=Decimal(amount),
            team_partner_ids=[partner.pk],
        )


def planted_program(a, *, members: int = 12) -> list[PartnerOrganization]:
    """``members`` active partners a year in the program; the first three (MSPs offering security in
    EMEA) win the most, four resellers win a little, the rest nothing. Top quartile: ceil(12/4) = 3.
    World A's own two partners joined today: not eligible."""
    with tenant_context(a.tenant.pk):
        Capability.objects.get_or_create(tenant=a.tenant, slug="security", defaults={"name": "Security"})
        partners = []
        for i in range(members):
            star = i < 3
            partners.append(
                PartnerFactory(
                    tenant=a.tenant,
                    name=f"Member {i:02d}",
                    partner_type="msp" if star else "reseller",
                    regions=["emea"] if star else ["apac"],
                    capabilities=["security"] if star else [],
                    country="DE",
                )
            )
        PartnerOrganization.objects.filter(pk__in=[p.pk for p in partners]).update(
            created_at=timezone.now() - datetime.timedelta(days=YEAR_AGO)
        )
        for i, partner in enumerate(partners):
            if i < 3:
                won(a.tenant, partner, 100_000 - i * 10_000)
            elif i < 7:
                won(a.tenant, partner, 5_000)
    return partners


def apply(a, domain: str, **values) -> PartnerApplication:
    fields = {
        "company_name": domain.split(".")[0].title(),
        "website_domain": domain,
        "partner_type": "msp",
        "expected_deal_volume": "10_50",
        "contact_name": "Ann Applicant",
        "contact_email": f"ann@{domain}",
        "regions": ["emea"],
        "capabilities": ["security"],
        "country": "DE",
        **values,
    }
    with tenant_context(a.tenant.pk):
        Capability.objects.get_or_create(tenant=a.tenant, slug="security", defaults={"name": "Security"})
        return application_submit(tenant=a.tenant, **fields).application


def test_the_members_table_marks_eligible_members_and_the_top_quartile_in_constant_queries(world):
    a = world.a
    planted_program(a, members=12)
    with tenant_context(a.tenant.pk):
        with CaptureQueriesContext(connection) as twelve:
            table = fit_members_table()
        for i in range(5):
            PartnerFactory(tenant=a.tenant, name=f"Extra {i}")
        with CaptureQueriesContext(connection) as seventeen:
            fit_members_table()
    assert len(twelve) == len(seventeen)
    assert int(table["eligible"].sum()) == 12  # world A's partner 1 and 2 joined today
    assert sorted(table.loc[table["top"], "revenue"].tolist()) == [80_000, 90_000, 100_000]
    star = table[table["top"]].iloc[0]
    assert (star["partner_type"], star["regions"], star["capabilities"], star["days_in_program"]) == (
        "msp",
        ["emea"],
        ["security"],
        YEAR_AGO,
    )
    assert star["time_to_value_days"] == YEAR_AGO - 30  # joined 400 days ago, first win 30 days ago


def test_training_stores_the_profile_with_its_window_hash_metrics_and_audit(world):
    a = world.a
    planted_program(a)
    with tenant_context(a.tenant.pk):
        training = fit_profile_train(tenant=a.tenant, actor=a.manager)
        model = training.model
        assert model is not None and model.is_active and model.kind == ModelKind.FIT and model.version == 1
        assert model.method == "weight_of_evidence"
        assert model.window_end - model.window_start == datetime.timedelta(days=365)
        assert model.features == ["partner_type", "capabilities", "regions", "country", "size"]
        assert len(model.data_sha256) == 64
        metrics = model.metrics
        assert (metrics["eligible"], metrics["top"], metrics["others"]) == (12, 3, 9)
        assert metrics["loo_auc"] == 1.0 and metrics["lpo_auc"] == 1.0  # the traits define the top performers
        msp = metrics["profile"]["traits"]["partner_type"][0]
        assert msp["value"] == "msp" and msp["label"] == "Managed service providers"
        assert msp["effect"] == pytest.approx(round(math.log(4 / 5) - math.log(1 / 11), 4))  # ln 8.8 = 2.1748
        assert metrics["descriptive"]["time_to_value_days"]["top"] == YEAR_AGO - 30
        assert AuditEntry.objects.filter(action="scoring.model_register").count() == 1
        again = fit_profile_train(tenant=a.tenant, actor=a.manager).model
        assert again.version == 2 and again.data_sha256 == model.data_sha256  # same members: same hash


def test_with_too_little_history_nothing_is_stored_and_the_reason_says_why(world):
    a = world.a
    planted_program(a, members=7)
    with tenant_context(a.tenant.pk):
        training = fit_profile_train(tenant=a.tenant, actor=a.manager)
        assert training.model is None
        assert "7 active partners at least 180 days in the program (need 8)" in training.reason
        assert not PredictionModel.objects.exists()
        assert fit_scores_refresh(tenant=a.tenant) == 0 and not FitScore.objects.exists()


def test_refresh_scores_open_applications_and_prospects_with_reasons(world):
    a = world.a
    planted_program(a)
    alike = apply(a, "alike.example")
    unlike = apply(a, "unlike.example", partner_type="reseller", regions=["apac"], capabilities=[])
    decided = apply(a, "decided.example")
    with tenant_context(a.tenant.pk):
        PartnerApplication.objects.filter(pk=decided.pk).update(status="rejected")
        prospect = PartnerFactory(tenant=a.tenant, status=PartnerStatus.PROSPECT, partner_type="msp", regions=["emea"])
        fit_profile_train(tenant=a.tenant, actor=a.manager)
        assert fit_scores_refresh(tenant=a.tenant) == 3  # two open applications, one prospect
        scores = {s.application_id or s.partner_id: s for s in FitScore.objects.all()}
        assert set(scores) == {alike.pk, unlike.pk, prospect.pk}
        assert scores[alike.pk].score > 90 > 10 > scores[unlike.pk].score
        assert scores[alike.pk].reasons[0]["sentence"] == (
            "Partners offering security are 8.8× as common among top performers as among the others"
        )  # woe = ln(4/5) − ln(1/11) = ln 8.8: msp, emea and security tie; ties read by trait name
        # Everyone is in Germany, yet the smoothing reads it as slightly less common among the three top
        # performers: ln(4/5) − ln(10/11) = −0.128 (docs/partner-fit.md, limits).
        assert [r["trait"] for r in scores[unlike.pk].reasons] == ["partner_type", "regions", "country"]
        assert scores[unlike.pk].reasons[0]["sentence"] == "Few top performers are resellers (0.2×)"  # (1/5)/(10/11)
        applications = dict(PartnerApplication.objects.values_list("pk", "fit_score"))
        assert applications[alike.pk] == scores[alike.pk].score and applications[decided.pk] is None
        assert fit_scores_refresh(tenant=a.tenant) == 3 and FitScore.objects.count() == 3  # replaced, not added


def test_a_submitted_application_is_scored_through_the_receiver_and_the_task(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    a = world.a
    planted_program(a)
    with tenant_context(a.tenant.pk):
        fit_profile_train(tenant=a.tenant, actor=a.manager)
    sent = []
    monkeypatch.setattr(fit_tasks.fit_application_score_task, "apply_async", lambda args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        application = apply(a, "newcomer.example")
        assert sent == []  # nothing before the commit
    assert sent == [[a.tenant.pk, application.pk]]
    assert fit_tasks.fit_application_score_task(*sent[0]) is True
    with tenant_context(a.tenant.pk):
        fit = FitScore.objects.get(application=application)
        assert PartnerApplication.objects.get(pk=application.pk).fit_score == fit.score > 90
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True), tenant_context(a.tenant.pk):
        fit_score_application(tenant=a.tenant, application=application)  # writing the score asks for nothing
        PartnerApplication.objects.get(pk=application.pk).save(update_fields=["message"])  # no trait changed
    assert sent == []


def test_without_a_profile_an_application_is_left_unscored(world):
    a = world.a
    application = apply(a, "early.example")
    assert fit_tasks.fit_application_score_task(a.tenant.pk, application.pk) is False
    with tenant_context(a.tenant.pk):
        assert not FitScore.objects.exists()


def test_the_training_task_reports_progress_and_scores_and_runs_once(world):
    a = world.a
    planted_program(a)
    apply(a, "queued.example")
    with tenant_context(a.tenant.pk):
        job = job_create(tenant=a.tenant, actor=a.manager, kind=fit_tasks.JOB_KIND)
    fit_tasks.fit_profile_train_task(a.tenant.pk, job.pk)
    fit_tasks.fit_profile_train_task(a.tenant.pk, job.pk)  # delivered twice
    with tenant_context(a.tenant.pk):
        job = Job.objects.get(pk=job.pk)
        assert (job.status, job.progress, job.result["outcome"], job.result["scored"]) == ("succeeded", 100, "trained", 1)
        model = PredictionModel.objects.get(kind=ModelKind.FIT)
        assert model.job_id == job.pk and model.trained_by_id == a.manager.pk


def test_the_training_task_finishes_with_the_reason_when_history_is_short(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        job = job_create(tenant=a.tenant, actor=a.manager, kind=fit_tasks.JOB_KIND)
    fit_tasks.fit_profile_train_task(a.tenant.pk, job.pk)
    with tenant_context(a.tenant.pk):
        job = Job.objects.get(pk=job.pk)
        assert job.status == "succeeded" and job.result["outcome"] == "too_little_history"
        assert "(need 8)" in job.result["reason"]


def test_the_weekly_sweep_sends_one_task_per_active_tenant(world, monkeypatch):
    delivered = []
    monkeypatch.setattr(fit_tasks.fit_weekly, "delay", lambda tenant_id: delivered.append(tenant_id))
    assert fit_tasks.fit_weekly_all_tenants() == 2
    assert sorted(delivered) == sorted([world.a.tenant.pk, world.b.tenant.pk])
    planted_program(world.a)
    apply(world.a, "weekly.example")
    assert fit_tasks.fit_weekly(world.a.tenant.pk) == 1


def test_the_demo_trains_a_profile_scores_candidates_and_is_idempotent(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        partners = {
            f"demo{i}.example": PartnerFactory(
                tenant=a.tenant,
                partner_type=("msp", "reseller", "isv", "si")[i % 4],
                status=PartnerStatus.PROSPECT if i % 5 == 4 else PartnerStatus.ACTIVE,
            )
            for i in range(24)
        }
    apply(a, "demo-applicant.example")
    with tenant_context(a.tenant.pk):
        fit_demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        model = PredictionModel.objects.get(kind=ModelKind.FIT)
        assert model.metrics["top"] >= 2 and FitScore.objects.filter(partner__isnull=False).count() == 4
        assert FitScore.objects.filter(application__isnull=False).count() == 1
        counts = (DealRegistration.objects.count(), PredictionModel.objects.count(), FitScore.objects.count())
        fit_demo.seed(tenant=a.tenant, owner=a.owner, partners=partners)
        assert (DealRegistration.objects.count(), PredictionModel.objects.count(), FitScore.objects.count()) == counts
