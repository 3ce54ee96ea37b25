"""Health score pages: the vendor's list and a partner's detail, and the partner's own score."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.exports import export_format, export_response
from ecosystem.jobs.tasks import enqueue_on_commit
from ecosystem.portal.base import roles_required
from partners.models import PartnerOrganization

from .forms import ScoringSettingsForm
from .health.score import COMPONENTS
from .models import AlertStatus, ChurnAlert, ChurnPrediction, ScoringSettings
from .selectors import component_rows, latest_scores, own_churn_prediction, score_history
from .services import scoring_settings_update
from .tasks import health_scores_nightly

PAGE_SIZE = 50


def _history_chart(history) -> dict:
    return {"labels": [s.as_of.isoformat() for s in history], "totals": [s.total for s in history]}


@roles_required(*STAFF_ROLES)
def health_list(request: HttpRequest) -> HttpResponse:
    """Every partner's latest health score, lowest first; editors can recompute everyone now."""
    if request.method == "POST":
        if request.membership.role not in PARTNER_EDITOR_ROLES:
            raise PermissionDenied(_("Your role does not allow recomputing scores."))
        enqueue_on_commit(health_scores_nightly, request.tenant.pk)
        messages.success(request, _("Scores are being recomputed; the page shows them within a minute."))
        return redirect("scoring:health", request.tenant.slug)
    if export_format(request):
        # one query; each component's 0-100 score in its own column (empty: left out of the total)
        rows = latest_scores().values_list(
            "partner__public_id", "partner__name", "partner__tier__name", "as_of", "total", "components"
        )
        return export_response(
            request,
            filename=f"partner-health-{request.tenant.slug}.csv",
            header=["partner_id", "partner", "tier", "as_of", "health_score", *COMPONENTS],
            rows=((*row[:5], *((row[5].get(name) or {}).get("score") for name in COMPONENTS)) for row in rows.iterator()),
        )
    page = Paginator(latest_scores(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"score": s, "components": component_rows(s)} for s in page.object_list]
    context = {"page": page, "rows": rows, "can_recompute": request.membership.role in PARTNER_EDITOR_ROLES}
    return render(request, "scoring/health_list.html", context)


@roles_required(*STAFF_ROLES)
def health_detail(request: HttpRequest, partner_id) -> HttpResponse:
    """One partner's score: components, what moved, top actions, and the trend of the last 180 days."""
    partner = PartnerOrganization.objects.filter(public_id=partner_id).first()
    if partner is None:
        raise NotFoundError()
    history = score_history(partner_id=partner.pk, today=timezone.localdate())
    if export_format(request):
        # the trend the page charts: one row per day scored in the last 180 days, each component in its own column
        return export_response(
            request,
            filename=f"partner-health-{partner.public_id}.csv",
            header=["partner_id", "partner", "as_of", "health_score", *COMPONENTS],
            rows=(
                [
                    partner.public_id,
                    partner.name,
                    s.as_of,
                    s.total,
                    *((s.components.get(n) or {}).get("score") for n in COMPONENTS),
                ]
                for s in history
            ),
        )
    latest = history[-1] if history else None
    churn = ChurnPrediction.objects.filter(partner=partner).order_by("-as_of").first()
    alert = ChurnAlert.objects.filter(partner=partner, status=AlertStatus.OPEN).first()
    context = {
        "partner": partner,
        "churn": churn,
        "alert": alert,
        "score": latest,
        "components": component_rows(latest) if latest else [],
        "chart": _history_chart(history),
    }
    return render(request, "scoring/health_detail.html", context)


@roles_required(*PARTNER_ROLES)
def my_health(request: HttpRequest) -> HttpResponse:
    """The partner's own latest score, its components, what would raise it, and its trend."""
    history = score_history(partner_id=request.membership.partner_id, today=timezone.localdate())
    latest = history[-1] if history else None
    context = {
        "score": latest,
        "components": component_rows(latest) if latest else [],
        "chart": _history_chart(history),
        "churn": own_churn_prediction(tenant=request.tenant, partner_id=request.membership.partner_id),
    }
    return render(request, "scoring/partner_health.html", context)


@roles_required(*STAFF_ROLES)
def health_settings(request: HttpRequest) -> HttpResponse:
    """The weights and parameters of the health score, and the churn settings (editors change them)."""
    can_change = request.membership.role in PARTNER_EDITOR_ROLES
    current = ScoringSettings.objects.filter(tenant=request.tenant).first()
    form = ScoringSettingsForm(request.POST or None, initial=ScoringSettingsForm.initial_for(current))
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("Your role does not allow changing the scoring settings."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                scoring_settings_update(
                    tenant=request.tenant,
                    actor=request.user,
                    weights=form.weights(),
                    parameters=form.parameters(),
                    inactive_after_days=data["inactive_after_days"],
                    at_risk_threshold=data["at_risk_threshold"],
                    partners_see_churn=data["partners_see_churn"],
                    alert_emails=data["alert_emails"],
                    alert_webhook_url=data["alert_webhook_url"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Saved. Scores follow at the next computation (or Recompute now)."))
                return redirect("scoring:health_settings", request.tenant.slug)
    context = {
        "form": form,
        "can_change": can_change,
        "webhook_secret": current.alert_webhook_secret if current and can_change else "",
    }
    return render(request, "scoring/health_settings.html", context)
