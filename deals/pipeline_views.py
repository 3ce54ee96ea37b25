"""Pipeline pages: the vendor's partner-sourced pipeline (filters, chart, CSV) and a partner's own."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import roles_required
from partners.models import PartnerOrganization, PartnerType, Tier

from .pipeline import PIPELINE_CSV_HEADER, PipelineFilters, pipeline_csv_rows, pipeline_figures
from .registrations import engagement_rules


def _date(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return default


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    base = PipelineFilters.default()
    start, end = _date(request.GET.get("start"), base.start), _date(request.GET.get("end"), base.end)
    return (start, end) if start <= end else (end, start)


def _render(request: HttpRequest, filters: PipelineFilters, extra: dict, *, filename: str) -> HttpResponse:
    currency = engagement_rules(tenant=request.tenant).currency
    figures = pipeline_figures(tenant=request.tenant, filters=filters, currency=currency)
    if export_format(request):
        return export_response(request, filename=filename, header=PIPELINE_CSV_HEADER, rows=pipeline_csv_rows(figures))
    chart = {
        "labels": [s.label for s in figures.stages],
        "totals": [float(s.total) for s in figures.stages],
        "days": [s.avg_days for s in figures.stages],
        "currency": currency,
    }
    # The export link repeats the filters as understood, never what was typed (an unknown id stays out).
    query = {"start": filters.start.isoformat(), "end": filters.end.isoformat()}
    query.update({key: value for key, value in extra.get("selected", {}).items() if value})
    context = {"figures": figures, "chart": chart, "query": urlencode(query), **extra}
    return render(request, "deals/pipeline/board.html", context)


@roles_required(*STAFF_ROLES)
def pipeline(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    tiers = list(Tier.objects.filter(tenant=request.tenant).order_by("rank"))
    partners = list(PartnerOrganization.objects.filter(tenant=request.tenant).order_by("name", "id").only("public_id", "name"))
    tier = next((t for t in tiers if str(t.public_id) == request.GET.get("tier")), None)
    partner = next((p for p in partners if str(p.public_id) == request.GET.get("partner")), None)
    partner_type = request.GET.get("partner_type", "") if request.GET.get("partner_type") in PartnerType.values else ""
    filters = PipelineFilters(
        start=start,
        end=end,
        partner_type=partner_type,
        tier_id=tier.pk if tier else None,
        partner_id=partner.pk if partner else None,
    )
    extra = {
        "vendor": True,
        "tiers": tiers,
        "partners": partners,
        "partner_types": PartnerType.choices,
        "selected": {
            "tier": str(tier.public_id) if tier else "",
            "partner": str(partner.public_id) if partner else "",
            "partner_type": partner_type,
        },
    }
    return _render(request, filters, extra, filename=f"pipeline-{request.tenant.slug}.csv")


@roles_required(*PARTNER_ROLES)
def partner_pipeline(request: HttpRequest) -> HttpResponse:
    """The partner's own registrations only (not the co-selling ones it reads as a team member)."""
    start, end = _period(request)
    filters = PipelineFilters(start=start, end=end, partner_id=request.membership.partner_id)
    return _render(request, filters, {"vendor": False}, filename="my-pipeline.csv")
