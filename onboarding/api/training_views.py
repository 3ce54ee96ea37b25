from __future__ import annotations

import django_filters
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Membership, Role
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.access import access_row
from onboarding import learning, training_selectors, training_setup
from onboarding.models import (
    Certification,
    Course,
    CourseModule,
    LearnerTrack,
    LearningPath,
    LearningPathCourse,
    QuizQuestion,
    Track,
)
from onboarding.training import certifications

from .training_serializers import (
    CertificationOutputSerializer,
    CertificationRevokeInputSerializer,
    CourseInputSerializer,
    CourseModuleInputSerializer,
    CourseOutputSerializer,
    LearnerOutputSerializer,
    LearnerTracksInputSerializer,
    LearningPathCourseInputSerializer,
    LearningPathInputSerializer,
    LearningPathOutputSerializer,
    MoveInputSerializer,
    StaffQuizQuestionInputSerializer,
    StaffQuizQuestionOutputSerializer,
)


class CourseFilter(django_filters.FilterSet):
    track = django_filters.ChoiceFilter(choices=Track.choices)
    is_published = django_filters.BooleanFilter()

    class Meta:
        model = Course
        fields = ["track", "is_published"]


_COURSE_EXAMPLE = OpenApiExample(
    "A partner sales course",
    value={
        "title": "Selling the platform",
        "summary": "Positioning, pricing and the first call.",
        "track": "sales",
        "pass_mark": 80,
        "validity_months": 24,
    },
    request_only=True,
)

_MODULE_EXAMPLE = OpenApiExample(
    "A lesson with a video",
    value={
        "title": "The first call",
        "body": "What to ask, and what to send afterwards.",
        "video_url": "https://videos.example/first-call",
        "asset_url": "https://files.example/first-call.pdf",
        "asset_label": "Call checklist",
    },
    request_only=True,
)

_QUESTION_EXAMPLE = OpenApiExample(
    "Two answers, one correct",
    value={
        "text": "Who signs the order form?",
        "choices": [{"text": "The customer", "is_correct": True}, {"text": "The partner", "is_correct": False}],
    },
    request_only=True,
)


