"""The ideal partner profile page (vendor staff): the profile, its honesty check, training, and the fit
of every prospect partner and open application with its reasons."""

from __future__ import annotations

from itertools import chain

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import NotFoundError
from ecosystem.exports import export_format, export_response
from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_create
from ecosystem.jobs.tasks import enqueue_on_commit
from ecosystem.portal.base import back_to_tenant, roles_required
from onboarding.models import PartnerApplication

from .fit import profile as engine
from .fit_service import OPEN_APPLICATION_STATUSES, PROSPECT_STATUSES, TRAIT_LABELS, fit_history_check
from .fit_tasks import JOB_KIND, fit_profile_train_task
from .models import FitScore, ModelKind, PredictionModel

PAGE_SIZE = 25


def _profile_rows(model: PredictionModel) -> list[dict]:
    traits = (model.metrics.get("profile") or {}).get("traits") or {}
    return [{"trait": name, "label": TRAIT_LABELS[name], "values": traits.get(name) or []} for name in engine.TRAITS]


@roles_required(*STAFF_ROLES)
def fit_profile(request: HttpRequest) -> HttpResponse:
    """The active profile (or why there is none), the latest training job, and the scored candidates."""
    model = PredictionModel.objects.filter(kind=ModelKind.FIT, is_active=True).defer("artefact").first()
    history = None if model is not None else fit_history_check()
    prospects = (
        FitScore.objects.filter(partner__status__in=PROSPECT_STATUSES)
        .select_related("partner")
        .order_by("-score", "partner__name")
    )
    applications = (
        PartnerApplication.objects.filter(status__in=OPEN_APPLICATION_STATUSES)
        .select_related("fit")
        .order_by(F("fit_score").desc(nulls_last=True), "-submitted_at", "-id")
    )
    if export_format(request):
        # the two scored lists the page shows, prospects then open applications: two queries
        return export_response(
            request,
            filename=f"partner-fit-{request.tenant.slug}.csv",
            header=["kind", "id", "name", "status", "fit", "computed_at"],
            rows=chain(
                (
                    ("partner", *row)
                    for row in prospects.values_list(
                        "partner__public_id", "partner__name", "partner__status", "score", "computed_at"
                    ).iterator()
                ),
                (
                    ("application", *row)
                    for row in applications.values_list(
                        "public_id", "company_name", "status", "fit_score", "fit__computed_at"
                    ).iterator()
                ),
            ),
        )
    context = {
        "model": model,
        "profile_rows": _profile_rows(model) if model is not None else [],
        "history": history,
        "definition": {
            "days": engine.MIN_DAYS_IN_PROGRAM,
            "window": engine.REVENUE_WINDOW_DAYS,
            "min_eligible": engine.MIN_ELIGIBLE,
            "min_top": engine.MIN_TOP,
        },
        "last_job": Job.objects.filter(kind=JOB_KIND).first(),
        "can_train": request.membership.role in PARTNER_EDITOR_ROLES,
        "prospects": Paginator(prospects, PAGE_SIZE).get_page(request.GET.get("prospects_page")),
        "applications": Paginator(applications, PAGE_SIZE).get_page(request.GET.get("applications_page")),
    }
    return render(request, "scoring/fit_profile.html", context)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def fit_train(request: HttpRequest) -> HttpResponse:
    """Start training the profile now (a job with progress); scoring follows in the same job."""
    job = job_create(tenant=request.tenant, actor=request.user, kind=JOB_KIND)
    enqueue_on_commit(fit_profile_train_task, request.tenant.pk, job.pk)
    if request.htmx:
        return render(request, "scoring/fit_job.html", {"job": job})
    messages.info(request, _("The profile is being trained in the background."))
    return back_to_tenant(request, "scoring:fit")


@roles_required(*STAFF_ROLES)
def fit_job(request: HttpRequest, job_id) -> HttpResponse:
    """The progress of one training job (polled by the page while it runs)."""
    job = Job.objects.filter(kind=JOB_KIND, public_id=job_id).first()
    if job is None:
        raise NotFoundError()
    return render(request, "scoring/fit_job.html", {"job": job})
