"""MDF pages. Vendor portal: budgets and allocations, the request queue (with the partner's funds beside each
request), the claims queue (evidence, approve, reject, pay), campaigns with ROPI (CSV). Partner portal: funds
this quarter, my requests, a new request, one request with its claim and evidence."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_queryset, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.tenancy.access import access_row
from partners.models import PartnerOrganization, PartnerStatus, Tier

from . import selectors, services
from .forms import (
    AllocationForm,
    BudgetAmountForm,
    BudgetForm,
    ClaimDecisionForm,
    ClaimFilterForm,
    ClaimForm,
    DecisionForm,
    RequestFilterForm,
    RequestForm,
    put_error,
)
from .models import OPEN_CLAIM_STATUSES, ClaimStatus, RequestStatus

PAGE_SIZE = 25
# the columns of a request (column → field, after its "id") in the exports of the staff queue and of a
# partner's own requests
REQUEST_EXPORT_COLUMNS = {
    "campaign": "title",
    "activity": "activity_type",
    "status": "status",
    "planned_spend": "planned_spend",
    "approved_amount": "approved_amount",
    "currency": "currency",
    "start_date": "start_date",
    "end_date": "end_date",
    "submitted_at": "submitted_at",
}

# --- vendor: budgets and allocations ---------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def budget_list(request: HttpRequest) -> HttpResponse:
    """Budgets with what is committed and left; managers create a quarter's budget here."""
    form = BudgetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.membership.role not in PARTNER_EDITOR_ROLES:
            raise PermissionDenied(_("Your role does not allow this."))
        status = 400
        if form.is_valid():
            try:
                budget = services.budget_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                put_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Budget for %(period)s created. Allocate it.") % {"period": budget.period})
                return back_to_tenant(request, "mdf:budget", budget_id=budget.public_id)
    if request.method == "GET" and export_format(request):
        return export_queryset(
            request,
            filename=f"mdf-budgets-{request.tenant.slug}.csv",
            queryset=selectors.budgets_with_figures(tenant=request.tenant),
            columns={
                "id": "public_id",
                "year": "year",
                "quarter": "quarter",
                "budget": "amount",
                "currency": "currency",
                "committed": "committed",
                "left": "left",
                "notes": "notes",
            },
        )
    page = Paginator(selectors.budgets_with_figures(tenant=request.tenant), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "can_edit": request.membership.role in PARTNER_EDITOR_ROLES, "query": ""}
    return render(request, "mdf/budgets.html", context, status=status)


def _allocation_form(request: HttpRequest, data=None) -> AllocationForm:
    partners = (
        PartnerOrganization.objects.filter(tenant=request.tenant, status__in=services.REQUESTING_STATUSES)
        .order_by("name", "id")
        .values_list("public_id", "name")
    )
    tiers = Tier.objects.filter(tenant=request.tenant).order_by("rank", "id").values_list("public_id", "name")
    return AllocationForm(data, partners=[(str(p), n) for p, n in partners], tiers=[(str(t), n) for t, n in tiers])


def _budget_page(request: HttpRequest, budget, *, form=None, amount_form=None, status: int = 200) -> HttpResponse:
    figures = selectors.budgets_with_figures(tenant=request.tenant).get(pk=budget.pk)
    context = {
        "budget": figures,
        "allocations": selectors.budget_allocations(tenant=request.tenant, budget=budget),
        "form": form or _allocation_form(request),
        "amount_form": amount_form or BudgetAmountForm(initial={"amount": budget.amount}),
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "mdf/budget.html", context, status=status)


