"""The vendor's pages: the catalogue (list, CSV, create, edit, detail with figures and decisions), components,
approval, decline and retirement, and the joint solution of a lead or a registration's team."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES, Membership
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required

from .. import selectors, services
from ..forms import (
    ComponentForm,
    ReasonForm,
    SolutionFilterForm,
    VendorSolutionForm,
    put_error,
)
from ..models import OrchestratorKind, SolutionStatus
from .common import PAGE_SIZE, _details_initial, _query


def _staff_choices(request: HttpRequest) -> list[tuple[str, str]]:
    """The tenant's staff who may lead a solution for the vendor: (user id, name)."""
    rows = (
        Membership.objects.filter(tenant=request.tenant, role__in=PARTNER_EDITOR_ROLES, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [(str(m.user_id), m.user.full_name or m.user.email) for m in rows]


def _staff_user(request: HttpRequest, user_id: str):
    if not user_id:
        return request.user
    membership = (
        Membership.objects.filter(tenant=request.tenant, role__in=PARTNER_EDITOR_ROLES, is_active=True, user_id=user_id)
        .select_related("user")
        .first()
        if str(user_id).isdigit()
        else None
    )
    if membership is None:
        raise ApplicationError(_("Choose one of the program's managers."), code="invalid_choice", field="orchestrator_user")
    return membership.user


# --- vendor portal ---------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def solution_list(request: HttpRequest) -> HttpResponse:
    filter_form = SolutionFilterForm(request.GET or None)
    filters = filter_form.filters()
    queryset = selectors.solutions_for_staff(tenant=request.tenant, filters=filters)
    if export_format(request):
        rows = queryset.select_related("orchestrator_partner", "proposed_by")
        return export_response(
            request,
            filename=f"solutions-{request.tenant.slug}.csv",
            header=[
                "id",
                "name",
                "status",
                "orchestrator",
                "proposed_by",
                "industries",
                "regions",
                "components",
                "launched_at",
                "created_at",
            ],
            rows=(
                [
                    s.public_id,
                    s.name,
                    s.status,
                    s.orchestrator_partner.name if s.orchestrator_partner else request.tenant.name,
                    s.proposed_by.name if s.proposed_by else "",
                    "; ".join(s.industries),
                    "; ".join(s.regions),
                    s.component_count,
                    s.launched_at.isoformat() if s.launched_at else "",
                    s.created_at.isoformat(),
                ]
                for s in rows
            ),
        )
    page = Paginator(queryset.select_related("orchestrator_partner"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": filter_form,
        "query": _query(filters),
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "solutions/list.html", context)


def _vendor_form(request: HttpRequest, data=None, initial=None) -> VendorSolutionForm:
    partners = selectors.invitable_partners(tenant=request.tenant)
    return VendorSolutionForm(data, initial=initial, partners=partners, staff=_staff_choices(request))


def _vendor_save(request: HttpRequest, form: VendorSolutionForm, solution=None):
    data = form.cleaned_data
    orchestrator_partner = None
    if data["orchestrator"] == OrchestratorKind.PARTNER:
        orchestrator_partner = selectors.partner_by_public_id(
            tenant=request.tenant, public_id=data["orchestrator_partner"], field="orchestrator_partner"
        )
    lead = None if orchestrator_partner else _staff_user(request, data["orchestrator_user"])
    if solution is None:
        return services.solution_create(
            tenant=request.tenant,
            actor=request.user,
            values=form.values(),
            orchestrator_partner=orchestrator_partner,
            orchestrator_user=lead,
        )
    return services.solution_update(
        tenant=request.tenant,
        actor=request.user,
        solution=solution,
        values=form.values(),
        orchestrator=data["orchestrator"],
        orchestrator_partner=orchestrator_partner,
        orchestrator_user=lead,
    )


@roles_required(*PARTNER_EDITOR_ROLES)
def solution_create(request: HttpRequest) -> HttpResponse:
    form = _vendor_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            solution = _vendor_save(request, form)
        except ApplicationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Solution %(name)s created. Add its components.") % {"name": solution.name})
            return back_to_tenant(request, "solutions:detail", solution_id=solution.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "solutions/form.html", {"form": form, "solution": None}, status=status)


@roles_required(*PARTNER_EDITOR_ROLES)
def solution_edit(request: HttpRequest, solution_id) -> HttpResponse:
    solution = selectors.access_solution(tenant=request.tenant, public_id=solution_id)
    initial = {
        **_details_initial(solution),
        "orchestrator": solution.orchestrator_kind,
        "orchestrator_partner": str(solution.orchestrator_partner.public_id) if solution.orchestrator_partner else "",
        "orchestrator_user": str(solution.orchestrator_user_id or ""),
    }
    form = _vendor_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _vendor_save(request, form, solution)
        except ApplicationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Solution saved."))
            return back_to_tenant(request, "solutions:detail", solution_id=solution.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "solutions/form.html", {"form": form, "solution": solution}, status=status)


def _vendor_detail(
    request: HttpRequest,
    solution,
    *,
    component_form: ComponentForm | None = None,
    reason_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_edit = request.membership.role in PARTNER_EDITOR_ROLES
    search = request.GET.get("q", "")
    deals = list(selectors.solution_deals(tenant=request.tenant, solution=solution)[:50])
    context = {
        "solution": solution,
        "components": selectors.solution_components(tenant=request.tenant, solution=solution),
        "figures": selectors.solution_figures(tenant=request.tenant, solution=solution),
        "deals": deals,
        "can_edit": can_edit and solution.status != SolutionStatus.RETIRED,
        "can_approve": can_edit and solution.status in (SolutionStatus.DRAFT, SolutionStatus.PROPOSED),
        "can_decline": can_edit and solution.status == SolutionStatus.PROPOSED,
        "can_retire": can_edit and solution.status != SolutionStatus.RETIRED,
        "component_form": component_form
        or ComponentForm(partners=selectors.invitable_partners(tenant=request.tenant, search=search)),
        "reason_form": reason_form or ReasonForm(),
        "search": search,
    }
    return render(request, "solutions/detail.html", context, status=status)


@roles_required(*STAFF_ROLES)
def solution_detail(request: HttpRequest, solution_id) -> HttpResponse:
    return _vendor_detail(request, selectors.access_solution(tenant=request.tenant, public_id=solution_id))


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def component_add(request: HttpRequest, solution_id) -> HttpResponse:
    solution = selectors.access_solution(tenant=request.tenant, public_id=solution_id)
    form = ComponentForm(request.POST, partners=selectors.invitable_partners(tenant=request.tenant))
    if form.is_valid():
        try:
            partner = selectors.partner_by_public_id(tenant=request.tenant, public_id=form.cleaned_data["partner"])
            services.component_add(
                tenant=request.tenant,
                actor=request.user,
                solution=solution,
                partner=partner,
                role=form.cleaned_data["role"],
                description=form.cleaned_data["description"],
            )
        except ApplicationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("%(name)s is invited; its admins answer in their portal.") % {"name": partner.name})
            return back_to_tenant(request, "solutions:detail", solution_id=solution.public_id)
    return _vendor_detail(request, solution, component_form=form, status=400)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def component_remove(request: HttpRequest, solution_id, component_id) -> HttpResponse:
    solution = selectors.access_solution(tenant=request.tenant, public_id=solution_id)
    component = selectors.access_component(tenant=request.tenant, solution=solution, component_id=component_id)
    try:
        services.component_remove(tenant=request.tenant, actor=request.user, component=component)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Component removed."))
    return back_to_tenant(request, "solutions:detail", solution_id=solution.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def solution_approve(request: HttpRequest, solution_id) -> HttpResponse:
    solution = selectors.access_solution(tenant=request.tenant, public_id=solution_id)
    try:
        services.solution_approve(tenant=request.tenant, actor=request.user, solution=solution)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is in market.") % {"name": solution.name})
    return back_to_tenant(request, "solutions:detail", solution_id=solution.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def solution_decline(request: HttpRequest, solution_id) -> HttpResponse:
    solution = selectors.access_solution(tenant=request.tenant, public_id=solution_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _vendor_detail(request, solution, reason_form=form, status=400)
    try:
        services.solution_decline(
            tenant=request.tenant, actor=request.user, solution=solution, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sent back to the partner with your reason."))
    return back_to_tenant(request, "solutions:detail", solution_id=solution.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def solution_retire(request: HttpRequest, solution_id) -> HttpResponse:
    solution = selectors.access_solution(tenant=request.tenant, public_id=solution_id)
    try:
        services.solution_retire(
            tenant=request.tenant, actor=request.user, solution=solution, reason=request.POST.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is retired: no new deal may reference it.") % {"name": solution.name})
    return back_to_tenant(request, "solutions:detail", solution_id=solution.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def lead_solution(request: HttpRequest, lead_id) -> HttpResponse:
    """Set or clear the joint solution of a lead (the form is on the lead's page)."""
    from deals import leads

    lead = leads.access_lead(tenant=request.tenant, public_id=lead_id)
    try:
        leads.lead_solution_set(
            tenant=request.tenant, actor=request.user, lead=lead, joint_solution=request.POST.get("joint_solution", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The lead's joint solution is saved."))
    return back_to_tenant(request, "leads:detail", lead_id=lead.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def registration_team(request: HttpRequest, registration_id) -> HttpResponse:
    """Bring a registration's joint solution's partners onto its co-sell team (the button on the registration page).

    Submission does this by itself when the registration is active; this is for one that became
    active later (under review, then approved). Joining again changes nothing.
    """
    from deals.cosell import access_own_registration
    from deals.registrations import solution_team_join

    registration = access_own_registration(tenant=request.tenant, registration_id=registration_id, partner_id=None)
    if not registration.is_active or registration.joint_solution_id is None:
        messages.error(request, _("Only an active registration for a joint solution can bring the solution's partners on."))
    else:
        try:
            joined = solution_team_join(tenant=request.tenant, actor=request.user, registration=registration)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)s partner(s) of the solution joined the team.") % {"count": len(joined)})
    return back_to_tenant(request, "cosell:team", registration_id=registration.public_id)
