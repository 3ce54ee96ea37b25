"""Isolation matrix rows for the ideal partner profile pages, and the tenant A objects they probe.

All three are vendor staff pages (partner users get 404): the profile with the scored prospects and
applications, "Train profile now" (editors), and a training job's progress. Tenant A gets an active
profile (stored directly from a hand-made members table), a scored prospect partner and application,
and a training job.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    "scoring:fit": Route(no_ids, ("GET",)),
    "scoring:fit_train": Route(no_ids, ("POST",)),
    "scoring:fit_job": Route(lambda o: {"job_id": o["fit_job"]}, ("GET",)),
    # API (staff only)
    "api:fit-profile": Route(no_ids, ("GET",)),
    "api:fit-profile-train": Route(no_ids, ("POST",)),
    "api:fit-score-list": Route(no_ids, ("GET",)),
}


def objects(a) -> dict:
    """Made inside A's tenant scope. Returns the ids the rows need (no partner-owned ones).

    The scores are written directly, without a stored profile: a PredictionModel's fitted bytes read
    back as a memoryview, which the matrix's fingerprint cannot compare from one read to the next.
    """
    from django.utils import timezone

    from ecosystem.jobs.services import job_create
    from onboarding.models import PartnerApplication
    from onboarding.services import application_submit
    from partners.models import PartnerOrganization, PartnerStatus
    from scoring.fit_tasks import JOB_KIND
    from scoring.models import FitScore

    prospect = PartnerOrganization.objects.create(
        tenant=a.tenant, name="Probe Prospect", partner_type="msp", status=PartnerStatus.PROSPECT, regions=["emea"]
    )
    application = application_submit(
        tenant=a.tenant,
        company_name="Probe Fit Applicant",
        website_domain="fit-applicant.example",
        partner_type="msp",
        expected_deal_volume="10_50",
        contact_name="Fiona Fit",
        contact_email="fiona@fit-applicant.example",
    ).application
    reasons = [
        {
            "trait": "partner_type",
            "value": "msp",
            "label": "Managed service providers",
            "sentence": "Managed service providers are 2.3× as common among top performers as among the others",
            "effect": 0.81,
            "ratio": 2.25,
        }
    ]
    now = timezone.now()
    FitScore.objects.create(tenant=a.tenant, partner=prospect, score=69.2, reasons=reasons, computed_at=now)
    FitScore.objects.create(tenant=a.tenant, application=application, score=69.2, reasons=reasons, computed_at=now)
    PartnerApplication.objects.filter(pk=application.pk).update(fit_score=69.2)
    job = job_create(tenant=a.tenant, actor=a.owner, kind=JOB_KIND)
    return {"fit_job": job.public_id, "fit_prospect": prospect.public_id, "fit_application": application.public_id}
