"""Joint solution pages: the vendor's catalogue (list, create, edit, detail with figures and decisions) and the
partner's (catalogue of solutions in market, its own solutions, proposing one, invitations to answer).

Every action calls :mod:`partners.solutions.services`, the API does too, so both refuse alike. A
partner reads another partner's solution only as a catalogue entry (public fields) once it is in market.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Membership, Role
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.exports import csv_response
from ecosystem.portal.base import back_to_tenant, roles_required

from . import selectors, services
from .forms import (
    ComponentForm,
    PartnerSolutionForm,
    ProposeForm,
    ReasonForm,
    SolutionFilterForm,
    VendorSolutionForm,
    put_error,
)
from .models import ComponentStatus, OrchestratorKind, SolutionStatus

PAGE_SIZE = 25


def _query(filters: dict[str, str]) -> str:
    query = QueryDict(mutable=True)
    query.update(filters)
    return query.urlencode()


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


def _details_initial(solution) -> dict:
    return {
        "name": solution.name,
        "summary": solution.summary,
        "industries": ", ".join(solution.industries),
        "regions": solution.regions,
    }


# --- vendor portal ---------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def solution_list(request: HttpRequest) -> HttpResponse:
    filter_form = SolutionFilterForm(request.GET or None)
    filters = filter_form.filters()
    queryset = selectors.solutions_for_staff(tenant=request.tenant, filters=filters)
    if request.GET.get("export") == "csv":
        rows = queryset.select_related("orchestrator_partner", "proposed_by")
        return csv_response(
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


# --- partner portal --------------------------------------------------------------------------------


def _partner_id(request: HttpRequest) -> int:
    return request.membership.partner_id


def _is_admin(request: HttpRequest) -> bool:
    return request.membership.role == Role.PARTNER_ADMIN


@roles_required(*PARTNER_ROLES)
def partner_list(request: HttpRequest) -> HttpResponse:
    """The catalogue of solutions in market, the organisation's own solutions, and its open invitations."""
    filter_form = SolutionFilterForm(request.GET or None)
    filters = filter_form.filters()
    entries = selectors.catalogue(tenant=request.tenant, filters=filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": filter_form,
        "query": _query(filters),
        "ours": selectors.with_partner_names(
            tenant=request.tenant,
            solutions=list(selectors.solutions_for_partner(tenant=request.tenant, partner_id=_partner_id(request))[:100]),
        ),
        "invitation_count": selectors.invitations_for_partner(tenant=request.tenant, partner_id=_partner_id(request)).count(),
        "can_propose": _is_admin(request),
    }
    return render(request, "solutions/partner_list.html", context)


@roles_required(Role.PARTNER_ADMIN)
def partner_propose(request: HttpRequest) -> HttpResponse:
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            solution = services.solution_propose(
                tenant=request.tenant,
                actor=request.user,
                partner_id=_partner_id(request),
                values=form.values(),
                role=form.cleaned_data["role"],
                description=form.cleaned_data["description"],
            )
        except ApplicationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Draft saved. Invite the partners who deliver the other parts, then submit it."))
            return back_to_tenant(request, "partner_solutions:detail", solution_id=solution.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "solutions/propose.html", {"form": form}, status=status)


def _partner_detail(
    request: HttpRequest, solution, *, component_form: ComponentForm | None = None, status: int = 200
) -> HttpResponse:
    partner_id = _partner_id(request)
    can_manage = _is_admin(request) and selectors.can_manage(solution=solution, partner_id=partner_id)
    search = request.GET.get("q", "")
    components = selectors.solution_components(tenant=request.tenant, solution=solution)
    own_invitations = [c for c in components if c.partner_id == partner_id and c.status == ComponentStatus.INVITED]
    selectors.with_partner_names(tenant=request.tenant, solutions=[solution])
    context = {
        "solution": solution,
        "components": components,
        "own_invitations": own_invitations,
        "can_manage": can_manage,
        "can_answer": _is_admin(request),
        "component_form": component_form
        or (ComponentForm(partners=selectors.invitable_partners(tenant=request.tenant, search=search)) if can_manage else None),
        "search": search,
    }
    return render(request, "solutions/partner_detail.html", context, status=status)


@roles_required(*PARTNER_ROLES)
def partner_detail(request: HttpRequest, solution_id) -> HttpResponse:
    """Our solution (any state, with its components and what the managers said), or a catalogue entry in market."""
    try:
        solution = selectors.access_solution(tenant=request.tenant, public_id=solution_id, partner_id=_partner_id(request))
    except NotFoundError:
        entry = selectors.catalogue_entry(tenant=request.tenant, public_id=solution_id)
        return render(request, "solutions/catalogue_entry.html", {"entry": entry})
    return _partner_detail(request, solution)


