"""Economics pages (vendor staff): the figures, customer revenue (list, export, CSV import), program costs,
and the account-months behind a partner's CLTV contribution.

Every figure comes from :mod:`attribution.economics.selectors` (which calls the definitions in
:mod:`attribution.economics.metrics`); every write from :mod:`attribution.economics.services`, as the API's.
Staff read; owners and partner managers import revenue and enter costs.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from deals import imports
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from partners.models import PartnerOrganization

from . import metrics, selectors, services
from .forms import PeriodForm, ProgramCostForm, RevenueFilterForm, RevenueImportForm
from .models import CostCategory, ProgramCost

PAGE_SIZE = 50
REVENUE_HEADER = [
    "month",
    "account_id",
    "account",
    "account_crm_id",
    "mrr",
    "currency",
    "partner_id",
    "partner",
    "source",
    "external_id",
]


# --- the figures -----------------------------------------------------------------------------------


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}\u00a0%"  # no break between the figure and its sign


def _retention_row(figure: metrics.Retention) -> dict:
    return {
        "channel": figure.channel,
        "accounts": figure.accounts,
        "mrr_start": figure.mrr_start,
        "mrr_end": figure.mrr_end,
        "nrr_pct": _percent(figure.nrr),
        "grr_pct": _percent(figure.grr),
        "logo_pct": _percent(figure.logo_retention),
    }


@roles_required(*STAFF_ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    """CAC of a quarter, retention by channel over 12 months, CLTV contribution by partner (top 20)."""
    form = PeriodForm(request.GET or None)
    values = form.values()
    year, quarter = values["quarter"] or (None, None)
    figures = selectors.economics_figures(tenant=request.tenant, year=year, quarter=quarter, month=values["month"])
    retention = figures.retention
    chart = {
        "labels": [_("NRR"), _("Gross retention"), _("Logo retention")],
        "datasets": [
            {
                "label": label,
                "data": [
                    None if r.nrr is None else round(r.nrr * 100, 1),
                    None if r.grr is None else round(r.grr * 100, 1),
                    None if r.logo_retention is None else round(r.logo_retention * 100, 1),
                ],
            }
            for label, r in ((_("Partner-managed"), retention["partner"]), (_("Direct"), retention["direct"]))
        ],
    }
    context = {
        "form": form,
        "figures": figures,
        "retention_rows": [_retention_row(retention[channel]) for channel in ("partner", "direct", "all")],
        "start_month": metrics.months_back(figures.month, 12),
        "quarter_value": f"{figures.year}-Q{figures.quarter}",
        "month_value": f"{figures.month:%Y-%m}",
        "chart": chart,
    }
    return render(request, "economics/overview.html", context, status=400 if form.errors else 200)


@roles_required(*STAFF_ROLES)
def cltv(request: HttpRequest, partner_id) -> HttpResponse:
    """The account-months behind one partner's CLTV contribution (paginated; CSV/XLSX with ``?export=``)."""
    partner = selectors.access_partner(tenant=request.tenant, public_id=partner_id)
    rows = selectors.cltv_months(tenant=request.tenant, partner=partner)
    currency = selectors.program_currency(tenant=request.tenant)
    if export_format(request):
        return export_response(
            request,
            filename=f"cltv-{partner.public_id}.csv",
            header=["account_id", "account", "month", "mrr", "currency"],
            rows=([r.account.public_id, r.account.name, f"{r.month:%Y-%m}", r.mrr, currency] for r in rows),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"partner": partner, "page": page, "currency": currency}
    return render(request, "economics/cltv.html", context)