class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The program's courses (drafts too) with their modules. Filters: ``track``, ``is_published``.

    Owners and partner managers (and write keys) create a draft, change its details (``PUT``), ``publish``
    it (refused with ``quiz_incomplete`` until its quiz can be passed) and ``unpublish`` it, as on the
    portal's course setup page (``onboarding.training_setup``). The same roles add a module
    (``POST …/modules/``), change or remove one by its position (``PUT``/``DELETE …/modules/{position}/``)
    and move it (``POST …/modules/{position}/move/``); every answer is the whole course. They add quiz
    questions (``POST …/questions/``), change and remove them (``PUT``/``DELETE …/questions/{question_id}/``);
    staff read one with its correct answers (``GET``), as on the portal's question form.
    """

    model = Course
    serializer_class = CourseOutputSerializer
    filterset_class = CourseFilter
    ordering_fields = ["created_at", "title"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return (
            Course.objects.filter(tenant=self.tenant)
            .prefetch_related(
                Prefetch("modules", queryset=CourseModule.objects.order_by("position", "id")),
                Prefetch("questions", queryset=QuizQuestion.objects.order_by("position", "id")),
            )
            .order_by("-created_at", "-id")
        )

    def _answer(self, course: Course, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(CourseOutputSerializer(self.get_queryset().get(pk=course.pk)).data, status=status_code)

    @extend_schema(request=CourseInputSerializer, responses={201: CourseOutputSerializer}, examples=[_COURSE_EXAMPLE])
    def create(self, request, *args, **kwargs):
        """A new draft course: partners see it once it has a quiz and is published."""
        payload = CourseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        course = training_setup.course_create(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return self._answer(course, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=CourseInputSerializer, responses={200: CourseOutputSerializer}, examples=[_COURSE_EXAMPLE])
    def update(self, request, *args, **kwargs):
        """Change the course's details. ``400 on_learning_path`` when a course on a path would change track."""
        course = self.get_object()
        payload = CourseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        course = training_setup.course_update(tenant=self.tenant, actor=self.actor, course=course, **payload.validated_data)
        return self._answer(course)

    @extend_schema(request=None, responses={200: CourseOutputSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        """Show the course to partners. ``400 quiz_incomplete`` names what its quiz still lacks."""
        return self._answer(training_setup.course_publish(tenant=self.tenant, actor=self.actor, course=self.get_object()))

    @extend_schema(request=None, responses={200: CourseOutputSerializer})
    @action(detail=True, methods=["post"])
    def unpublish(self, request, *args, **kwargs):
        """Hide the course from partners; completions and certifications already earned stay valid."""
        return self._answer(training_setup.course_unpublish(tenant=self.tenant, actor=self.actor, course=self.get_object()))

    def _module(self, course: Course, position: int) -> CourseModule:
        """The course's module at ``position`` (404 otherwise), as the portal's module pages."""
        module = CourseModule.objects.filter(course=course, position=position).select_related("course").first()
        if module is None:
            raise exceptions.NotFound()
        return module

    @extend_schema(request=CourseModuleInputSerializer, responses={201: CourseOutputSerializer}, examples=[_MODULE_EXAMPLE])
    @action(detail=True, methods=["post"])
    def modules(self, request, *args, **kwargs):
        """Append a module at the end of the course. ``400`` (``attr`` video_url/asset_url) for a link that is not https."""
        course = self.get_object()
        payload = CourseModuleInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        training_setup.course_module_add(tenant=self.tenant, actor=self.actor, course=course, **payload.validated_data)
        return self._answer(course, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PUT"], request=CourseModuleInputSerializer, responses={200: CourseOutputSerializer}, examples=[_MODULE_EXAMPLE]
    )
    @extend_schema(methods=["DELETE"], request=None, responses={200: CourseOutputSerializer})
    @action(detail=True, methods=["put", "delete"], url_path="modules/<int:position>", url_name="module")
    def module(self, request, *args, position=None, **kwargs):
        """Change the module at ``position`` (every field, as the portal form), or remove it (the ones after move up)."""
        course = self.get_object()
        module = self._module(course, position)
        if request.method == "DELETE":
            training_setup.course_module_remove(tenant=self.tenant, actor=self.actor, module=module)
            return self._answer(course)
        payload = CourseModuleInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        training_setup.course_module_update(tenant=self.tenant, actor=self.actor, module=module, **payload.validated_data)
        return self._answer(course)

    @extend_schema(
        request=MoveInputSerializer,
        responses={200: CourseOutputSerializer},
        examples=[OpenApiExample("One place earlier", value={"direction": "up"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="modules/<int:position>/move", url_name="module-move")
    def module_move(self, request, *args, position=None, **kwargs):
        """Swap the module with the one before (``up``) or after (``down``); at either end nothing changes."""
        course = self.get_object()
        module = self._module(course, position)
        payload = MoveInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        training_setup.course_module_move(
            tenant=self.tenant, actor=self.actor, module=module, direction=payload.validated_data["direction"]
        )
        return self._answer(course)

    def _question_answer(self, question: QuizQuestion, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = QuizQuestion.objects.prefetch_related("choices").get(pk=question.pk)
        return Response(StaffQuizQuestionOutputSerializer(fresh).data, status=status_code)

    @extend_schema(
        request=StaffQuizQuestionInputSerializer, responses={201: StaffQuizQuestionOutputSerializer}, examples=[_QUESTION_EXAMPLE]
    )
    @action(detail=True, methods=["post"])
    def questions(self, request, *args, **kwargs):
        """Add a question at the end of the quiz. ``400`` ``too_few_choices``, ``no_correct_choice``, ``too_many_choices``."""
        course = self.get_object()
        payload = StaffQuizQuestionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = training_setup.quiz_question_add(
            tenant=self.tenant, actor=self.actor, course=course, **_question_values(payload.validated_data)
        )
        return self._question_answer(question, status_code=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: StaffQuizQuestionOutputSerializer})
    @extend_schema(
        methods=["PUT"],
        request=StaffQuizQuestionInputSerializer,
        responses={200: StaffQuizQuestionOutputSerializer},
        examples=[_QUESTION_EXAMPLE],
    )
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["get", "put", "delete"], url_path="questions/<uuid:question_id>", url_name="question")
    def question(self, request, *args, question_id=None, **kwargs):
        """Read the question with its correct answers, replace its text and answers, or remove it
        (``400 last_question`` for a published course's only question)."""
        course = self.get_object()
        question = access_row(
            QuizQuestion.objects.filter(course=course).select_related("course"), tenant=self.tenant, public_id=question_id
        )
        if request.method == "GET":
            return self._question_answer(question)
        if request.method == "DELETE":
            training_setup.quiz_question_remove(tenant=self.tenant, actor=self.actor, question=question)
            return Response(status=status.HTTP_204_NO_CONTENT)
        payload = StaffQuizQuestionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = training_setup.quiz_question_update(
            tenant=self.tenant, actor=self.actor, question=question, **_question_values(payload.validated_data)
        )
        return self._question_answer(question)


def _question_values(validated: dict) -> dict:
    return {"text": validated["text"], "choices": [(c["text"], c["is_correct"]) for c in validated["choices"]]}


class TrackCursorPagination(CreatedCursorPagination):
    ordering = ("track",)  # one path per track


class LearningPathViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Each track's learning path (one per track) and its courses, as the portal's learning paths page.

    Owners and partner managers (and write keys) save a track's path (``POST``: created the first time,
    its title and description changed after), put a course of the path's track at its end
    (``POST …/courses/``), take one off (``DELETE …/courses/{course_id}/``; the course itself stays) and
    move one (``POST …/courses/{course_id}/move/``). Every answer is the whole path.
    """

    model = LearningPath
    serializer_class = LearningPathOutputSerializer
    pagination_class = TrackCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        entries = LearningPathCourse.objects.select_related("course").order_by("position", "id")
        return (
            LearningPath.objects.filter(tenant=self.tenant)
            .prefetch_related(Prefetch("entries", queryset=entries))
            .order_by("track")
        )

    def _answer(self, path: LearningPath, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(LearningPathOutputSerializer(self.get_queryset().get(pk=path.pk)).data, status=status_code)

    def _on_path(self, path: LearningPath, course_id) -> Course:
        """The course on this path (404 otherwise), as the portal's path pages."""
        entry = LearningPathCourse.objects.filter(path=path, course__public_id=course_id).select_related("course").first()
        if entry is None:
            raise exceptions.NotFound()
        return entry.course

    @extend_schema(
        request=LearningPathInputSerializer,
        responses={201: LearningPathOutputSerializer, 200: LearningPathOutputSerializer},
        examples=[
            OpenApiExample(
                "The sales path",
                value={"track": "sales", "title": "Sales path", "description": "From the pitch to the first deal."},
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        """Create the track's path (201) or change its title and description (200)."""
        payload = LearningPathInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        existed = LearningPath.objects.filter(tenant=self.tenant, track=payload.validated_data["track"]).exists()  # status only
        path = training_setup.learning_path_save(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return self._answer(path, status_code=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        request=LearningPathCourseInputSerializer,
        responses={201: LearningPathOutputSerializer},
        examples=[OpenApiExample("A sales course", value={"course": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def courses(self, request, *args, **kwargs):
        """Put a course at the end of the path. ``400 wrong_track``, ``duplicate``; ``invalid_choice`` for an unknown course."""
        path = self.get_object()
        payload = LearningPathCourseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        course = Course.objects.filter(tenant=self.tenant, public_id=payload.validated_data["course"]).first()
        if course is None:
            raise ApplicationError(_("Choose a course of this program."), code="invalid_choice", field="course")
        training_setup.learning_path_course_add(tenant=self.tenant, actor=self.actor, path=path, course=course)
        return self._answer(path, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: LearningPathOutputSerializer})
    @action(detail=True, methods=["delete"], url_path="courses/<uuid:course_id>", url_name="course")
    def course(self, request, *args, course_id=None, **kwargs):
        """Take the course off the path (the course itself stays); the ones after it move up."""
        path = self.get_object()
        course = self._on_path(path, course_id)
        training_setup.learning_path_course_remove(tenant=self.tenant, actor=self.actor, path=path, course=course)
        return self._answer(path)

    @extend_schema(
        request=MoveInputSerializer,
        responses={200: LearningPathOutputSerializer},
        examples=[OpenApiExample("One place later", value={"direction": "down"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="courses/<uuid:course_id>/move", url_name="course-move")
    def course_move(self, request, *args, course_id=None, **kwargs):
        """Swap the course with the one before (``up``) or after (``down``) on the path."""
        path = self.get_object()
        course = self._on_path(path, course_id)
        payload = MoveInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        training_setup.learning_path_course_move(
            tenant=self.tenant, actor=self.actor, path=path, course=course, direction=payload.validated_data["direction"]
        )
        return self._answer(path)


class IssuedCursorPagination(CreatedCursorPagination):
    ordering = ("-issued_at", "-id")


class CertificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Certifications issued to partners' people.

    Filters: ``q`` (number, holder or partner), ``course`` (id), ``status`` (valid, expired,
    revoked), ``expiring_within_days`` (valid ones expiring within that many days).
    """

    model = Certification
    serializer_class = CertificationOutputSerializer
    filterset_class = training_selectors.CertificationFilter
    ordering_fields = ["issued_at", "expires_on"]
    pagination_class = IssuedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return training_selectors.certification_list(tenant=self.tenant).order_by("-issued_at", "-id")

    @extend_schema(
        request=CertificationRevokeInputSerializer,
        responses={200: CertificationOutputSerializer},
        examples=[OpenApiExample("Issued in error", value={"reason": "Issued to the wrong person."}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Withdraw the certification (its number then verifies as a mismatch). ``400 already_revoked``."""
        certification = self.get_object()
        payload = CertificationRevokeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        revoked = certifications.certification_revoke(
            tenant=self.tenant, actor=self.actor, certification=certification, reason=payload.validated_data["reason"]
        )
        return Response(CertificationOutputSerializer(self.get_queryset().get(pk=revoked.pk)).data)


class LearnerFilter(django_filters.FilterSet):
    partner = django_filters.UUIDFilter(field_name="partner__public_id")
    track = django_filters.ChoiceFilter(choices=Track.choices, method="filter_track")

    class Meta:
        model = Membership
        fields = ["partner", "track"]

    def filter_track(self, queryset, name, value):
        return queryset.filter(user__in=LearnerTrack.objects.filter(track=value).values("user"))


class LearnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Partners' people (active partner admins and reps) with the tracks their partner admin assigned.

    The list is for vendor staff and API keys (every partner's people) and for partner admins (their
    own organisation's); filters: ``partner`` (id), ``track``. A partner admin changes their people one
    at a time (``POST …/tracks/``); a rep reads only themselves. Everybody else's people are "not found".
    """

    model = Membership
    serializer_class = LearnerOutputSerializer
    filterset_class = LearnerFilter
    read_roles = frozenset(STAFF_ROLES | PARTNER_ROLES)
    # Vendor editors pass the role gate so that a foreign person is "not found" for them as for
    # anybody; the action itself then lets only partner admins change anything.
    write_roles = frozenset({Role.PARTNER_ADMIN} | PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        queryset = (
            Membership.objects.filter(tenant=self.tenant, is_active=True, role__in=PARTNER_ROLES)
            .select_related("user", "partner")
            .annotate(tracks=ArraySubquery(LearnerTrack.objects.filter(user=OuterRef("user")).values("track")))
            .order_by("-created_at", "-id")
        )
        if self.membership is not None and self.membership.partner_id is not None:
            queryset = queryset.filter(partner_id=self.membership.partner_id)
            if self.membership.role != Role.PARTNER_ADMIN:
                queryset = queryset.filter(pk=self.membership.pk)
        return queryset

    def list(self, request, *args, **kwargs):
        """Staff: every partner's people. A partner admin: their own organisation's people (the portal's team
        page); a rep has no team list (``404``) and reads themselves at ``learners/<id>/``."""
        if self.membership is not None and self.membership.partner_id is not None and self.membership.role != Role.PARTNER_ADMIN:
            raise exceptions.NotFound()
        return super().list(request, *args, **kwargs)

    @extend_schema(request=LearnerTracksInputSerializer, responses={200: LearnerOutputSerializer})
    @action(detail=True, methods=["post"])
    def tracks(self, request, *args, **kwargs):
        """Set the person's tracks (partner admins, for their own organisation's people)."""
        person = self.get_object()
        if self.membership is None or self.membership.role != Role.PARTNER_ADMIN:
            raise exceptions.PermissionDenied(
                code="role_forbidden", detail=_("Only the person's own partner admins assign learning paths.")
            )
        payload = LearnerTracksInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        learning.learner_tracks_set(
            tenant=self.tenant,
            actor=self.actor,
            partner=self.membership.partner,
            user=person.user,
            tracks=payload.validated_data["tracks"],
        )
        return Response(self.get_serializer(self.get_object()).data)
