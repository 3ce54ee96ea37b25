"""Attribution in the partner portal: the partner's own credit in the latest run, and the journeys behind it.

Everything comes from :mod:`attribution.partner_selectors`, which read across partners only for the
run's header and the anonymised other touches of the partner's own journeys.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ecosystem.accounts.models import PARTNER_ROLES
from ecosystem.errors import NotFoundError
from ecosystem.exports import export_response
from ecosystem.portal.base import roles_required

from ..forms import model_label
from ..partner_selectors import (
    partner_credits,
    partner_journey,
    partner_journey_rows,
    partner_journey_rows_all_models,
    partner_journeys_named,
    partner_run_header,
)

PAGE_SIZE = 25


def _models(run, chosen: str | None) -> list[tuple[str, str, bool]]:
    return [(m, model_label(m), m == chosen) for m in run.touch_models]


@roles_required(*PARTNER_ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    """The latest run's period, the partner's credit per model, and its journeys (paginated)."""
    run = partner_run_header(tenant=request.tenant)
    if run is None:
        return render(request, "attribution/partner_overview.html", {"run": None})
    partner_id = request.membership.partner_id
    model = run.chosen_model(request.GET.get("model"))
    rows = partner_journey_rows(tenant=request.tenant, run=run, partner_id=partner_id, model=model)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = partner_journeys_named(tenant=request.tenant, partner_id=partner_id, rows=list(page.object_list))
    context = {
        "run": run,
        "credits": partner_credits(tenant=request.tenant, run=run, partner_id=partner_id),
        "model": model,
        "model_name": model_label(model) if model else "",
        "models": _models(run, model),
        "page": page,
    }
    return render(request, "attribution/partner_overview.html", context)


@roles_required(*PARTNER_ROLES)
def journey(request: HttpRequest, registration_id) -> HttpResponse:
    """One deal of the latest run the partner has a touch in; 404 otherwise (or without a run)."""
    run = partner_run_header(tenant=request.tenant)
    if run is None:
        raise NotFoundError()
    model = run.chosen_model(request.GET.get("model"))
    detail = partner_journey(
        tenant=request.tenant,
        run=run,
        partner_id=request.membership.partner_id,
        registration_public_id=registration_id,
        model=model,
    )
    context = {
        "run": run,
        "journey": detail,
        "model": model,
        "model_name": model_label(model) if model else "",
        "models": _models(run, model),
    }
    return render(request, "attribution/partner_journey.html", context)


@roles_required(*PARTNER_ROLES)
def export(request: HttpRequest) -> HttpResponse:
    """The partner's journeys in the latest run as CSV: one row per deal, with its share and credited
    value under each per-touch model (customers of deals it did not co-sell stay anonymous)."""
    run = partner_run_header(tenant=request.tenant)
    if run is None:
        raise NotFoundError()
    partner_id = request.membership.partner_id
    rows = list(partner_journey_rows_all_models(tenant=request.tenant, run=run, partner_id=partner_id))
    named = partner_journeys_named(tenant=request.tenant, partner_id=partner_id, rows=rows)
    models = run.touch_models
    header = ["deal", "customer", "outcome", "outcome_on", "value", "touches", "your_touches"]
    header += [f"{m}_{what}" for m in models for what in ("share", "value")]
    lines = (
        [
            str(j.registration_public_id),
            j.customer,
            j.outcome_label,
            j.outcome_on.isoformat(),
            round(j.value, 2),
            j.length,
            j.own_touches,
            *(x for m in models for x in (round(j.shares[m], 6), round(j.shares[m] * j.value, 2))),
        ]
        for j in named
    )
    return export_response(request, filename=f"attribution-{run.period_start}-{run.period_end}.csv", header=header, rows=lines)
