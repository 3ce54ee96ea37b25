"""A course's quiz questions: add, edit, remove."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.tenancy.access import access_row
from onboarding import training_setup as services
from onboarding.models import Course, QuizQuestion

from .courses import _course, _course_page
from .editing import _action, _can_edit, _require_editor
from .forms import QuestionForm


def _question(course: Course, question_id) -> QuizQuestion:
    return access_row(
        QuizQuestion.objects.filter(course=course).select_related("course"), tenant=course.tenant, public_id=question_id
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def question_add(request: HttpRequest, course_id) -> HttpResponse:
    course = _course(request, course_id)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.quiz_question_add(
                tenant=request.tenant, actor=request.user, course=course, text=form.cleaned_data["text"], choices=form.choices()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, _("Question added."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    return _course_page(request, course, question_form=form, status=400)


@roles_required(*STAFF_ROLES)
def question_edit(request: HttpRequest, course_id, question_id) -> HttpResponse:
    course = _course(request, course_id)
    question = _question(course, question_id)
    if request.method == "POST":
        _require_editor(request)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.quiz_question_update(
                tenant=request.tenant,
                actor=request.user,
                question=question,
                text=form.cleaned_data["text"],
                choices=form.choices(),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, _("Question saved."))
            return back_to_tenant(request, "setup:course_edit", course_id=course.public_id)
    status = 400 if request.method == "POST" else 200
    context = {"course": course, "question": question, "form": form, "can_edit": _can_edit(request)}
    return render(request, "onboarding/setup/question_form.html", context, status=status)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def question_remove(request: HttpRequest, course_id, question_id) -> HttpResponse:
    course = _course(request, course_id)
    question = _question(course, question_id)
    return _action(
        request,
        lambda: services.quiz_question_remove(tenant=request.tenant, actor=request.user, question=question),
        _("Question removed."),
        "setup:course_edit",
        course_id=course.public_id,
    )
