"""Attribution pages (vendor staff): the runs with a start form, a run's comparison of models, its CSV."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_response
from ecosystem.portal.base import roles_required
from partners.models import PartnerOrganization

from ..forms import RunForm, model_label
from ..models import AttributionCredit, AttributionRun, RunStatus
from ..results import rollup_by_type_and_tier
from ..selectors import DEFAULT_INFLUENCE_WINDOW_DAYS, sourced_influenced_by_partner, sourced_vs_influenced
from ..services import attribution_run_create
from .results import runs_filtered, runs_query

PAGE_SIZE = 25
MAX_INFLUENCE_WINDOW_DAYS = 730


@roles_required(*STAFF_ROLES)
def run_list(request: HttpRequest) -> HttpResponse:
    can_start = request.membership.role in PARTNER_EDITOR_ROLES
    form = RunForm(request.POST or None, initial=RunForm.defaults())
    if request.method == "POST":
        if not can_start:
            raise PermissionDenied(_("Your role does not allow starting a run."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = attribution_run_create(
                    tenant=request.tenant,
                    actor=request.user,
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    dimension=data["dimension"],
                    models=data["models"],
                    parameters=form.parameters(),
                )
            except ApplicationError as error:
                field = {"position": "position_middle"}.get(error.field or "", error.field)
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("Run queued."))
                return redirect("attribution:detail", request.tenant.slug, run.public_id)
    runs, filters = runs_filtered(request)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    for run in page.object_list:
        run.model_labels = [model_label(m) for m in run.model_names]
    context = {"page": page, "form": form, "can_start": can_start, "filters": filters, "query": runs_query(filters)}
    return render(request, "attribution/run_list.html", context)


def _run(request: HttpRequest, run_id) -> AttributionRun:
    run = AttributionRun.objects.filter(tenant=request.tenant, public_id=run_id).select_related("job", "created_by").first()
    if run is None:
        raise Http404
    return run


def comparison(run: AttributionRun) -> dict:
    """Channels × models: credited conversions and value per cell, with per-model totals."""
    models = list(run.model_names)
    cells: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    labels: dict[str, str] = {}
    totals = {m: [0.0, 0.0] for m in models}
    for model, key, label, conv, value in AttributionCredit.objects.filter(run=run).values_list(
        "model", "channel_key", "channel_label", "conversions", "value"
    ):
        cells[key][model] = (conv, value)
        labels[key] = label
        if model in totals:
            totals[model][0] += conv
            totals[model][1] += value
    keys = sorted(labels, key=lambda k: (-max((v for _c, v in cells[k].values()), default=0), labels[k]))
    rows = [{"key": k, "label": labels[k], "cells": [cells[k].get(m, (0.0, 0.0)) for m in models]} for k in keys]
    return {
        "models": [(m, model_label(m)) for m in models],
        "rows": rows,
        "totals": [tuple(totals[m]) for m in models],
    }


@roles_required(*STAFF_ROLES)
def run_detail(request: HttpRequest, run_id) -> HttpResponse:
    run = _run(request, run_id)
    table = comparison(run)
    chart = {
        "labels": [r["label"] for r in table["rows"]],
        "datasets": [
            {"label": label, "data": [round(r["cells"][i][1], 2) for r in table["rows"]]}
            for i, (_m, label) in enumerate(table["models"])
        ],
    }
    window, window_error = _influence_window(request.GET.get("window"))
    by_partner = sourced_influenced_by_partner(
        sourced_vs_influenced(period_start=run.period_start, period_end=run.period_end, window_days=window)
    )
    names = dict(PartnerOrganization.objects.filter(tenant=request.tenant, pk__in=by_partner).values_list("pk", "name"))
    sourcing = sorted(
        ({"partner": names.get(pk, "—"), **figures} for pk, figures in by_partner.items()),
        key=lambda row: (-(row["sourced"] + row["influenced"]), row["partner"]),
    )
    rollup = rollup_by_type_and_tier(run)  # runs by partner only: one query
    rollup_tables = [(_("Partner type"), rollup["by_type"]), (_("Current tier"), rollup["by_tier"])] if rollup else []
    context = {
        "run": run,
        "table": table,
        "chart": chart,
        "sourcing": sourcing,
        "rollup": rollup,
        "rollup_tables": rollup_tables,
        "window": window,
        "window_error": window_error,
    }
    response = render(request, "attribution/run_detail.html", context)
    if request.headers.get("HX-Request") and run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        response["HX-Refresh"] = "true"  # the progress poll ends: reload once for the figures and the chart
    return response


def _influence_window(raw: str | None) -> tuple[int, str]:
    """The influence window in days from ``?window=`` (1 to 730), or the default with an error to show."""
    if raw in (None, ""):
        return DEFAULT_INFLUENCE_WINDOW_DAYS, ""
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_INFLUENCE_WINDOW_DAYS:
        return DEFAULT_INFLUENCE_WINDOW_DAYS, _("The window is a whole number of days from 1 to %(max)d.") % {
            "max": MAX_INFLUENCE_WINDOW_DAYS
        }
    return days, ""


@roles_required(*STAFF_ROLES)
def run_export(request: HttpRequest, run_id) -> HttpResponse:
    run = _run(request, run_id)
    table = comparison(run)
    header = ["channel_key", "channel"]
    for model, _label in table["models"]:
        header += [f"{model}_conversions", f"{model}_value"]
    rows = [[r["key"], r["label"], *(x for cell in r["cells"] for x in cell)] for r in table["rows"]]
    rows.append(["", "total", *(x for cell in table["totals"] for x in cell)])
    return export_response(request, filename=f"attribution-{run.public_id}.csv", header=header, rows=rows)
