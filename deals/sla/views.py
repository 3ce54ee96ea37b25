"""SLA pages: the vendor's overview (targets, attainment, breaches), the breaches list, one partner's SLAs;
the partner's own SLA page. The cards on the dashboards and the partner scorecard (``templates/sla/_card.html``)
read :func:`deals.sla.selectors.sla_report` in those pages' own views.

Every figure comes from ``deals.sla.selectors`` (the API reads the same functions); a partner
user's page passes its own organisation, and its scope reads nothing else anyway.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from partners.models import PartnerOrganization

from . import selectors, services
from .forms import SlaFilterForm, SlaTargetForm

PAGE_SIZE = 25
BREACH_CSV_HEADER = [
    "sla",
    "owed_by",
    "partner",
    "subject",
    "item_id",
    "registration_id",
    "lead_id",
    "started_at",
    "due_at",
    "answered_at",
    "status",
    "hours",
    "target_hours",
]


def _breach_rows(breaches):
    for b in breaches:
        yield (
            b.kind,
            b.owed_by,
            b.partner_name,
            b.subject or "",
            b.item_id,
            b.registration_id or "",
            b.lead_id or "",
            b.started_at.isoformat(),
            b.due_at.isoformat(),
            b.answered_at.isoformat() if b.answered_at else "",
            b.status,
            b.waited_hours,
            b.target_hours,
        )


def _partner_choices(tenant) -> list[tuple[str, str]]:
    return [
        (str(pid), name)
        for pid, name in PartnerOrganization.objects.filter(tenant=tenant).order_by("name").values_list("public_id", "name")
    ]


# --- vendor portal ---------------------------------------------------------------------------------


def _overview(request: HttpRequest, *, errors: dict | None = None, status: int = 200) -> HttpResponse:
    filters = SlaFilterForm(request.GET or None)
    values = filters.values()
    kinds = [values["kind"]] if values["kind"] else None
    report = selectors.sla_report(tenant=request.tenant, period=values["period"], kinds=kinds)
    figures = {f.kind: f for f in report.program}
    can_edit = request.membership.role in PARTNER_EDITOR_ROLES
    rows = []
    for definition in report.definitions:
        form = (errors or {}).get(definition.pk)
        if form is None and can_edit:
            form = SlaTargetForm(
                prefix=str(definition.public_id),
                initial={"target_hours": definition.target_hours, "is_active": definition.is_active},
            )
        rows.append({"definition": definition, "figures": figures.get(definition.kind), "form": form})
    context = {
        "rows": rows,
        "report": report,
        "filters": filters,
        "query": filters.query(),
        "period": report.period,
        "can_edit": can_edit,
        "chart": {
            "labels": [f.label for f in report.program],
            "attainment": [f.attainment for f in report.program],
            "breaches": [f.breaches for f in report.program],
        },
    }
    return render(request, "sla/overview.html", context, status=status)


@roles_required(*STAFF_ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    return _overview(request)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def definition_edit(request: HttpRequest, sla_id) -> HttpResponse:
    definition = selectors.access_sla_definition(tenant=request.tenant, public_id=sla_id)
    form = SlaTargetForm(request.POST, prefix=str(definition.public_id))
    if form.is_valid():
        try:
            services.sla_definition_update(
                tenant=request.tenant,
                actor=request.user,
                definition=definition,
                target_hours=form.cleaned_data["target_hours"],
                is_active=form.cleaned_data["is_active"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("SLA saved: %(name)s.") % {"name": definition.get_kind_display()})
            return back_to_tenant(request, "sla:overview")
    return _overview(request, errors={definition.pk: form}, status=400)


@roles_required(*STAFF_ROLES)
def breaches(request: HttpRequest) -> HttpResponse:
    partners = _partner_choices(request.tenant)
    filters = SlaFilterForm(request.GET or None, partners=partners)
    values = filters.values()
    partner = (
        PartnerOrganization.objects.filter(tenant=request.tenant, public_id=values["partner"]).only("pk").first()
        if values["partner"]
        else None
    )
    found = selectors.sla_breaches(
        tenant=request.tenant, period=values["period"], kind=values["kind"], partner_id=partner.pk if partner else None
    )
    if export_format(request):
        return export_response(
            request, filename=f"sla-breaches-{request.tenant.slug}.csv", header=BREACH_CSV_HEADER, rows=_breach_rows(found)
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "query": filters.query(), "period": values["period"], "vendor": True}
    return render(request, "sla/breaches.html", context)


@roles_required(*STAFF_ROLES)
def partner_detail(request: HttpRequest, partner_id) -> HttpResponse:
    partner = selectors.sla_partner(tenant=request.tenant, public_id=partner_id)
    filters = SlaFilterForm(request.GET or None)
    values = filters.values()
    kinds = [values["kind"]] if values["kind"] else None
    report = selectors.sla_report(tenant=request.tenant, period=values["period"], partner_id=partner.pk, kinds=kinds)
    found = selectors.sla_breaches(
        tenant=request.tenant,
        period=values["period"],
        kind=values["kind"],
        partner_id=partner.pk,
        definitions=report.definitions,
    )
    if export_format(request):
        return export_response(
            request, filename=f"sla-breaches-{partner.public_id}.csv", header=BREACH_CSV_HEADER, rows=_breach_rows(found)
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "partner": partner,
        "report": report,
        "page": page,
        "filters": filters,
        "query": filters.query(),
        "period": report.period,
        "vendor": True,
    }
    return render(request, "sla/partner.html", context)


# --- partner portal --------------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def mine(request: HttpRequest) -> HttpResponse:
    """The caller's organisation's SLA figures (what it owes and what the vendor owes it) and its breaches."""
    partner_id = request.membership.partner_id
    filters = SlaFilterForm(request.GET or None)
    values = filters.values()
    kinds = [values["kind"]] if values["kind"] else None
    report = selectors.sla_report(tenant=request.tenant, period=values["period"], partner_id=partner_id, kinds=kinds)
    found = selectors.sla_breaches(
        tenant=request.tenant,
        period=values["period"],
        kind=values["kind"],
        partner_id=partner_id,
        definitions=report.definitions,
    )
    if export_format(request):
        return export_response(request, filename="my-sla-breaches.csv", header=BREACH_CSV_HEADER, rows=_breach_rows(found))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "report": report,
        "page": page,
        "filters": filters,
        "query": filters.query(),
        "period": report.period,
        "vendor": False,
    }
    return render(request, "sla/mine.html", context)