@roles_required(*STAFF_ROLES)
def budget_detail(request: HttpRequest, budget_id) -> HttpResponse:
    return _budget_page(request, selectors.access_budget(tenant=request.tenant, public_id=budget_id))


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def budget_amount(request: HttpRequest, budget_id) -> HttpResponse:
    budget = selectors.access_budget(tenant=request.tenant, public_id=budget_id)
    form = BudgetAmountForm(request.POST)
    if form.is_valid():
        try:
            services.budget_update(tenant=request.tenant, actor=request.user, budget=budget, amount=form.cleaned_data["amount"])
        except ApplicationError as error:
            put_error(form, error)
            return _budget_page(request, budget, amount_form=form, status=error.status_code)
        messages.success(request, _("Budget changed."))
        return back_to_tenant(request, "mdf:budget", budget_id=budget.public_id)
    return _budget_page(request, budget, amount_form=form, status=400)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def allocation_set(request: HttpRequest, budget_id) -> HttpResponse:
    budget = selectors.access_budget(tenant=request.tenant, public_id=budget_id)
    form = _allocation_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            partner = (
                access_row(PartnerOrganization.objects, tenant=request.tenant, public_id=data["partner"])
                if data["partner"]
                else None
            )
            tier = access_row(Tier.objects, tenant=request.tenant, public_id=data["tier"]) if data["tier"] else None
            services.allocation_set(
                tenant=request.tenant, actor=request.user, budget=budget, partner=partner, tier=tier, amount=data["amount"]
            )
        except ApplicationError as error:
            put_error(form, error)
            return _budget_page(request, budget, form=form, status=error.status_code)
        messages.success(request, _("Allocation saved."))
        return back_to_tenant(request, "mdf:budget", budget_id=budget.public_id)
    return _budget_page(request, budget, form=form, status=400)


# --- vendor: requests ------------------------------------------------------------------------------


def _request_status(request: HttpRequest) -> str:
    """The queue shows requests waiting for a decision unless another status (or "any": empty) is asked for."""
    if "status" not in request.GET:
        return RequestStatus.SUBMITTED
    form = RequestFilterForm(request.GET)
    return form.cleaned_data["status"] if form.is_valid() else RequestStatus.SUBMITTED


