"""A course's modules: add, edit, remove, move."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.portal.base import back_to_tenant, roles_required
from onboarding import training_setup as services
from onboarding.models import Course, CourseModule

from .courses import _course, _course_page
from .editing import _action, _can_edit, _form_error, _require_editor
from .forms import ModuleForm


def _module(course: Course, position: int) -> CourseModule:
    module = CourseModule.objects.filter(course=course, position=position).select_related("course").first()
    if module is None:
        raise NotFoundError()
    return module


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def module_add(request: HttpRequest, course_id) -> HttpResponse:
    course = _course(request, course_id)
    form = ModuleForm(request.POST)
    if form.is_valid():
        try:
            services.course_module_add(tenant=request.tenant, actor=request.user, course=course, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Module added."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    return _course_page(request, course, module_form=form, status=400)


@roles_required(*STAFF_ROLES)
def module_edit(request: HttpRequest, course_id, position: int) -> HttpResponse:
    course = _course(request, course_id)
    module = _module(course, position)
    if request.method == "POST":
        _require_editor(request)
    initial = {key: getattr(module, key) for key in ModuleForm.base_fields}
    form = ModuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_module_update(tenant=request.tenant, actor=request.user, module=module, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Module saved."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    status = 400 if request.method == "POST" else 200
    context = {"course": course, "module": module, "form": form, "can_edit": _can_edit(request)}
    return render(request, "onboarding/setup/module_form.html", context, status=status)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def module_remove(request: HttpRequest, course_id, position: int) -> HttpResponse:
    course = _course(request, course_id)
    module = _module(course, position)
    return _action(
        request,
        lambda: services.course_module_remove(tenant=request.tenant, actor=request.user, module=module),
        _("Module removed."),
        "setup:course_edit",
        course_id=course.public_id,
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def module_move(request: HttpRequest, course_id, position: int) -> HttpResponse:
    course = _course(request, course_id)
    module = _module(course, position)
    return _action(
        request,
        lambda: services.course_module_move(
            tenant=request.tenant, actor=request.user, module=module, direction=request.POST.get("direction", "")
        ),
        _("Module moved."),
        "setup:course_edit",
        course_id=course.public_id,
    )
