"""The course pages: the list, a new course, a course's own page (details, modules, quiz), publishing."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.tenancy.access import access_row
from onboarding import training_setup as services
from onboarding.models import Course, CourseModule, QuizChoice, QuizQuestion

from .editing import _action, _can_edit, _form_error, _require_editor
from .forms import CourseForm, ModuleForm, QuestionForm

PAGE_SIZE = 25


def _course(request: HttpRequest, course_id) -> Course:
    return access_row(Course.objects, tenant=request.tenant, public_id=course_id)


@roles_required(*STAFF_ROLES)
def course_list(request: HttpRequest) -> HttpResponse:
    courses = Course.objects.filter(tenant=request.tenant).annotate(
        module_count=Count("modules", distinct=True), question_count=Count("questions", distinct=True)
    )
    page = Paginator(courses.order_by("track", "title", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "onboarding/setup/course_list.html", {"page": page, "can_edit": _can_edit(request)})


@roles_required(*STAFF_ROLES)
def course_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _require_editor(request)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Course created as a draft: add its modules and quiz, then publish it."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "onboarding/setup/course_new.html", {"form": form, "can_edit": _can_edit(request)}, status=status)


def _course_page(
    request: HttpRequest,
    course: Course,
    *,
    details: CourseForm | None = None,
    module_form: ModuleForm | None = None,
    question_form: QuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = {key: getattr(course, key) for key in ("title", "summary", "track", "pass_mark", "validity_months")}
    questions = QuizQuestion.objects.filter(course=course).prefetch_related(
        Prefetch("choices", queryset=QuizChoice.objects.order_by("position", "id"))
    )
    context = {
        "course": course,
        "details": details or CourseForm(initial=initial),
        "modules": CourseModule.objects.filter(course=course).order_by("position", "id"),
        "questions": questions.order_by("position", "id"),
        "module_form": module_form or ModuleForm(),
        "question_form": question_form or QuestionForm(),
        "problems": services.course_publish_problems(course=course),
        "can_edit": _can_edit(request),
    }
    return render(request, "onboarding/setup/course_edit.html", context, status=status)


@roles_required(*STAFF_ROLES)
def course_edit(request: HttpRequest, course_id) -> HttpResponse:
    course = _course(request, course_id)
    if request.method != "POST":
        return _course_page(request, course)
    _require_editor(request)
    form = CourseForm(request.POST)
    if form.is_valid():
        try:
            services.course_update(tenant=request.tenant, actor=request.user, course=course, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Course saved."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    return _course_page(request, course, details=form, status=400)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def course_publish(request: HttpRequest, course_id) -> HttpResponse:
    course = _course(request, course_id)
    return _action(
        request,
        lambda: services.course_publish(tenant=request.tenant, actor=request.user, course=course),
        _("Published: partners can take the course."),
        "setup:course_edit",
        course_id=course.public_id,
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def course_unpublish(request: HttpRequest, course_id) -> HttpResponse:
    course = _course(request, course_id)
    return _action(
        request,
        lambda: services.course_unpublish(tenant=request.tenant, actor=request.user, course=course),
        _("Unpublished: partners no longer see the course. Certifications already earned stay valid."),
        "setup:course_edit",
        course_id=course.public_id,
    )
