"""The partner side of training and sales content in the API: a partner's user takes courses and reads content.

The same services as the partner portal: :func:`onboarding.training.quiz_submit` scores, limits
attempts and certifies; :func:`partners.content.content_download` checks the sales-access gate
and the item's visibility for the partner's type and tier, and counts the download. Only partner
users have training and content of their own: vendor staff get 404 here (they use ``courses/``,
``certifications/`` and ``content/``), API keys get ``partner_only``.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_ROLES
from ecosystem.api.views import TenantViewSet
from onboarding import training
from onboarding.models import Certification, Course, CourseCompletion, CourseModule, QuizChoice, QuizQuestion, Track
from partners import content
from partners.api.serializers import ContentItemOutputSerializer
from partners.models import ContentItem, ContentKind, PartnerOrganization

from .partner_training_serializers import (
    MyCertificationSummarySerializer,
    MyCourseOutputSerializer,
    QuizAnswersInputSerializer,
    QuizResultOutputSerializer,
)
from .partner_views import PartnerOnlyMixin

_PARTNER_USERS = frozenset(PARTNER_ROLES)


class MyCourseFilter(django_filters.FilterSet):
    track = django_filters.ChoiceFilter(choices=Track.choices)
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")

    class Meta:
        model = Course
        fields = ["track", "q"]


class MyCourseViewSet(PartnerOnlyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Published courses to take: modules, quiz questions with the answers to choose from, and your progress.

    Which answer is correct is never sent. ``POST …/quiz/`` submits one attempt.
    """

    model = Course
    serializer_class = MyCourseOutputSerializer
    filterset_class = MyCourseFilter
    ordering_fields = ["created_at", "title"]
    read_roles = _PARTNER_USERS
    write_roles = _PARTNER_USERS

    def scoped_queryset(self):
        self._caller_partner_id()
        questions = QuizQuestion.objects.order_by("position", "id").prefetch_related(
            Prefetch("choices", queryset=QuizChoice.objects.order_by("position", "id"))
        )
        return (
            Course.objects.filter(tenant=self.tenant, is_published=True)
            .prefetch_related(
                Prefetch("modules", queryset=CourseModule.objects.order_by("position", "id")),
                Prefetch("questions", queryset=questions),
            )
            .order_by("-created_at", "-id")
        )

    def get_serializer_context(self):
        """The caller's completions and current certifications, two queries for any number of courses."""
        context = super().get_serializer_context()
        if self.tenant is not None and self.membership is not None:
            user = self.request.user
            context["completions"] = {c.course_id: c for c in CourseCompletion.objects.filter(tenant=self.tenant, user=user)}
            context["certifications"] = {
                c.course_id: c for c in Certification.objects.filter(tenant=self.tenant, user=user, is_current=True)
            }
        return context

    @extend_schema(
        request=QuizAnswersInputSerializer,
        responses={200: QuizResultOutputSerializer},
        examples=[
            OpenApiExample(
                "Answers",
                request_only=True,
                value={"answers": {"6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11": "0b7e5d2c-3a4f-4e6b-8c1d-2f9a6b3e7d22"}},
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def quiz(self, request, *args, **kwargs):
        """Submit one attempt: every question answered. A pass certifies you (or renews a valid certification).

        Refusals (400): ``incomplete_answers``, ``invalid_choice``, ``no_quiz``, ``too_many_attempts``
        (3 attempts per course in 24 hours).
        """
        course = self.get_object()
        partner_id = self._caller_partner_id()
        payload = QuizAnswersInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        answers = {str(question): str(choice) for question, choice in payload.validated_data["answers"].items()}
        result = training.quiz_submit(
            tenant=self.tenant, actor=request.user, partner_id=partner_id, course=course, answers=answers
        )
        progress = MyCourseOutputSerializer.progress_of(
            course,
            completions={course.pk: result.completion},
            certifications={course.pk: result.certification} if result.certification else {},
        )
        body = {
            "score": result.score,
            "correct": result.correct,
            "total": result.total,
            "pass_mark": course.pass_mark,
            "passed": result.passed,
            "renewed": result.renewed,
            "certification": result.certification,
            "my_progress": progress,
        }
        return Response(QuizResultOutputSerializer(body).data)


class MyCertificationViewSet(PartnerOnlyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Your own certifications, current ones first (expired and revoked ones stay on record)."""

    model = Certification
    serializer_class = MyCertificationSummarySerializer
    read_roles = _PARTNER_USERS
    write_roles = frozenset()
    pagination_class = None  # a person holds a handful

    def scoped_queryset(self):
        self._caller_partner_id()
        return Certification.objects.filter(tenant=self.tenant, user=self.request.user).order_by(
            "-is_current", "-issued_at", "-id"
        )


class MyContentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ContentKind.choices)

    class Meta:
        model = ContentItem
        fields = ["kind"]


class MyContentViewSet(PartnerOnlyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Sales content for your partner type and tier, once your sales access is open.

    Until every agreement is signed and the security review is done, every operation answers 403
    ``onboarding_incomplete`` naming the steps still missing. Items not meant for your type or
    tier do not exist here (404).
    """

    model = ContentItem
    serializer_class = ContentItemOutputSerializer
    filterset_class = MyContentFilter
    ordering_fields = ["created_at", "title"]
    read_roles = _PARTNER_USERS
    write_roles = frozenset()

    def scoped_queryset(self):
        from onboarding.services import require_sales_access

        partner_id = self._caller_partner_id()
        require_sales_access(tenant=self.tenant, partner_id=partner_id)
        partner = PartnerOrganization.objects.get(tenant=self.tenant, pk=partner_id)
        return content.content_for_partner(tenant=self.tenant, partner=partner)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment."),
            302: OpenApiResponse(description="A link item: its https address in Location."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        """The file (as an attachment) or, for a link, a redirect to its https address. Counted as engagement."""
        item = self.get_object()
        delivery = content.content_download(
            tenant=self.tenant, partner_id=self._caller_partner_id(), user=request.user, item=item
        )
        if delivery.redirect_url:
            return HttpResponseRedirect(delivery.redirect_url)
        response = FileResponse(delivery.file, as_attachment=True, filename=delivery.filename)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