# --- customer revenue ------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def revenue(request: HttpRequest) -> HttpResponse:
    """The stored account-months, the latest month first; filters month and partner; CSV/XLSX export."""
    partners = list(
        PartnerOrganization.objects.filter(tenant=request.tenant).order_by("name", "id").values_list("pk", "public_id", "name")
    )
    choices = [(str(public_id), name) for _pk, public_id, name in partners]
    form = RevenueFilterForm(request.GET or None, months=selectors.latest_months(tenant=request.tenant), partners=choices)
    values = form.values()
    partner_pk = next((pk for pk, public_id, _name in partners if str(public_id) == values["partner"]), None)
    rows = selectors.revenue_rows(tenant=request.tenant, month=values["month"], partner_id=partner_pk)
    currency = selectors.program_currency(tenant=request.tenant)
    if export_format(request):
        return export_response(
            request,
            filename=f"customer-revenue-{request.tenant.slug}.csv",
            header=REVENUE_HEADER,
            rows=(
                [
                    f"{r.month:%Y-%m}",
                    r.account.public_id,
                    r.account.name,
                    r.account.external_id,
                    r.mrr,
                    currency,
                    r.managing_partner.public_id if r.managing_partner else "",
                    r.managing_partner.name if r.managing_partner else "",
                    r.source,
                    r.external_id,
                ]
                for r in rows
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": form,
        "query": form.query(),
        "currency": currency,
        "can_import": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "economics/revenue.html", context)


@roles_required(*PARTNER_EDITOR_ROLES)
def revenue_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of customer revenue: all or nothing; every bad row listed (row, column, message)."""
    form = RevenueImportForm(request.POST, request.FILES) if request.method == "POST" else RevenueImportForm()
    context: dict = {"form": form, "result": None, "errors": [], "file_error": "", "currency": None}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            context["file_name"] = upload.name
            if upload.size > imports.MAX_FILE_BYTES:
                context["file_error"] = _("The file is larger than 50 MB. Split it and import the parts.")
            else:
                try:
                    result = services.customer_revenue_import(tenant=request.tenant, actor=request.user, data=upload.read())
                except imports.ImportFileInvalid as invalid:
                    context["file_error"] = invalid.message
                else:
                    if result.ok:
                        status, context["result"] = 200, result
                    else:
                        context["errors"] = result.errors
    context["currency"] = selectors.program_currency(tenant=request.tenant)
    return render(request, "economics/revenue_import.html", context, status=status)


# --- program costs ---------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def costs(request: HttpRequest) -> HttpResponse:
    """The costs by quarter and category, and (owners, partner managers) the form that sets one."""
    can_edit = request.membership.role in PARTNER_EDITOR_ROLES
    if request.method == "POST" and not can_edit:
        raise PermissionDenied  # analysts read the costs; owners and partner managers set them
    today = timezone.localdate()
    year, quarter = selectors.default_quarter(today)
    form = ProgramCostForm(request.POST or None, initial={"year": year, "quarter": quarter})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cost, created = services.program_cost_save(
                tenant=request.tenant,
                actor=request.user,
                year=data["year"],
                quarter=data["quarter"],
                category=data["category"],
                amount=data["amount"],
                note=data["note"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            text = _("%(period)s %(category)s saved.") if created else _("%(period)s %(category)s updated.")
            messages.success(request, text % {"period": f"{cost.year} Q{cost.quarter}", "category": cost.get_category_display()})
            return back_to_tenant(request, "economics:costs")
    if request.method == "GET" and export_format(request):
        # one row per quarter and category, as set (amounts in the program currency): one query for the rows
        currency = selectors.program_currency(tenant=request.tenant)
        return export_response(
            request,
            filename=f"program-costs-{request.tenant.slug}.csv",
            header=["id", "year", "quarter", "category", "amount", "currency", "note", "updated_at"],
            rows=(
                (*row[:5], currency, *row[5:])
                for row in ProgramCost.objects.filter(tenant=request.tenant)
                .order_by("-year", "-quarter", "category")
                .values_list("public_id", "year", "quarter", "category", "amount", "note", "updated_at")
                .iterator()
            ),
        )
    context = {
        "form": form,
        "periods": selectors.cost_table(tenant=request.tenant),
        "categories": CostCategory.choices,
        "currency": selectors.program_currency(tenant=request.tenant),
        "can_edit": can_edit,
    }
    return render(request, "economics/costs.html", context, status=400 if request.method == "POST" else 200)