def _managed(request: HttpRequest, solution_id):
    solution = selectors.access_solution(tenant=request.tenant, public_id=solution_id, partner_id=_partner_id(request))
    if _partner_id(request) not in services.managing_partner_ids(solution):
        raise NotFoundError()
    return solution


@roles_required(Role.PARTNER_ADMIN)
def partner_edit(request: HttpRequest, solution_id) -> HttpResponse:
    solution = _managed(request, solution_id)
    partners = selectors.invitable_partners(tenant=request.tenant, search=request.GET.get("q", ""))
    initial = {
        **_details_initial(solution),
        "orchestrator_partner": str(solution.orchestrator_partner.public_id) if solution.orchestrator_partner else "",
    }
    form = PartnerSolutionForm(request.POST or None, initial=initial, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            orchestrator = selectors.partner_by_public_id(
                tenant=request.tenant, public_id=form.cleaned_data["orchestrator_partner"], field="orchestrator_partner"
            )
            services.solution_update(
                tenant=request.tenant,
                actor=request.user,
                solution=solution,
                values=form.values(),
                partner_id=_partner_id(request),
                orchestrator=OrchestratorKind.PARTNER,
                orchestrator_partner=orchestrator,
            )
        except ApplicationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Solution saved."))
            if _partner_id(request) in (solution.proposed_by_id, orchestrator.pk):
                return back_to_tenant(request, "partner_solutions:detail", solution_id=solution.public_id)
            return back_to_tenant(request, "partner_solutions:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "solutions/partner_form.html", {"form": form, "solution": solution}, status=status)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def partner_component_add(request: HttpRequest, solution_id) -> HttpResponse:
    solution = _managed(request, solution_id)
    form = ComponentForm(request.POST, partners=selectors.invitable_partners(tenant=request.tenant))
    if form.is_valid():
        try:
            partner = selectors.partner_by_public_id(tenant=request.tenant, public_id=form.cleaned_data["partner"])
            component = services.component_add(
                tenant=request.tenant,
                actor=request.user,
                solution=solution,
                partner=partner,
                role=form.cleaned_data["role"],
                description=form.cleaned_data["description"],
                partner_id=_partner_id(request),
            )
        except ApplicationError as error:
            put_error(form, error)
        else:
            if component.status == ComponentStatus.INVITED:
                messages.success(request, _("Invitation sent to %(name)s.") % {"name": partner.name})
            else:
                messages.success(request, _("Component added."))
            return back_to_tenant(request, "partner_solutions:detail", solution_id=solution.public_id)
    return _partner_detail(request, solution, component_form=form, status=400)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def partner_component_remove(request: HttpRequest, solution_id, component_id) -> HttpResponse:
    solution = _managed(request, solution_id)
    component = selectors.access_component(tenant=request.tenant, solution=solution, component_id=component_id)
    try:
        services.component_remove(tenant=request.tenant, actor=request.user, component=component, partner_id=_partner_id(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Component removed."))
    return back_to_tenant(request, "partner_solutions:detail", solution_id=solution.public_id)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def partner_submit(request: HttpRequest, solution_id) -> HttpResponse:
    solution = _managed(request, solution_id)
    try:
        services.solution_submit(tenant=request.tenant, actor=request.user, solution=solution, partner_id=_partner_id(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Submitted: the program's managers will approve it or say what to change."))
    return back_to_tenant(request, "partner_solutions:detail", solution_id=solution.public_id)


@roles_required(*PARTNER_ROLES)
def partner_invitations(request: HttpRequest) -> HttpResponse:
    invitations = list(selectors.invitations_for_partner(tenant=request.tenant, partner_id=_partner_id(request)))
    selectors.with_partner_names(tenant=request.tenant, solutions=[i.solution for i in invitations])
    return render(request, "solutions/invitations.html", {"invitations": invitations, "can_answer": _is_admin(request)})


def _respond(request: HttpRequest, component_id, *, accept: bool) -> HttpResponse:
    component = selectors.access_invitation(tenant=request.tenant, public_id=component_id, partner_id=_partner_id(request))
    try:
        services.component_respond(
            tenant=request.tenant, actor=request.user, partner_id=_partner_id(request), component=component, accept=accept
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return back_to_tenant(request, "partner_solutions:invitations")
    if accept:
        messages.success(request, _("You are part of %(name)s.") % {"name": component.solution.name})
        return back_to_tenant(request, "partner_solutions:detail", solution_id=component.solution.public_id)
    messages.success(request, _("Invitation declined."))
    return back_to_tenant(request, "partner_solutions:invitations")


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def invitation_accept(request: HttpRequest, component_id) -> HttpResponse:
    return _respond(request, component_id, accept=True)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def invitation_decline(request: HttpRequest, component_id) -> HttpResponse:
    return _respond(request, component_id, accept=False)
