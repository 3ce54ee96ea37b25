"""Churn pages for vendor staff: risk by partner, alerts and interventions, the model card, training.

- ``churn``: the model in use (or the rule-based score and why), drift, open alerts, every partner's
  latest risk with its drivers; editors start a training job.
- ``churn_model``: the active model's card (metrics against the rule-based baseline, calibration curve,
  training window, features and their importance, drift) and every version, with activate (rollback).
- ``churn_alert``: one alert: drivers, the suggested intervention, what was done, its outcome; close it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.exports import export_format, export_response
from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_create
from ecosystem.jobs.tasks import enqueue_on_commit
from ecosystem.portal.base import roles_required

from . import churn_service
from .churn_features import FEATURES
from .forms import InterventionForm, OutcomeForm
from .models import ChurnAlert, Intervention, ModelKind, PredictionModel
from .registry import prediction_model_activate
from .selectors import intervention_counts, latest_churn_predictions, open_alerts
from .tasks import churn_train

PAGE_SIZE = 50
JOB_KIND = "churn_train"


def _can_edit(request: HttpRequest) -> bool:
    return request.membership.role in PARTNER_EDITOR_ROLES


def _require_editor(request: HttpRequest) -> None:
    if not _can_edit(request):
        raise PermissionDenied(_("Your role does not allow this."))


@roles_required(*STAFF_ROLES)
def churn(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _require_editor(request)
        job = job_create(tenant=request.tenant, actor=request.user, kind=JOB_KIND)
        enqueue_on_commit(churn_train, request.tenant.pk, job.pk)
        messages.success(request, _("Training started; the page follows its progress."))
        return redirect("scoring:churn", request.tenant.slug)
    if export_format(request):
        # each partner's latest prediction, highest risk first, with its top drivers as sentences: one query
        rows = latest_churn_predictions().values_list(
            "partner__public_id", "partner__name", "partner__tier__name", "as_of", "probability", "method", "drivers"
        )
        return export_response(
            request,
            filename=f"churn-predictions-{request.tenant.slug}.csv",
            header=["partner_id", "partner", "tier", "as_of", "probability", "method", "top_drivers"],
            rows=((*row[:6], "; ".join(d.get("sentence", "") for d in row[6])) for row in rows.iterator()),
        )
    model = PredictionModel.objects.filter(kind=ModelKind.CHURN, is_active=True).defer("artefact").first()
    page = Paginator(latest_churn_predictions(), PAGE_SIZE).get_page(request.GET.get("page"))
    config = churn_service.scoring_settings(request.tenant)
    context = {
        "model": model,
        "status": config.churn_status,
        "threshold": config.at_risk_threshold,
        "alerts": list(open_alerts()[:100]),
        "page": page,
        "interventions": intervention_counts(),
        "job": Job.objects.filter(kind=JOB_KIND).order_by("-created_at").first(),
        "can_edit": _can_edit(request),
    }
    return render(request, "scoring/churn.html", context)


@roles_required(*STAFF_ROLES)
def churn_job(request: HttpRequest, job_id) -> HttpResponse:
    job = Job.objects.filter(kind=JOB_KIND, public_id=job_id).first()
    if job is None:
        raise NotFoundError()
    return render(request, "scoring/_churn_job.html", {"job": job})


def _chart(model: PredictionModel) -> dict:
    curve = (model.metrics.get("test") or {}).get("calibration_curve") or []
    return {
        "predicted": [round(b["mean_predicted"], 4) for b in curve],
        "observed": [round(b["observed_rate"], 4) for b in curve],
        "n": [b["n"] for b in curve],
    }


@roles_required(*STAFF_ROLES)
def churn_model(request: HttpRequest, model_id=None) -> HttpResponse:
    models = list(PredictionModel.objects.filter(kind=ModelKind.CHURN).defer("artefact").order_by("-version"))
    if model_id is None:
        model = next((m for m in models if m.is_active), models[0] if models else None)
    else:
        model = next((m for m in models if m.public_id == model_id), None)
        if model is None:
            raise NotFoundError()
    importance = (
        {row["feature"]: row["mean_abs_contribution"] for row in (model.metrics.get("importance") or [])} if model else {}
    )
    context = {
        "model": model,
        "models": models,
        "chart": _chart(model) if model else None,
        "features": [
            {"name": name, "importance": importance.get(name), "used": model is not None and name in model.features}
            for name in (model.features + model.metrics.get("dropped_features", []) if model else FEATURES)
        ],
        "can_edit": _can_edit(request),
    }
    return render(request, "scoring/churn_model.html", context)


@roles_required(*STAFF_ROLES)
def churn_model_activate(request: HttpRequest, model_id) -> HttpResponse:
    if request.method != "POST":
        return redirect("scoring:churn_model", request.tenant.slug)
    _require_editor(request)
    model = PredictionModel.objects.filter(kind=ModelKind.CHURN, public_id=model_id).defer("artefact").first()
    if model is None:
        raise NotFoundError()
    prediction_model_activate(tenant=request.tenant, actor=request.user, model=model)
    messages.success(
        request, _("Version %(v)s is now the active model; predictions follow at the next daily run.") % {"v": model.version}
    )
    return redirect("scoring:churn_model", request.tenant.slug)


@roles_required(*STAFF_ROLES)
def churn_alert(request: HttpRequest, alert_id) -> HttpResponse:
    alert = ChurnAlert.objects.filter(public_id=alert_id).select_related("partner", "closed_by").first()
    if alert is None:
        raise NotFoundError()
    initial = {"action": alert.suggestion.get("action"), "occurred_on": timezone.localdate()}
    form = InterventionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require_editor(request)
        if request.POST.get("close"):
            try:
                churn_service.churn_alert_close(tenant=request.tenant, actor=request.user, alert=alert)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Alert closed."))
            return redirect("scoring:churn_alert", request.tenant.slug, alert.public_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                churn_service.intervention_record(
                    tenant=request.tenant,
                    actor=request.user,
                    partner=alert.partner,
                    alert=alert,
                    action=data["action"],
                    occurred_on=data["occurred_on"],
                    note=data["note"],
                    outcome=data["outcome"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Intervention recorded."))
                return redirect("scoring:churn_alert", request.tenant.slug, alert.public_id)
    context = {
        "alert": alert,
        "form": form,
        "interventions": list(alert.interventions.select_related("recorded_by").order_by("-occurred_on", "-id")),
        "outcome_form": OutcomeForm(),
        "can_edit": _can_edit(request),
    }
    return render(request, "scoring/churn_alert.html", context)


@roles_required(*STAFF_ROLES)
def intervention_outcome(request: HttpRequest, intervention_id) -> HttpResponse:
    intervention = Intervention.objects.filter(public_id=intervention_id).select_related("alert").first()
    if intervention is None:
        raise NotFoundError()
    if request.method != "POST":
        return redirect("scoring:churn", request.tenant.slug)
    _require_editor(request)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        churn_service.intervention_set_outcome(
            tenant=request.tenant, actor=request.user, intervention=intervention, outcome=form.cleaned_data["outcome"]
        )
        messages.success(request, _("Outcome saved."))
    else:
        messages.error(request, _("Choose an outcome."))
    if intervention.alert is not None:
        return redirect("scoring:churn_alert", request.tenant.slug, intervention.alert.public_id)
    return redirect("scoring:churn", request.tenant.slug)
