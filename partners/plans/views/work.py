"""The work on a plan: initiatives (both portals), goals and quarterly reviews (vendor)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.errors import ApplicationError
from ecosystem.portal.base import roles_required

from .. import figures, selectors, services
from ..forms import GoalEditForm, GoalForm, ReviewForm
from .plans import _back, _can, _detail, _form_error, _initiative_form, _ns, _partner_id, _person, _plan

# --- initiatives (both portals) --------------------------------------------------------------------


def _initiative_values(request: HttpRequest, form) -> dict | None:
    values = {key: form.cleaned_data[key] for key in ("title", "description", "due_date", "status")}
    for name in ("vendor_owner", "partner_owner"):
        if name in form.fields:
            person = _person(form, name)
            if person is False:
                return None
            values[name] = person
    return values


def _initiative_add(request: HttpRequest, plan_id) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = _initiative_form(request, plan, request.POST)
    if form.is_valid():
        values = _initiative_values(request, form)
        if values is not None:
            try:
                services.initiative_create(
                    tenant=request.tenant, actor=request.user, plan=plan, partner_id=_partner_id(request), values=values
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Initiative added."))
                return _back(request, plan)
    return _detail(request, plan, status=400, initiative_form=form)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def initiative_add(request: HttpRequest, plan_id) -> HttpResponse:
    return _initiative_add(request, plan_id)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def my_initiative_add(request: HttpRequest, plan_id) -> HttpResponse:
    return _initiative_add(request, plan_id)


def _initiative_edit(request: HttpRequest, plan_id, initiative_id, *, can_write: bool) -> HttpResponse:
    plan = _plan(request, plan_id)
    initiative = selectors.access_initiative(plan=plan, public_id=initiative_id)
    if request.method == "POST" and not can_write:  # found first: a foreign id stays "not found"
        raise PermissionDenied(_("Your role does not allow this."))
    initial = {
        "title": initiative.title,
        "description": initiative.description,
        "due_date": initiative.due_date,
        "status": initiative.status,
        "vendor_owner": str(initiative.vendor_owner.public_id) if initiative.vendor_owner_id else "",
        "partner_owner": str(initiative.partner_owner.public_id) if initiative.partner_owner_id else "",
    }
    data = request.POST if request.method == "POST" and can_write else None
    form = _initiative_form(request, plan, data, initial=initial)
    owner = initiative.partner_owner
    if owner is not None and initial["partner_owner"] not in dict(form.fields["partner_owner"].choices):
        # another team partner's user (a solution plan): shown, and kept unless changed
        form.fields["partner_owner"].choices = [*form.fields["partner_owner"].choices, (initial["partner_owner"], str(owner))]
    if data is not None and form.is_valid():
        values = _initiative_values(request, form)
        if values is not None:
            for name in ("vendor_owner", "partner_owner"):  # an owner left as it was is no change to check
                if name in values and values[name] == getattr(initiative, name):
                    del values[name]
            try:
                services.initiative_update(
                    tenant=request.tenant,
                    actor=request.user,
                    initiative=initiative,
                    partner_id=_partner_id(request),
                    values=values,
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Initiative saved."))
                return _back(request, plan)
    status = 400 if data is not None else 200
    context = {
        "plan": plan,
        "initiative": initiative,
        "form": form,
        "ns": _ns(request),
        "can_write": can_write and _can(request, plan)["edit_initiatives"],
        "can_remove": _can(request, plan)["remove_initiatives"],
    }
    return render(request, "plans/initiative_form.html", context, status=status)


@roles_required(*STAFF_ROLES)
def initiative_edit(request: HttpRequest, plan_id, initiative_id) -> HttpResponse:
    """Vendor editors change it; analysts read it."""
    can_write = request.membership.role in PARTNER_EDITOR_ROLES
    return _initiative_edit(request, plan_id, initiative_id, can_write=can_write)


@roles_required(*PARTNER_ROLES)
def my_initiative_edit(request: HttpRequest, plan_id, initiative_id) -> HttpResponse:
    """Partner admins change it; reps read it."""
    can_write = request.membership.role == Role.PARTNER_ADMIN
    return _initiative_edit(request, plan_id, initiative_id, can_write=can_write)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def initiative_remove(request: HttpRequest, plan_id, initiative_id) -> HttpResponse:
    plan = _plan(request, plan_id)
    initiative = selectors.access_initiative(plan=plan, public_id=initiative_id)
    try:
        services.initiative_remove(tenant=request.tenant, actor=request.user, initiative=initiative)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Initiative removed."))
    return _back(request, plan)


# --- goals and reviews (vendor) --------------------------------------------------------------------


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def goal_add(request: HttpRequest, plan_id) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            services.goal_add(
                tenant=request.tenant,
                actor=request.user,
                plan=plan,
                metric=form.cleaned_data["metric"],
                target=form.cleaned_data["target"],
                manual_actual=form.cleaned_data["manual_actual"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Goal added."))
            return _back(request, plan)
    return _detail(request, plan, status=400, goal_form=form)


@roles_required(*PARTNER_EDITOR_ROLES)
def goal_edit(request: HttpRequest, plan_id, goal_id) -> HttpResponse:
    plan = _plan(request, plan_id)
    goal = selectors.access_goal(plan=plan, public_id=goal_id)
    manual = goal.metric in figures.MANUAL_METRICS
    form = GoalEditForm(request.POST or None, initial={"target": goal.target, "manual_actual": goal.manual_actual}, manual=manual)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(tenant=request.tenant, actor=request.user, goal=goal, values=form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Goal saved."))
            return _back(request, plan)
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/goal_form.html", {"plan": plan, "goal": goal, "form": form, "manual": manual}, status=status)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def goal_remove(request: HttpRequest, plan_id, goal_id) -> HttpResponse:
    plan = _plan(request, plan_id)
    goal = selectors.access_goal(plan=plan, public_id=goal_id)
    try:
        services.goal_remove(tenant=request.tenant, actor=request.user, goal=goal)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Goal removed."))
    return _back(request, plan)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def review_add(request: HttpRequest, plan_id) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_record(tenant=request.tenant, actor=request.user, plan=plan, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Review recorded with today's figures."))
            return _back(request, plan)
    return _detail(request, plan, status=400, review_form=form)
