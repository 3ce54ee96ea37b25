"""The plans: the lists (filters, CSV), new plan, edit and close (vendor), and the plan page of both portals
with its shared status."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from partners.models import PartnerOrganization
from partners.solutions.models import JointSolution

from .. import figures, selectors, services
from ..forms import GoalForm, InitiativeForm, PlanEditForm, PlanForm, ReviewForm, StatusForm
from ..models import GoalMetric, PlanHealth, PlanState

PAGE_SIZE = 25
PERIOD_CHOICES = [("current", _("Current")), ("upcoming", _("Upcoming")), ("past", _("Past"))]


def _form_error(form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _person(form, name: str):
    """The user a choice names, or None for "—"; an unknown id is a field error (returns False)."""
    value = form.cleaned_data.get(name)
    if not value:
        return None
    user = selectors.user_by_public_id(value)
    if user is None:
        form.add_error(name, _("Choose someone from the list."))
        return False
    return user


def _partner_id(request: HttpRequest) -> int | None:
    return request.membership.partner_id


def _ns(request: HttpRequest) -> str:
    return "partner_plans" if request.portal == "partner" else "plans"


# --- lists -----------------------------------------------------------------------------------------


def _filters(request: HttpRequest, *, partner_choice: bool) -> tuple[selectors.PlanFilters, QueryDict, dict]:
    period = request.GET.get("period", "")
    period = period if period in selectors.PERIODS or figures.parse_quarter(period) else ""
    health = request.GET.get("health", "")
    health = health if health in PlanHealth.values else ""
    state = request.GET.get("state", "")
    state = state if state in PlanState.values else ""
    partner = None
    if partner_choice and request.GET.get("partner"):
        try:
            partner = PartnerOrganization.objects.filter(tenant=request.tenant, public_id=request.GET["partner"]).first()
        except (ValueError, TypeError):
            partner = None
    query = QueryDict(mutable=True)
    for key, value in (
        ("period", period),
        ("health", health),
        ("state", state),
        ("partner", partner.public_id if partner else ""),
    ):
        if value:
            query[key] = str(value)
    chosen = {"period": period, "health": health, "state": state, "partner": str(partner.public_id) if partner else ""}
    filters = selectors.PlanFilters(partner_id=partner.pk if partner else None, period=period, health=health, state=state)
    return filters, query, chosen


def _list_context(request: HttpRequest, queryset, query: QueryDict, chosen: dict) -> dict:
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    by_plan = figures.plans_figures(tenant=request.tenant, plans=page.object_list)
    rows = [{"plan": plan, "figures": by_plan[plan.pk]} for plan in page.object_list]
    return {
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "chosen": chosen,
        "periods": PERIOD_CHOICES,
        "healths": PlanHealth.choices,
        "states": PlanState.choices,
        "ns": _ns(request),
        "portal": request.portal,
    }


@roles_required(*STAFF_ROLES)
def plan_list(request: HttpRequest) -> HttpResponse:
    filters, query, chosen = _filters(request, partner_choice=True)
    context = _list_context(request, selectors.plans_for_staff(tenant=request.tenant, filters=filters), query, chosen)
    context["partners"] = list(
        PartnerOrganization.objects.filter(tenant=request.tenant).order_by("name").values_list("public_id", "name")
    )
    context["can_edit"] = request.membership.role in PARTNER_EDITOR_ROLES
    return render(request, "plans/plan_list.html", context)


@roles_required(*STAFF_ROLES)
def plan_export(request: HttpRequest) -> HttpResponse:
    """One row per goal (a plan without goals: one row), with the figures the plan page shows."""
    filters, _query, _chosen = _filters(request, partner_choice=True)
    return _plan_export(request, selectors.plans_for_staff(tenant=request.tenant, filters=filters))


def _plan_export(request: HttpRequest, queryset) -> HttpResponse:
    """The plans of ``queryset`` (at most 5000), one row per goal, with their figures (the same for both portals)."""
    plans = list(queryset[:5000])
    by_plan = figures.plans_figures(tenant=request.tenant, plans=plans)
    header = [
        "plan_id", "title", "partner", "solution", "period_start", "period_end", "state", "status", "status_note",
        "metric", "target", "actual", "actual_source", "expected_to_date", "pace",
    ]  # fmt: skip
    rows = []
    for plan in plans:
        base = [
            plan.public_id,
            plan.title,
            plan.partner.name if plan.partner_id else "",
            plan.solution.name if plan.solution_id else "",
            plan.period_start,
            plan.period_end,
            plan.state,
            plan.health,
            plan.status_note,
        ]
        goals = by_plan[plan.pk]
        if not goals:
            rows.append([*base, "", "", "", "", "", ""])
        for f in goals:
            rows.append([*base, f.metric, f.target, "" if f.actual is None else f.actual, f.source_label, f.expected, f.pace])
    return export_response(request, filename="business-plans.csv", header=header, rows=rows)


@roles_required(*PARTNER_ROLES)
def my_plans(request: HttpRequest) -> HttpResponse:
    filters, query, chosen = _filters(request, partner_choice=False)
    queryset = selectors.plans_for_partner(tenant=request.tenant, partner_id=_partner_id(request), filters=filters)
    if export_format(request):
        return _plan_export(request, queryset)
    return render(request, "plans/plan_list.html", {**_list_context(request, queryset, query, chosen), "can_edit": False})


# --- new and edit (vendor) -------------------------------------------------------------------------


def _solution_choices(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (str(public_id), name)
        for public_id, name in JointSolution.objects.filter(tenant=request.tenant)
        .exclude(status="retired")
        .order_by("name")
        .values_list("public_id", "name")
    ]


@roles_required(*PARTNER_EDITOR_ROLES)
def plan_create(request: HttpRequest) -> HttpResponse:
    start, end = figures.quarter_bounds(timezone.localdate())
    form = PlanForm(
        request.POST or None,
        initial={"period_start": start, "period_end": end},
        partners=[
            (str(p), n)
            for p, n in PartnerOrganization.objects.filter(tenant=request.tenant)
            .order_by("name")
            .values_list("public_id", "name")
        ],
        solutions=_solution_choices(request),
        staff=selectors.staff_choices(tenant=request.tenant),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        partner = (
            PartnerOrganization.objects.filter(tenant=request.tenant, public_id=data["partner"]).first()
            if data["partner"]
            else None
        )
        solution = (
            JointSolution.objects.filter(tenant=request.tenant, public_id=data["solution"]).first() if data["solution"] else None
        )
        owner = _person(form, "vendor_owner")
        if data["partner"] and partner is None:
            form.add_error("partner", _("Choose a partner from the list."))
        elif data["solution"] and solution is None:
            form.add_error("solution", _("Choose a joint solution from the list."))
        elif owner is not False:
            try:
                plan = services.plan_create(
                    tenant=request.tenant,
                    actor=request.user,
                    title=data["title"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    partner=partner,
                    solution=solution,
                    vendor_owner=owner,
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Plan created. Add its goals and initiatives."))
                return back_to_tenant(request, "plans:detail", plan_id=plan.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/plan_form.html", {"form": form}, status=status)


@roles_required(*PARTNER_EDITOR_ROLES)
def plan_edit(request: HttpRequest, plan_id) -> HttpResponse:
    plan = selectors.access_plan(tenant=request.tenant, public_id=plan_id)
    initial = {
        "title": plan.title,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "vendor_owner": str(plan.vendor_owner.public_id) if plan.vendor_owner_id else "",
        "partner_owner": str(plan.partner_owner.public_id) if plan.partner_owner_id else "",
    }
    form = PlanEditForm(
        request.POST or None,
        initial=initial,
        staff=selectors.staff_choices(tenant=request.tenant),
        partner_people=selectors.partner_people_choices(tenant=request.tenant, partner_ids=plan.team_partner_ids),
    )
    if request.method == "POST" and form.is_valid():
        vendor_owner, partner_owner = _person(form, "vendor_owner"), _person(form, "partner_owner")
        if vendor_owner is not False and partner_owner is not False:
            values = {**form.cleaned_data, "vendor_owner": vendor_owner, "partner_owner": partner_owner}
            try:
                services.plan_update(tenant=request.tenant, actor=request.user, plan=plan, values=values)
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Plan saved."))
                return back_to_tenant(request, "plans:detail", plan_id=plan.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/plan_edit.html", {"form": form, "plan": plan}, status=status)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def plan_close(request: HttpRequest, plan_id) -> HttpResponse:
    plan = selectors.access_plan(tenant=request.tenant, public_id=plan_id)
    try:
        services.plan_close(tenant=request.tenant, actor=request.user, plan=plan)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The plan is closed."))
    return back_to_tenant(request, "plans:detail", plan_id=plan.public_id)


# --- the plan page (both portals) ------------------------------------------------------------------


def _can(request: HttpRequest, plan) -> dict[str, bool]:
    open_plan = plan.state != PlanState.CLOSED
    vendor_editor = request.membership.role in PARTNER_EDITOR_ROLES
    both_sides = vendor_editor or request.membership.role == Role.PARTNER_ADMIN
    return {
        "edit_plan": open_plan and vendor_editor,
        "edit_goals": open_plan and vendor_editor,
        "edit_status": open_plan and both_sides,
        "edit_initiatives": open_plan and both_sides,
        "remove_initiatives": open_plan and vendor_editor,
        "record_reviews": open_plan and vendor_editor,
    }


def _initiative_form(request: HttpRequest, plan, data=None, *, initial=None) -> InitiativeForm:
    partner_id = _partner_id(request)
    return InitiativeForm(
        data,
        initial=initial,
        staff=selectors.staff_choices(tenant=request.tenant) if partner_id is None else None,
        partner_people=selectors.partner_people_choices(
            tenant=request.tenant, partner_ids=[partner_id] if partner_id is not None else plan.team_partner_ids
        ),
    )


def _detail(request: HttpRequest, plan, *, status: int = 200, **forms) -> HttpResponse:
    ns = _ns(request)
    can = _can(request, plan)
    prefetch_related_objects([plan], "goals")
    plan_with_goals = plan
    goal_figures = figures.plan_figures(tenant=request.tenant, plan=plan_with_goals)
    initiatives = list(selectors.plan_initiatives(plan=plan))
    for initiative in initiatives:
        initiative.edit_url = reverse(f"{ns}:initiative", args=[request.tenant.slug, plan.public_id, initiative.public_id])
    used = {f.metric for f in goal_figures}
    goal_form = forms.get("goal_form") or GoalForm()
    goal_form.fields["metric"].choices = [("", "—"), *[(m, label) for m, label in GoalMetric.choices if m not in used]]
    today = timezone.localdate()
    context = {
        "plan": plan,
        "subject": selectors.plan_subject(plan),
        "figures": goal_figures,
        "series": figures.plan_series(tenant=request.tenant, plan=plan_with_goals),
        "initiatives": initiatives,
        "reviews": list(selectors.plan_reviews(plan=plan)),
        "can": can,
        "ns": ns,
        "portal": request.portal,
        "status_form": forms.get("status_form") or StatusForm(initial={"health": plan.health, "note": plan.status_note}),
        "goal_form": goal_form,
        "initiative_form": forms.get("initiative_form") or _initiative_form(request, plan),
        "review_form": forms.get("review_form") or ReviewForm(initial={"quarter": figures.quarter_of(today), "held_on": today}),
        "counts_solution_deals": figures.counts_solution_deals(plan),
        "fraction": figures.elapsed_fraction(start=plan.period_start, end=plan.period_end, on=today),
        "tolerance": int(figures.PACE_TOLERANCE * 100),
    }
    return render(request, "plans/plan_detail.html", context, status=status)


def _plan(request: HttpRequest, plan_id):
    return selectors.access_plan(tenant=request.tenant, public_id=plan_id, partner_id=_partner_id(request))


def _back(request: HttpRequest, plan) -> HttpResponse:
    return back_to_tenant(request, f"{_ns(request)}:detail", plan_id=plan.public_id)


@roles_required(*STAFF_ROLES)
def plan_detail(request: HttpRequest, plan_id) -> HttpResponse:
    return _detail(request, _plan(request, plan_id))


@roles_required(*PARTNER_ROLES)
def my_plan(request: HttpRequest, plan_id) -> HttpResponse:
    return _detail(request, _plan(request, plan_id))


def _status(request: HttpRequest, plan_id) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.status_update(
                tenant=request.tenant,
                actor=request.user,
                plan=plan,
                partner_id=_partner_id(request),
                health=form.cleaned_data["health"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Status saved."))
            return _back(request, plan)
    return _detail(request, plan, status=400, status_form=form)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def plan_status(request: HttpRequest, plan_id) -> HttpResponse:
    return _status(request, plan_id)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def my_plan_status(request: HttpRequest, plan_id) -> HttpResponse:
    return _status(request, plan_id)
