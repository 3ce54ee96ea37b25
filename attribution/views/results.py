"""Attribution results pages (vendor staff): a deal's journey, a run's deals with their CSV, the trend of
one model over periods, and the runs list's filters and CSV. Reads come from :mod:`attribution.results`."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecosystem.accounts.models import STAFF_ROLES
from ecosystem.exports import export_response
from ecosystem.portal.base import roles_required
from partners.models import PartnerOrganization

from ..forms import DateInput, model_label
from ..models import AttributionRun, ChannelDimension, OutcomeKind, RunStatus
from ..results import journey_of, journeys_named, journeys_queryset, per_touch_models, pooled_models, touches_for_export, trend
from ..services import MODELS

PAGE_SIZE = 50


def _run(request: HttpRequest, run_id) -> AttributionRun:
    run = AttributionRun.objects.filter(tenant=request.tenant, public_id=run_id).first()
    if run is None:
        raise Http404
    return run


def _run_with_details(request: HttpRequest, run_id) -> tuple[AttributionRun, HttpResponse | None]:
    """The run, or a page saying its per-deal detail was pruned; 404 for a run that never had any."""
    run = _run(request, run_id)
    if run.details_kept:
        return run, None
    if run.status != RunStatus.SUCCEEDED:
        raise Http404
    return run, render(request, "attribution/journey_pruned.html", {"run": run}, status=410)


@roles_required(*STAFF_ROLES)
def journey(request: HttpRequest, run_id, registration_id) -> HttpResponse:
    run, pruned = _run_with_details(request, run_id)
    if pruned:
        return pruned
    found = journey_of(run=run, registration_id=registration_id)
    if found is None:
        raise Http404
    models = [(m, model_label(m)) for m in found.models]
    rows = [{"touch": t, "cells": [(t.shares[m], t.credits[m]) for m in found.models]} for t in found.touches]
    totals = [(sum(t.shares[m] for t in found.touches), sum(t.credits[m] for t in found.touches)) for m in found.models]
    context = {
        "run": run,
        "journey": found,
        "models": models,
        "rows": rows,
        "totals": totals,
        "why": [(model_label(m), found.why[m]) for m in found.models],
        "pooled": [model_label(m) for m in pooled_models(run)],
    }
    return render(request, "attribution/journey_detail.html", context)


class JourneyFilterForm(forms.Form):
    outcome = forms.TypedChoiceField(
        label=gettext_lazy("Outcome"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("All")), *OutcomeKind.choices],
    )
    partner = forms.ChoiceField(label=gettext_lazy("Partner"), required=False)

    def __init__(self, *args, partners: list[PartnerOrganization], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", _("All")), *((str(p.public_id), p.name) for p in partners)]


@roles_required(*STAFF_ROLES)
def journeys(request: HttpRequest, run_id) -> HttpResponse:
    run, pruned = _run_with_details(request, run_id)
    if pruned:
        return pruned
    partners = list(PartnerOrganization.objects.order_by("name").only("pk", "public_id", "name"))
    form = JourneyFilterForm(request.GET or None, partners=partners)
    outcome = partner_id = None
    if form.is_bound and form.is_valid():
        outcome = form.cleaned_data["outcome"]
        partner_id = next((p.pk for p in partners if str(p.public_id) == form.cleaned_data["partner"]), None)
    page = Paginator(journeys_queryset(run=run, outcome=outcome, partner_id=partner_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    names = {p.pk: p.name for p in partners}
    rows = journeys_named(list(page.object_list), names)
    query = urlencode(
        {k: v for k, v in (("outcome", outcome), ("partner", form.data.get("partner") if partner_id else None)) if v}
    )
    context = {"run": run, "form": form, "page": page, "rows": rows, "query": query}
    return render(request, "attribution/journey_list.html", context)


@roles_required(*STAFF_ROLES)
def journeys_export(request: HttpRequest, run_id) -> HttpResponse:
    run, pruned = _run_with_details(request, run_id)
    if pruned:
        return pruned
    models = per_touch_models(run)
    keys = list((run.summary or {}).get("channel_keys", []))
    header = ["deal", "position", "touches", "date", "partner", "type", "days", "channel_key", "outcome", "outcome_date", "value"]
    for model in models:
        header += [f"{model}_share", f"{model}_value"]

    def rows():
        for (
            deal,
            position,
            length,
            touch_on,
            partner,
            touch_type,
            days,
            channel,
            outcome,
            outcome_on,
            value,
            *shares,
        ) in touches_for_export(run).iterator(chunk_size=5_000):
            out = [
                deal,
                position,
                length,
                touch_on,
                partner or "",
                touch_type or "removed",
                days,
                keys[channel] if channel < len(keys) else channel,
                OutcomeKind(outcome).name.lower(),
                outcome_on,
                value,
            ]
            for share in shares:
                out += [share, share * value]
            yield out

    return export_response(request, filename=f"attribution-{run.public_id}-deals.csv", header=header, rows=rows())


class TrendForm(forms.Form):
    dimension = forms.ChoiceField(label=gettext_lazy("Channel"), choices=ChannelDimension.choices)
    model = forms.ChoiceField(label=gettext_lazy("Model"), choices=[(m, model_label(m)) for m in MODELS])


@roles_required(*STAFF_ROLES)
def trend_view(request: HttpRequest) -> HttpResponse:
    form = TrendForm(request.GET or {"dimension": ChannelDimension.PARTNER, "model": "linear"})
    table = None
    if form.is_valid():
        table = trend(dimension=form.cleaned_data["dimension"], model=form.cleaned_data["model"])
    return render(request, "attribution/trend.html", {"form": form, "table": table})


class RunFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("All")), *RunStatus.choices]
    )
    dimension = forms.ChoiceField(
        label=gettext_lazy("Channel"), required=False, choices=[("", gettext_lazy("All")), *ChannelDimension.choices]
    )
    on = forms.DateField(label=gettext_lazy("Period includes"), required=False, widget=DateInput())


def runs_filtered(request: HttpRequest):
    """The tenant's runs narrowed by the list's GET filters, and the bound form (errors shown, filter ignored)."""
    form = RunFilterForm(request.GET)
    runs = AttributionRun.objects.filter(tenant=request.tenant).select_related("job", "created_by")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            runs = runs.filter(status=data["status"])
        if data["dimension"]:
            runs = runs.filter(dimension=data["dimension"])
        if data["on"]:
            runs = runs.filter(period_start__lte=data["on"], period_end__gte=data["on"])
    return runs, form


def runs_query(form: RunFilterForm) -> str:
    """The valid filters as a query string (for the pagination and export links; never what was typed)."""
    if not form.is_valid():
        return ""
    return urlencode({k: str(v) for k, v in form.cleaned_data.items() if v})


@roles_required(*STAFF_ROLES)
def runs_export(request: HttpRequest) -> HttpResponse:
    runs, _form = runs_filtered(request)
    header = [
        "run",
        "period_start",
        "period_end",
        "dimension",
        "models",
        "status",
        "created_by",
        "created_at",
        "finished_at",
        "inputs_sha256",
        "engine_version",
        "journeys",
        "conversions",
        "value",
        "details_kept",
    ]
    rows = (
        [
            r.public_id,
            r.period_start,
            r.period_end,
            r.dimension,
            " ".join(r.model_names),
            r.status,
            r.created_by.email if r.created_by else "",
            r.created_at.isoformat(),
            r.finished_at.isoformat() if r.finished_at else "",
            r.inputs_sha256,
            r.code_version,
            (r.summary or {}).get("journeys", ""),
            (r.summary or {}).get("conversions", ""),
            (r.summary or {}).get("value", ""),
            "yes" if r.details_kept else "no",
        ]
        for r in runs
    )
    return export_response(request, filename="attribution-runs.csv", header=header, rows=rows)