@roles_required(*STAFF_ROLES)
def request_queue(request: HttpRequest) -> HttpResponse:
    status = _request_status(request)
    queryset = selectors.request_queue(tenant=request.tenant, status=status or None)
    if export_format(request):
        return export_queryset(
            request,
            filename=f"mdf-requests-{request.tenant.slug}.csv",
            queryset=queryset,
            columns={
                "id": "public_id",
                "partner": "partner__name",
                **REQUEST_EXPORT_COLUMNS,
                "partner_remaining": "partner_remaining",
                "budget_left": "budget_left",
            },
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    _predict_returns([r for r in page if r.status == RequestStatus.SUBMITTED])
    context = {
        "page": page,
        "filter_form": RequestFilterForm(initial={"status": status}),
        "status": status,
        "query": f"status={status}",
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "mdf/requests.html", context)


def _predict_returns(requests) -> None:
    """Each waiting request's predicted pipeline and ROPI from the past campaigns (scoring.mdf_return), for
    the manager who decides it: one query for the past campaigns, then arithmetic per row."""
    if not requests:
        return
    from scoring.mdf_return import predict_return
    from scoring.mdf_return_service import past_campaigns

    past = past_campaigns()
    for r in requests:
        r.predicted = predict_return(
            past, activity_type=r.activity_type, partner_type=r.partner.partner_type, planned_spend=float(r.planned_spend)
        )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def request_decide(request: HttpRequest, request_id) -> HttpResponse:
    mdf_request = selectors.access_request(tenant=request.tenant, public_id=request_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve, partially approve or reject."))
        return back_to_tenant(request, "mdf:requests")
    data = form.cleaned_data
    try:
        decided = services.request_decide(
            tenant=request.tenant,
            actor=request.user,
            request=mdf_request,
            decision=data["decision"],
            amount=data["amount"],
            reason=data["reason"],
        )
    except ApplicationError as error:
        messages.error(request, f"{mdf_request.title}: {error.message}")
    else:
        messages.success(request, _("%(title)s: %(status)s.") % {"title": decided.title, "status": decided.get_status_display()})
    return back_to_tenant(request, "mdf:requests")


# --- vendor: claims --------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def claim_queue(request: HttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if export_format(request):
        return export_queryset(
            request,
            filename=f"mdf-claims-{request.tenant.slug}.csv",
            queryset=selectors.claim_queue(tenant=request.tenant, status=status or None),
            columns={
                "id": "public_id",
                "partner": "partner__name",
                "request": "request__public_id",
                "campaign": "request__title",
                "claimed_amount": "claimed_amount",
                "approved_amount": "approved_amount",
                "currency": "request__currency",
                "leads_generated": "leads_generated",
                "attendees": "attendees",
                "status": "status",
                "submitted_at": "submitted_at",
                "decided_at": "decided_at",
                "paid_at": "paid_at",
            },
        )
    page = Paginator(selectors.claim_queue(tenant=request.tenant, status=status or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "filter_form": form if request.GET else ClaimFilterForm(),
        "query": f"status={status}" if status else "",
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "mdf/claims.html", context)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def claim_decide(request: HttpRequest, claim_id) -> HttpResponse:
    claim = selectors.access_claim(tenant=request.tenant, public_id=claim_id)
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return back_to_tenant(request, "mdf:claims")
    try:
        decided = services.claim_decide(
            tenant=request.tenant,
            actor=request.user,
            claim=claim,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        messages.error(request, f"{claim.request.title}: {error.message}")
    else:
        messages.success(
            request,
            _("Claim for %(title)s: %(status)s.") % {"title": claim.request.title, "status": decided.get_status_display()},
        )
    return back_to_tenant(request, "mdf:claims")


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def claim_pay(request: HttpRequest, claim_id) -> HttpResponse:
    claim = selectors.access_claim(tenant=request.tenant, public_id=claim_id)
    try:
        services.claim_mark_paid(tenant=request.tenant, actor=request.user, claim=claim)
    except ApplicationError as error:
        messages.error(request, f"{claim.request.title}: {error.message}")
    else:
        messages.success(request, _("Claim for %(title)s marked paid.") % {"title": claim.request.title})
    return back_to_tenant(request, "mdf:claims")


def _send_evidence(request: HttpRequest, evidence_id, *, partner_id: int | None) -> HttpResponse:
    evidence = selectors.access_evidence(tenant=request.tenant, public_id=evidence_id, partner_id=partner_id)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_filename)


@roles_required(*STAFF_ROLES)
def evidence_download(request: HttpRequest, evidence_id) -> HttpResponse:
    return _send_evidence(request, evidence_id, partner_id=None)


# --- vendor: campaigns and ROPI --------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def campaigns(request: HttpRequest) -> HttpResponse:
    """Funded campaigns with spend, tagged deals and ROPI; the sums per partner and for the program; CSV."""
    currency = services.program_currency(tenant=request.tenant)
    queryset = selectors.campaigns_with_ropi(tenant=request.tenant, currency=currency)
    if export_format(request):
        return export_response(
            request,
            filename=f"mdf-campaigns-{request.tenant.slug}.csv",
            header=[
                "id",
                "partner",
                "campaign",
                "activity",
                "status",
                "start_date",
                "end_date",
                "approved_amount",
                "spend",
                "tagged_registrations",
                "tagged_leads",
                "pipeline",
                "revenue",
                "ropi",
            ],
            rows=(
                [
                    c.public_id,
                    c.partner.name,
                    c.title,
                    c.activity_type,
                    c.status,
                    c.start_date.isoformat(),
                    c.end_date.isoformat(),
                    c.approved_amount,
                    c.spend,
                    c.tagged_registrations,
                    c.tagged_leads,
                    c.pipeline,
                    c.revenue,
                    "" if c.ropi is None else c.ropi,
                ]
                for c in queryset
            ),
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "partners": list(selectors.partners_with_ropi(tenant=request.tenant, currency=currency)[:100]),
        "program": selectors.program_ropi(tenant=request.tenant, currency=currency),
        "currency": currency,
        "query": "",
    }
    return render(request, "mdf/campaigns.html", context)


# --- partner portal --------------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def partner_home(request: HttpRequest) -> HttpResponse:
    """Funds this quarter and my requests with their claim status."""
    partner = request.membership.partner
    budget, funds = selectors.funds_this_quarter(tenant=request.tenant, partner=partner)
    queryset = selectors.requests_for_partner(tenant=request.tenant, partner_id=partner.pk)
    if export_format(request):
        return export_queryset(
            request,
            filename="my-mdf-requests.csv",
            queryset=queryset,
            columns={"id": "public_id", **REQUEST_EXPORT_COLUMNS, "claim_status": "claim_status"},
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "budget": budget,
        "funds": funds,
        "page": page,
        "query": "",
        "can_request": partner.status in (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK),
    }
    return render(request, "mdf/partner_home.html", context)


@roles_required(*PARTNER_ROLES)
def partner_request_new(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created = services.request_submit(
                    tenant=request.tenant,
                    actor=request.user,
                    partner_id=request.membership.partner_id,
                    values=form.cleaned_data,
                )
            except ApplicationError as error:
                put_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Request sent: a manager will decide it."))
                return back_to_tenant(request, "partner_mdf:request", request_id=created.public_id)
    partner = request.membership.partner
    budget, funds = selectors.funds_this_quarter(tenant=request.tenant, partner=partner)
    return render(request, "mdf/partner_request_form.html", {"form": form, "budget": budget, "funds": funds}, status=status)


def _partner_request_page(request: HttpRequest, mdf_request, *, claim_form: ClaimForm | None = None, status: int = 200):
    claims = selectors.claims_of_request(tenant=request.tenant, request=mdf_request)
    can_claim = mdf_request.status in (RequestStatus.APPROVED, RequestStatus.PARTIALLY_APPROVED) and not any(
        c.status in OPEN_CLAIM_STATUSES for c in claims
    )
    context = {
        "mdf_request": mdf_request,
        "claims": claims,
        "can_claim": can_claim,
        "claim_form": claim_form or ClaimForm(initial={"claimed_amount": mdf_request.approved_amount}),
        "ClaimStatus": ClaimStatus,
    }
    return render(request, "mdf/partner_request.html", context, status=status)


@roles_required(*PARTNER_ROLES)
def partner_request_detail(request: HttpRequest, request_id) -> HttpResponse:
    mdf_request = selectors.access_request(tenant=request.tenant, public_id=request_id, partner_id=request.membership.partner_id)
    return _partner_request_page(request, mdf_request)


@require_POST
@roles_required(*PARTNER_ROLES)
def partner_claim_submit(request: HttpRequest, request_id) -> HttpResponse:
    partner_id = request.membership.partner_id
    mdf_request = selectors.access_request(tenant=request.tenant, public_id=request_id, partner_id=partner_id)
    form = ClaimForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.claim_submit(
                tenant=request.tenant,
                actor=request.user,
                partner_id=partner_id,
                request=mdf_request,
                values=form.cleaned_data,
                files=request.FILES.getlist("files"),
            )
        except ApplicationError as error:
            put_error(form, error)
            return _partner_request_page(request, mdf_request, claim_form=form, status=error.status_code)
        messages.success(request, _("Claim filed: a manager will review it."))
        return back_to_tenant(request, "partner_mdf:request", request_id=mdf_request.public_id)
    return _partner_request_page(request, mdf_request, claim_form=form, status=400)


@roles_required(*PARTNER_ROLES)
def partner_evidence_download(request: HttpRequest, evidence_id) -> HttpResponse:
    return _send_evidence(request, evidence_id, partner_id=request.membership.partner_id)
