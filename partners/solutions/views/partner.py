"""The partner's pages: the catalogue of solutions in market, its own solutions, proposing one, managing a draft,
and answering invitations."""

from __future__ import annotations

from itertools import chain

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_ROLES, Role
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required

from .. import selectors, services
from ..forms import (
    ComponentForm,
    PartnerSolutionForm,
    ProposeForm,
    SolutionFilterForm,
    put_error,
)
from ..models import ComponentStatus, OrchestratorKind
from .common import PAGE_SIZE, _details_initial, _query

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
    if export_format(request):
        return _partner_export(request, entries)
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


def _partner_export(request: HttpRequest, entries) -> HttpResponse:
    """The filtered catalogue (public fields), then the organisation's own solutions in any state (two queries more)."""
    ours = selectors.with_partner_names(
        tenant=request.tenant,
        solutions=list(selectors.solutions_for_partner(tenant=request.tenant, partner_id=_partner_id(request))),
    )
    catalogue_rows = (
        [
            "catalogue",
            e.public_id,
            e.name,
            "in_market",
            e.orchestrator,
            "; ".join(e.industries),
            "; ".join(e.region_labels),
            "; ".join(c.partner_name for c in e.components),
            e.launched_at,
        ]
        for e in entries
    )
    our_rows = (
        [
            "ours",
            s.public_id,
            s.name,
            s.status,
            s.orchestrator_name,
            "; ".join(s.industries),
            "; ".join(s.regions),
            "",
            s.launched_at,
        ]
        for s in ours
    )
    return export_response(
        request,
        filename="solutions.csv",
        header=["list", "id", "name", "status", "orchestrator", "industries", "regions", "partners", "launched_at"],
        rows=chain(catalogue_rows, our_rows),
    )


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
